"""notifications: services (filled in by its issue)."""
