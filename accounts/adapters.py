from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts import services
from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks into our services: the web sign-up ends like the API's."""

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=commit)
        role = form.cleaned_data.get("role") or User.Role.READER
        if commit:
            services.finish_registration(user=user, role=role)
        else:
            user.role = role
        return user
