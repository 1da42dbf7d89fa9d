"""subscriptions: services (filled in by its issue)."""
