from django.urls import path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("dashboard/analytics/", views.dashboard, name="dashboard"),
    path("dashboard/analytics/export.csv", views.dashboard_export, name="export"),
    path("dashboard/analytics/site/", views.site_analytics, name="site"),
    path("dashboard/analytics/posts/<uuid:pk>/", views.post_analytics, name="post"),
    path("dashboard/analytics/posts/<uuid:pk>/export.csv", views.post_export, name="post_export"),
]
