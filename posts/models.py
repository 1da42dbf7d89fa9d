"""posts: models (filled in by its issue)."""
