"""uploads: views (filled in by its issue)."""
