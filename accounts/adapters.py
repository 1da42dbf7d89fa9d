from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from accounts import services
from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks into our services: the web sign-up ends like the API's."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (confirmation, password reset) go out through a worker, not the request."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        services.queue_email(message=self.render_mail(template_prefix, email, ctx))

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=commit)
        role = form.cleaned_data.get("role") or User.Role.READER
        if commit:
            services.finish_registration(user=user, role=role)
        else:
            user.role = role
        return user
