"""Synthetic claim materials with ground truth.

Renders realistic Chinese inpatient claim documents (the national unified medical bill, a
discharge record, an expense list, a settlement), degrades them like a scanner or a phone camera
would, and writes demo claim bundles with ground truth (``<bundle>.expected.json``) that extraction is scored against.
Everything is seeded, so a seed always produces the same bytes.
"""
