from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from publishing import health

handler400 = "publishing.views.bad_request"
handler403 = "publishing.views.permission_denied"
handler404 = "publishing.views.page_not_found"
handler500 = "publishing.views.server_error"

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("posts.api_urls")),
    path("", include("comments.api_urls")),
    path("", include("subscriptions.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("uploads.api_urls")),
    path("", include("crossposting.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the CSP needs no inline script.
    # (No Redoc: its page loads Google Fonts from a CDN.)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include((api_v1, "api"))),
    # The reader pages first: they get most of the traffic, and every app below is an include("")
    # whose patterns would all be tried (and fail) before them. No pattern here overlaps another app's.
    path("", include("posts.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("comments.urls")),
    path("", include("subscriptions.urls")),
    path("", include("analytics.urls")),
    path("", include("uploads.urls")),
    path("", include("crossposting.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
