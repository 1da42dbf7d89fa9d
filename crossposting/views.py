"""Connections settings page and the editor's cross-post panel (HTML and HTMX)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from crossposting import networks, selectors, services
from crossposting.forms import ConnectForm
from crossposting.panel import panel_context
from posts import selectors as post_selectors
from publishing.errors import DomainError


def _require_creator(request: HttpRequest) -> None:
    if not request.user.is_creator:
        raise PermissionDenied("Only creators connect social accounts.")


def _page(request: HttpRequest, forms: dict[str, ConnectForm] | None = None, status: int = 200) -> HttpResponse:
    connections = {c.network: c for c in selectors.connections_of(creator=request.user)}
    forms = forms or {}
    items = [
        {
            "adapter": adapter,
            "connection": connections.get(name),
            "form": forms.get(name) or ConnectForm(network=name),
            "open": name in forms,
        }
        for name, adapter in networks.registry().items()
    ]
    orphans = list(selectors.orphaned_remote_posts(creator=request.user)[:50])
    for row in orphans:
        row.can_delete = networks.get(row.network).can_delete
    context = {"items": items, "orphans": orphans}
    return render(request, "crossposting/connections.html", context, status=status)


@login_required
def connections(request: HttpRequest) -> HttpResponse:
    _require_creator(request)
    return _page(request)


@require_POST
@login_required
def connection_connect(request: HttpRequest, network: str) -> HttpResponse:
    _require_creator(request)
    if network not in networks.registry():
        raise Http404("No such network.")
    form = ConnectForm(request.POST, network=network)
    if form.is_valid():
        try:
            connection = services.connect_network(creator=request.user, network=network, values=form.cleaned_data)
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, f"Connected {connection.network_label} as {connection.handle}.")
            return redirect("crossposting:connections")
    return _page(request, {network: form}, status=400)


@require_POST
@login_required
def connection_test(request: HttpRequest, pk: int) -> HttpResponse:
    connection = selectors.get_connection_for_owner(user=request.user, pk=pk)
    if services.test_connection(connection=connection):
        messages.success(request, f"{connection.network_label} works: connected as {connection.handle}.")
    else:
        messages.error(request, f"{connection.network_label} did not work: {connection.last_error}")
    return redirect("crossposting:connections")


@require_POST
@login_required
def connection_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    connection = selectors.get_connection_for_owner(user=request.user, pk=pk)
    services.disconnect(connection=connection)
    messages.success(request, f"Disconnected {connection.network_label}; its credentials are deleted.")
    return redirect("crossposting:connections")


@require_POST
@login_required
def remote_delete(request: HttpRequest, pk: int) -> HttpResponse:
    crosspost = selectors.get_crosspost_for_owner(user=request.user, pk=pk)
    try:
        services.request_remote_delete(crosspost=crosspost)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Deleting the post on {crosspost.network_label}; it disappears here when done.")
    return redirect("crossposting:connections")


def _panel(request: HttpRequest, post: object) -> HttpResponse:
    if request.htmx:
        return render(request, "crossposting/_panel.html", panel_context(post=post))
    return redirect("posts:edit", pk=post.pk)


@require_http_methods(["GET", "POST"])
@login_required
def plan_save(request: HttpRequest, pk: object) -> HttpResponse:
    """POST saves the per-network choices and texts; GET (HTMX polling) refreshes the statuses."""
    post = post_selectors.get_post_for_editor(user=request.user, pk=pk)
    if request.method == "GET":
        return _panel(request, post)
    choices = {
        name: services.Choice(chosen=f"chosen_{name}" in request.POST, text=request.POST.get(f"text_{name}", ""))
        for name in networks.registry()
        if f"present_{name}" in request.POST
    }
    services.save_plan(post=post, choices=choices)
    messages.success(request, "Cross-post choices saved.")
    return _panel(request, post)


@require_POST
@login_required
def crosspost_retry(request: HttpRequest, pk: int) -> HttpResponse:
    crosspost = selectors.get_crosspost_for_owner(user=request.user, pk=pk)
    if crosspost.post is None:
        raise Http404("The post is gone.")
    try:
        services.retry_crosspost(crosspost=crosspost)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Sending to {crosspost.network_label} again.")
    return _panel(request, crosspost.post)
