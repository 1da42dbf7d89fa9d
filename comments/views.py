"""comments: views (filled in by its issue)."""
