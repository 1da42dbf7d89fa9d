from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The front page: latest published posts (filled in by the posts issue)."""
    return render(request, "posts/home.html", {"posts": []})
