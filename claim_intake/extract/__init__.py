"""OCR text -> typed documents: classification, grouping, field extraction."""
