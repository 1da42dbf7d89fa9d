"""analytics: tasks (filled in by its issue)."""
