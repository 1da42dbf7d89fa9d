"""The inbox page, marking read, and the email preferences form."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import selectors, services
from notifications.forms import PreferencesForm
from notifications.models import Notification


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:list")


@require_GET
@login_required
def notification_open(request: HttpRequest, pk: str) -> HttpResponse:
    """Follow a notification to its target, marking it read on the way (only to our own site)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, notification_ids=[str(notification.pk)])
    hosts = {request.get_host(), urlsplit(settings.SITE_URL).netloc}
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=hosts):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    prefs = services.preferences_for(user=request.user)
    form = PreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        services.update_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, "Your email preferences are saved.")
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
