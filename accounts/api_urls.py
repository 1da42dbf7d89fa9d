from django.urls import path

from accounts import api

urlpatterns = [
    path("users/register", api.RegisterView.as_view(), name="register"),
    path("users/login", api.LoginView.as_view(), name="login"),
    path("users/token/refresh", api.RefreshView.as_view(), name="token-refresh"),
    path("users/logout", api.LogoutView.as_view(), name="logout"),
    path("users/me", api.MeView.as_view(), name="me"),
    path("users/<uuid:pk>", api.UserDetailView.as_view(), name="user-detail"),
]
