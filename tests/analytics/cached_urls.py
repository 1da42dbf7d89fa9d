"""The site's URLs, with the post page behind the anonymous page cache (as the reader issue serves it)."""

from django.urls import include, path

from posts import views
from publishing import pagecache
from publishing.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("@<str:username>/<str:slug>/", pagecache.cache_for_anonymous()(views.post_detail), name="cached-detail"),
    path("", include(site_urlpatterns)),
]
