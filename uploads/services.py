"""uploads: services (filled in by its issue)."""
