"""comments: tasks (filled in by its issue)."""
