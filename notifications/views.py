"""notifications: views (filled in by its issue)."""
