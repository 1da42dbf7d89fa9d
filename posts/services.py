"""posts: services (filled in by its issue)."""
