"""subscriptions: models (filled in by its issue)."""
