"""The editor's URLs, under the posts namespace (included by posts/urls.py)."""

from django.urls import path

from posts import editor_views as v

urlpatterns = [
    path("write/tags/", v.tag_suggest, name="tag_suggest"),
    path("write/<uuid:pk>/autosave/", v.post_autosave, name="autosave"),
    path("write/<uuid:pk>/preview/", v.post_preview, name="preview"),
    path("write/<uuid:pk>/cover/", v.post_cover, name="cover"),
    path("write/<uuid:pk>/publish/", v.post_publish, name="publish"),
    path("write/<uuid:pk>/schedule/", v.post_schedule, name="schedule"),
    path("write/<uuid:pk>/unpublish/", v.post_unpublish, name="unpublish"),
    path("write/<uuid:pk>/delete/", v.post_delete, name="delete"),
    path("write/<uuid:pk>/revisions/", v.post_revisions, name="revisions"),
    path("write/<uuid:pk>/revisions/<int:revision_id>/", v.post_revision, name="revision"),
    path("write/<uuid:pk>/revisions/<int:revision_id>/restore/", v.post_revision_restore, name="revision_restore"),
    path("dashboard/posts/", v.dashboard_posts, name="dashboard"),
]
