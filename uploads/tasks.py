"""uploads: tasks (filled in by its issue)."""
