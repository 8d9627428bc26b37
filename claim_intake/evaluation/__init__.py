"""Scoring the whole pipeline against a corpus with ground truth: `claim-intake eval`."""
