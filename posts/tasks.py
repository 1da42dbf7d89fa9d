"""posts: tasks (filled in by its issue)."""
