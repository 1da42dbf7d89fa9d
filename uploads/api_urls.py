from django.urls import path

from uploads import api

urlpatterns = [
    path("media", api.MediaView.as_view(), name="media"),
]
