"""subscriptions: views (filled in by its issue)."""
