"""analytics: views (filled in by its issue)."""
