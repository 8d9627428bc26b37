"""Orchestration: the pipeline as plain functions, run in-process or by task runners."""
