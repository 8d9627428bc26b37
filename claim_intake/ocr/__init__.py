"""Bytes -> pages -> text lines with geometry."""
