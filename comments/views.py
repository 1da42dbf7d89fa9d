"""The thread under a post (HTMX in place, plain forms without JS), permalinks and the creator's dashboard."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from comments import selectors, services
from comments.forms import CommentForm, ReportForm
from comments.models import Comment
from posts.models import Post
from publishing.errors import DomainError


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Django's login_required, but an htmx request (a session that expired) gets a full-page redirect to log in,
    not the login page swapped into the thread."""
    plain = django_login_required(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            current = request.headers.get("HX-Current-URL") or "/"
            ok = url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()})
            parts = urlsplit(current if ok else "/")
            back = parts.path + (f"?{parts.query}" if parts.query else "") + "#comments"
            return HttpResponseClientRedirect(f"{reverse('account_login')}?{urlencode({'next': back})}")
        return plain(request, *args, **kwargs)

    return wrapped


def _is_moderator(user: Any, post: Post) -> bool:
    return getattr(user, "is_authenticated", False) and (user.pk == post.creator_id or user.is_staff)


def _can_comment(user: Any, post: Post) -> bool:
    return getattr(user, "is_authenticated", False) and post.comments_enabled and not services.is_banned(user=user)


def thread_context(request: HttpRequest, *, post: Post, order: str) -> dict[str, Any]:
    thread = selectors.get_thread(post=post, viewer=request.user, order=order)
    post_url = post.get_absolute_url()
    return {
        "thread": thread,
        "post": post,
        "order": thread.order,
        "user": request.user,
        "post_url": post_url,
        "back": f"{post_url}?{urlencode({'comments': thread.order})}#comments",
        "login_url": f"{reverse('account_login')}?{urlencode({'next': post_url + '#comments'})}",
        "is_moderator": _is_moderator(request.user, post),
        "is_creator": getattr(request.user, "pk", None) == post.creator_id,
        "can_comment": _can_comment(request.user, post),
        "htmx_ok": True,
    }


def _thread(request: HttpRequest, post: Post, *, message: str = "", level: str = "success") -> HttpResponse:
    order = request.POST.get("order") or request.GET.get("comments") or "oldest"
    response = render(request, "comments/_thread.html", thread_context(request, post=post, order=order))
    if message:
        trigger_client_event(response, "messages", [{"level": level, "message": message}])
    return response


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(target if ok and target else default)


def _done(request: HttpRequest, post: Post, message: str, default: str = "") -> HttpResponse:
    """After an action: the refreshed thread for HTMX, else a message and back where the reader was."""
    if request.htmx:
        return _thread(request, post, message=message)
    messages.success(request, message)
    return _back(request, default or f"{post.get_absolute_url()}#comments")


@require_GET
def comment_thread(request: HttpRequest, post_id: str) -> HttpResponse:
    post = selectors.get_commentable_post(pk=post_id, viewer=request.user)
    if request.htmx:
        return _thread(request, post)
    order = request.GET.get("comments", "oldest")
    return redirect(f"{post.get_absolute_url()}?{urlencode({'comments': order})}#comments")


@require_POST
@login_required
def comment_create(request: HttpRequest, post_id: str) -> HttpResponse:
    post = selectors.get_commentable_post(pk=post_id, viewer=request.user)
    form = CommentForm(request.POST)
    form.is_valid()
    content = form.cleaned_data.get("content") or ""
    parent_id = form.cleaned_data.get("parent")
    parent = get_object_or_404(Comment, pk=parent_id) if parent_id else None
    try:
        comment = services.post_comment(post=post, user=request.user, content=content, parent=parent)
    except DomainError as e:
        return _form_error(request, post, parent=parent, content=content, error=e)
    message = (
        "Your comment has many links, so it waits for the creator's review before others see it."
        if comment.status == Comment.Status.PENDING
        else "Your comment is posted."
    )
    if request.htmx:
        return _thread(request, post, message=message)
    messages.success(request, message)
    return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")


def _form_error(
    request: HttpRequest, post: Post, *, parent: Comment | None, content: str, error: DomainError
) -> HttpResponse:
    """Show the refusal next to the form, keeping what was written."""
    context = {"post": post, "parent": parent, "content": content, "error": error.message, "htmx_ok": True}
    if request.htmx:
        # 200 so htmx swaps it in; the form replaces itself and keeps the text.
        response = render(request, "comments/_form.html", context)
        form_id = f"reply-{parent.pk}" if parent else "comment-form"
        return reswap(retarget(response, f"#{form_id}"), "outerHTML")
    context["htmx_ok"] = False
    return render(request, "comments/comment_form_page.html", context, status=error.status)


@require_GET
@login_required
def comment_reply(request: HttpRequest, pk: str) -> HttpResponse:
    """The reply form, fetched on demand (htmx drops it under the comment; without JS it is a page)."""
    parent = selectors.get_comment_for_reader(pk=pk, viewer=request.user)
    htmx = bool(request.htmx)
    context = {"post": parent.post, "parent": parent, "content": "", "error": "", "htmx_ok": htmx, "focus": htmx}
    template = "comments/_form.html" if request.htmx else "comments/comment_form_page.html"
    return render(request, template, context)


