from django.urls import path

from analytics import api

urlpatterns = [
    path("creators/<uuid:creator_id>/analytics", api.CreatorAnalyticsView.as_view(), name="creator-analytics"),
    path("posts/<uuid:pk>/analytics", api.PostAnalyticsView.as_view(), name="post-analytics"),
]
