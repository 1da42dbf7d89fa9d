"""posts: api (filled in by its issue)."""
