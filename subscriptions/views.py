"""Subscribe buttons, the feed, the reader's and the creator's subscription pages, unsubscribe links."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from subscriptions import selectors, services
from subscriptions.services import SubscriptionError

PER_PAGE = 20


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target)


def _button(request: HttpRequest, creator: object) -> HttpResponse:
    if request.htmx:
        context = {"creator": creator, "next": request.POST.get("next", "")}
        return render(request, "subscriptions/_subscribe_button.html", context)
    return _back(request, creator.get_absolute_url())


@require_POST
@login_required
def subscribe(request: HttpRequest, creator_id: str) -> HttpResponse:
    creator = selectors.get_creator(pk=creator_id)
    try:
        _, _created = services.subscribe(subscriber=request.user, creator=creator)
        if not request.htmx:
            messages.success(request, f"You subscribed to {creator.display_name}.")
    except SubscriptionError as e:
        messages.error(request, e.message)
    return _button(request, creator)


@require_POST
@login_required
def unsubscribe(request: HttpRequest, creator_id: str) -> HttpResponse:
    creator = selectors.get_creator(pk=creator_id)
    try:
        services.unsubscribe_from(subscriber=request.user, creator=creator)
        if not request.htmx:
            messages.success(request, f"You unsubscribed from {creator.display_name}.")
    except SubscriptionError as e:
        messages.error(request, e.message)
    return _button(request, creator)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def feed(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.feed(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    template = "subscriptions/feed.html" + ("#feed-list" if request.htmx else "")
    return render(request, template, {"page": page})


@require_GET
@login_required
def settings_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.subscriptions_of(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "subscriptions/settings.html", {"page": page})


def _row(request: HttpRequest, sub: object) -> HttpResponse:
    if request.htmx:
        return render(request, "subscriptions/settings.html#sub-row", {"sub": sub})
    return redirect("subscriptions:settings")


@require_POST
@login_required
def set_email(request: HttpRequest, pk: str) -> HttpResponse:
    sub = selectors.get_own_subscription(user=request.user, pk=pk)
    enabled = request.POST.get("email_enabled") == "on"
    services.set_email_enabled(subscription=sub, enabled=enabled)
    if not request.htmx:
        state = "on" if enabled else "off"
        messages.success(request, f"Emails from {sub.creator.display_name} are {state}.")
    return _row(request, sub)


@require_POST
@login_required
def cancel(request: HttpRequest, pk: str) -> HttpResponse:
    sub = selectors.get_own_subscription(user=request.user, pk=pk)
    services.unsubscribe(subscription=sub)
    if not request.htmx:
        messages.success(request, f"You unsubscribed from {sub.creator.display_name}.")
    return _row(request, sub)


def _creator_only(request: HttpRequest) -> None:
    if not request.user.is_creator:
        raise Http404("Only creators have subscribers.")


@require_GET
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    _creator_only(request)
    q = request.GET.get("q", "").strip()[:100]
    subscribers = selectors.subscribers_of(creator=request.user, q=q)
    page = Paginator(subscribers, PER_PAGE).get_page(request.GET.get("page"))
    if request.htmx:
        return render(request, "subscriptions/dashboard.html#subscriber-list", {"page": page, "q": q})
    history = selectors.count_over_time(creator=request.user)
    top = max([n for _, n in history] + [1])
    bars = [
        {"date": d, "count": n, "height": round(100 * n / top), "x": i * 30, "y": 110 - round(100 * n / top)}
        for i, (d, n) in enumerate(history)
    ]
    context = {"page": page, "q": q, "bars": bars, "total": history[-1][1], "chart_width": len(bars) * 30}
    return render(request, "subscriptions/dashboard.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@login_required
def dashboard_csv(request: HttpRequest) -> StreamingHttpResponse:
    _creator_only(request)
    rows = selectors.subscribers_of(creator=request.user, q=request.GET.get("q", "").strip()[:100], status=None)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(["username", "name", "email", "status", "email_enabled", "subscribed_at", "cancelled_at"])
        for sub in rows.iterator(chunk_size=2000):
            u = sub.subscriber
            yield writer.writerow(
                [
                    _safe(u.username),
                    _safe(u.get_full_name()),
                    _safe(u.email),
                    sub.status,
                    "yes" if sub.email_enabled else "no",
                    sub.subscribed_at.isoformat(),
                    sub.cancelled_at.isoformat() if sub.cancelled_at else "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
    return response


def _safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas (CSV injection)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: one button, no login (the signed token is the credential)."""
    try:
        sub = services.subscription_from_token(token)
    except SubscriptionError as e:
        raise Http404(e.message) from None
    if request.method == "POST":
        services.unsubscribe(subscription=sub)
        return render(request, "subscriptions/unsubscribe.html", {"sub": sub, "done": True})
    return render(request, "subscriptions/unsubscribe.html", {"sub": sub, "token": token, "done": False})


@csrf_exempt
@require_POST
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` here; no cookies, no CSRF token."""
    try:
        services.unsubscribe_by_token(token=token)
    except SubscriptionError as e:
        return HttpResponse(e.message, status=404, content_type="text/plain")
    return HttpResponse("You are unsubscribed.", content_type="text/plain")
