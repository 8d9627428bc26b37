"""claim-intake: pre-screening of employee medical mutual-aid claim materials."""

__version__ = "0.1.0"
