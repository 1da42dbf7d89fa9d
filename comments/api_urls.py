from django.urls import path

from comments import api

urlpatterns = [
    path("posts/<uuid:post_id>/comments", api.PostCommentsView.as_view(), name="post-comments"),
    path("comments/<uuid:pk>", api.CommentDetailView.as_view(), name="comment-detail"),
    path("comments/<uuid:pk>/report", api.CommentReportView.as_view(), name="comment-report"),
]
