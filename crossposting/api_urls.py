"""crossposting: API (the web pages cover the issue; an API for mobile is not built yet)."""

urlpatterns: list = []
