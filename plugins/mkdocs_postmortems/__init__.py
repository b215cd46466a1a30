"""MkDocs adapter for the postmortem library: maps MkDocs events onto ``kb``."""
