"""uploads: models (filled in by its issue)."""
