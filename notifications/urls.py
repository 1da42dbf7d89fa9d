from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.notifications_read, name="read"),
    path("notifications/<uuid:pk>/", views.notification_open, name="open"),
    path("settings/notifications/", views.notification_settings, name="settings"),
]
