from django.urls import path

from notifications import api

urlpatterns = [
    path("notifications", api.NotificationsView.as_view(), name="notifications"),
    path("notifications/read", api.NotificationsReadView.as_view(), name="notifications-read"),
]
