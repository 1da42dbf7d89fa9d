"""subscriptions: admin (filled in by its issue)."""
