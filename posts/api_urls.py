from django.urls import path

from posts import api

urlpatterns = [
    path("posts", api.PostListView.as_view(), name="posts"),
    path("posts/<uuid:pk>", api.PostDetailView.as_view(), name="post-detail"),
    path("posts/<uuid:pk>/publish", api.PostPublishView.as_view(), name="post-publish"),
    path("creators/<uuid:creator_id>/posts", api.CreatorPostsView.as_view(), name="creator-posts"),
]
