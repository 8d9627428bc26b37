"""The edges: settings and the command line."""
