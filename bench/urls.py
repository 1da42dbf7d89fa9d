"""The site's URLs plus the baselines the issue compares against: a bare Django view that
renders one small template with one query, and the same view behind `cache_page`."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.cache import cache_page

from posts.models import Post

_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>Bare</title><ul>{% for p in posts %}<li>{{ p.title }}</li>{% endfor %}</ul>"
)


def bare(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.filter(status=Post.Status.PUBLISHED).order_by("-published_at").only("title")[:10]
    return HttpResponse(_TEMPLATE.render({"posts": posts}, request))


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-cached/", cache_page(600)(bare)),
    path("", include("publishing.urls")),
]
