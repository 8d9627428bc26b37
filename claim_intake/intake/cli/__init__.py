"""The ``claim-intake`` command: ``app`` (typer), what it prints (``output``), ``eval`` and ``eval-real``."""
