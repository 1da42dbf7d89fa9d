from django.urls import path

from uploads import views

app_name = "uploads"
urlpatterns = [
    path("write/images/", views.image_upload, name="image_upload"),
]
