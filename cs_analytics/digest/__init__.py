"""The digest: what changed in a book since a date, rendered and optionally delivered."""
