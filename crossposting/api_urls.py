from django.urls import path

from crossposting import api

urlpatterns = [
    path("connections", api.ConnectionListView.as_view(), name="connections"),
    path("posts/<uuid:pk>/crossposts", api.PostCrossPostsView.as_view(), name="post-crossposts"),
    path("crossposts/<int:pk>/retry", api.CrossPostRetryView.as_view(), name="crosspost-retry"),
]
