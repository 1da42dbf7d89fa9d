"""notifications: api (filled in by its issue)."""
