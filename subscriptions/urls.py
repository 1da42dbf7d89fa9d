from django.urls import path

from subscriptions import views

app_name = "subscriptions"
urlpatterns = [
    path("subscriptions/<uuid:creator_id>/subscribe/", views.subscribe, name="subscribe"),
    path("subscriptions/<uuid:creator_id>/unsubscribe/", views.unsubscribe, name="unsubscribe_creator"),
    path("feed/", views.feed, name="feed"),
    path("settings/subscriptions/", views.settings_list, name="settings"),
    path("settings/subscriptions/<uuid:pk>/email/", views.set_email, name="set_email"),
    path("settings/subscriptions/<uuid:pk>/unsubscribe/", views.cancel, name="cancel"),
    path("dashboard/subscribers/", views.dashboard, name="dashboard"),
    path("dashboard/subscribers.csv", views.dashboard_csv, name="dashboard_csv"),
    path("unsubscribe/<str:token>/", views.unsubscribe_page, name="unsubscribe"),
    path("unsubscribe/<str:token>/one-click/", views.one_click, name="one_click"),
]
