"""analytics: services (filled in by its issue)."""
