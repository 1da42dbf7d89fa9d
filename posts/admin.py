"""posts: admin (filled in by its issue)."""
