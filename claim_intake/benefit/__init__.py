"""Benefit rules as data, and the estimate of what a claim pays (互助金): pure functions."""
