"""subscriptions: tasks (filled in by its issue)."""
