"""comments: models (filled in by its issue)."""
