"""Where a claim is kept: the tables and migrations (``db``, ``migrations``), the uploads (``objects``),
the workers' job queue on the database (``jobs``), the lookups of the edges (``claims``) and stored reads
back into the pipeline's types (``reads``)."""
