from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("posts/<uuid:post_id>/comments/", views.comment_thread, name="thread"),
    path("posts/<uuid:post_id>/comments/new/", views.comment_create, name="create"),
    path("posts/<uuid:post_id>/comments/toggle/", views.comments_toggle, name="toggle"),
    path("comments/<uuid:pk>/", views.comment_detail, name="detail"),
    path("comments/<uuid:pk>/reply/", views.comment_reply, name="reply"),
    path("comments/<uuid:pk>/edit/", views.comment_edit, name="edit"),
    path("comments/<uuid:pk>/delete/", views.comment_delete, name="delete"),
    path("comments/<uuid:pk>/report/", views.comment_report, name="report"),
    path("comments/<uuid:pk>/hide/", views.comment_hide, name="hide"),
    path("comments/<uuid:pk>/unhide/", views.comment_unhide, name="unhide"),
    path("comments/<uuid:pk>/approve/", views.comment_approve, name="approve"),
    path("dashboard/comments/", views.comments_dashboard, name="dashboard"),
]
