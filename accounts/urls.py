from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("@<str:username>/", views.profile, name="profile"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/become-creator/", views.become_creator, name="become_creator"),
]
