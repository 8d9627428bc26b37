"""Typed documents -> findings: rule sets (data) and the checks they switch on."""
