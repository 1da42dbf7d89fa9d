from django.urls import path

from crossposting import views

app_name = "crossposting"
urlpatterns = [
    path("settings/connections/", views.connections, name="connections"),
    path("settings/connections/<str:network>/connect/", views.connection_connect, name="connect"),
    path("settings/connections/<int:pk>/test/", views.connection_test, name="test"),
    path("settings/connections/<int:pk>/disconnect/", views.connection_disconnect, name="disconnect"),
    path("settings/connections/remote/<int:pk>/delete/", views.remote_delete, name="remote_delete"),
    path("write/<uuid:pk>/crossposts/", views.plan_save, name="plan"),
    path("crossposts/<int:pk>/retry/", views.crosspost_retry, name="retry"),
]
