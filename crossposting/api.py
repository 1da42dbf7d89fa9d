"""crossposting: API views (none yet; see api_urls)."""
