from django.urls import path

from posts import editor_urls, views

app_name = "posts"
urlpatterns = [
    path("", views.home, name="home"),
    path("write/", views.post_write, name="write"),
    path("write/<uuid:pk>/", views.post_edit, name="edit"),
    *editor_urls.urlpatterns,
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("@<str:username>/<str:slug>/", views.post_detail, name="detail"),
]