@require_GET
def comment_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """A comment's own page: it and its replies, nested from the top (where "continue this thread" leads)."""
    comment = selectors.get_comment_for_reader(pk=pk, viewer=request.user)
    post = comment.post
    thread = selectors.get_thread(post=post, viewer=request.user)
    node = selectors.find_node(thread.roots, comment.pk)
    context = {
        "post": post,
        "comment": comment,
        "node": selectors.rebase(node) if node else None,
        "is_moderator": _is_moderator(request.user, post),
        "can_comment": _can_comment(request.user, post),
        "back": comment.get_absolute_url(),
        "post_url": post.get_absolute_url(),
        "htmx_ok": False,
    }
    return render(request, "comments/comment_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def comment_edit(request: HttpRequest, pk: str) -> HttpResponse:
    comment = selectors.get_comment_for_writer(pk=pk, user=request.user)
    content = comment.content
    error = ""
    if request.method == "POST":
        form = CommentForm(request.POST)
        form.is_valid()
        content = form.cleaned_data.get("content") or ""
        try:
            services.edit_comment(comment=comment, by=request.user, content=content)
        except DomainError as e:
            error = e.message
        else:
            return _done(request, comment.post, "Your comment is updated.", comment.get_absolute_url())
    context = {"comment": comment, "post": comment.post, "content": content, "error": error}
    if request.htmx:
        response = render(request, "comments/comment_edit.html#edit-form", context)
        return reswap(retarget(response, f"#edit-{comment.pk}"), "outerHTML") if error else response
    return render(request, "comments/comment_edit.html", context, status=400 if error else 200)


@require_POST
@login_required
def comment_delete(request: HttpRequest, pk: str) -> HttpResponse:
    comment = selectors.get_comment_for_writer(pk=pk, user=request.user)
    post = comment.post
    try:
        services.delete_comment(comment=comment, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return _back(request, f"{post.get_absolute_url()}#comments")
    return _done(request, post, "Your comment is deleted.", f"{post.get_absolute_url()}#comments")


@require_http_methods(["GET", "POST"])
@login_required
def comment_report(request: HttpRequest, pk: str) -> HttpResponse:
    comment = selectors.get_comment_for_reader(pk=pk, viewer=request.user)
    reason, error = "", ""
    if request.method == "POST":
        form = ReportForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason") or ""
        try:
            services.report_comment(comment=comment, by=request.user, reason=reason)
        except DomainError as e:
            error = e.message
        else:
            return _done(request, comment.post, "Thank you: the report is with the creator and our moderators.")
    context = {"comment": comment, "post": comment.post, "reason": reason, "error": error}
    if request.htmx:
        response = render(request, "comments/comment_report.html#report-form", context)
        return reswap(retarget(response, f"#report-{comment.pk}"), "outerHTML") if error else response
    return render(request, "comments/comment_report.html", context, status=400 if error else 200)


def _moderate(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    comment = selectors.get_comment_for_reader(pk=pk, viewer=request.user)
    post = comment.post
    service = {"hide": services.hide_comment, "unhide": services.unhide_comment, "approve": services.approve_comment}[
        action
    ]
    try:
        service(comment=comment, by=request.user)
    except DomainError as e:
        if e.status == 403:
            raise PermissionDenied(e.message) from e
        messages.error(request, e.message)
        return _back(request, f"{post.get_absolute_url()}#comments")
    message = {
        "hide": "The comment is hidden from readers.",
        "unhide": "The comment is shown again.",
        "approve": "The comment is approved and shown.",
    }[action]
    return _done(request, post, message)


@require_POST
@login_required
def comment_hide(request: HttpRequest, pk: str) -> HttpResponse:
    return _moderate(request, pk, "hide")


@require_POST
@login_required
def comment_unhide(request: HttpRequest, pk: str) -> HttpResponse:
    return _moderate(request, pk, "unhide")


@require_POST
@login_required
def comment_approve(request: HttpRequest, pk: str) -> HttpResponse:
    return _moderate(request, pk, "approve")


@require_POST
@login_required
def comments_toggle(request: HttpRequest, post_id: str) -> HttpResponse:
    post = selectors.get_commentable_post(pk=post_id, viewer=request.user)
    enabled = request.POST.get("enabled") == "1"
    try:
        services.set_comments_enabled(post=post, by=request.user, enabled=enabled)
    except DomainError as e:
        raise PermissionDenied(e.message) from e
    return _done(request, post, "Comments are open." if enabled else "Comments are closed; existing ones stay.")


@require_GET
@login_required
def comments_dashboard(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.comments_for_creator(creator=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "comments/dashboard.html", {"page": page})
