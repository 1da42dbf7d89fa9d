"""analytics: models (filled in by its issue)."""
