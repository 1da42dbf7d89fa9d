"""The creator's editor: drafts, autosave, preview, publishing, revisions, the posts dashboard.

Thin views: parse (posts.forms), authorise (posts.selectors), one service, a response.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from posts import forms, selectors, services
from posts.models import Post, PostRevision, Tag
from posts.rendering import render_post
from publishing.errors import DomainError
from uploads import services as upload_services


def _not_creator(request: HttpRequest) -> HttpResponse:
    return render(request, "posts/become_creator.html", status=403)


def _editor(request: HttpRequest, post: Post, form: forms.EditorForm | None = None, status: int = 200) -> HttpResponse:
    context = {
        "post": post,
        "form": form or forms.EditorForm.for_post(post),
        "schedule_form": forms.ScheduleForm(),
        "timezone_options": forms.timezone_options_html(),
        "cover_form": forms.CoverForm(),
        "preview_html": post.content_html,
    }
    return render(request, "posts/post_edit.html", context, status=status)


@login_required
def post_write(request: HttpRequest) -> HttpResponse:
    """Open a fresh draft. An untouched empty draft is reused, so stray visits leave no litter."""
    if not request.user.is_creator:
        return _not_creator(request)
    post = Post.objects.filter(creator=request.user, status=Post.Status.DRAFT, title="", content="").first()
    if post is None:
        post = services.create_post(creator=request.user)
    return redirect("posts:edit", pk=post.pk)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: str) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    if request.method == "GET":
        return _editor(request, post)
    form = forms.EditorForm(request.POST)
    if not form.is_valid():
        return _editor(request, post, form, status=400)
    try:
        services.update_post(post=post, by=request.user, snapshot=True, **form.service_kwargs())
    except DomainError as e:
        form.add_error(e.field if e.field in form.fields else None, e.message)
        return _editor(request, post, form, status=e.status)
    messages.success(request, "Updated: readers see the change now." if post.is_published else "Draft saved.")
    return redirect("posts:edit", pk=post.pk)


@require_POST
@login_required
def post_autosave(request: HttpRequest, pk: str) -> JsonResponse:
    """Autosave from editor.js: 200 with the new version, 409 when another tab saved first."""
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    form = forms.EditorForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"detail": "Not saved: " + form.errors.as_text(), "code": "invalid"}, status=400)
    try:
        post = services.update_post(post=post, by=request.user, **form.service_kwargs())
    except DomainError as e:
        return JsonResponse({"detail": e.message, "code": e.code}, status=e.status)
    return JsonResponse({"version": post.version, "saved_at": post.updated_at.isoformat()})


@require_POST
@login_required
def post_preview(request: HttpRequest, pk: str) -> HttpResponse:
    """The live preview: the very renderer the post page uses (never the browser's)."""
    selectors.get_post_for_editor(user=request.user, pk=pk)
    html = render_post(request.POST.get("content", "")).html
    return render(request, "posts/post_edit.html#preview", {"preview_html": html})


@require_GET
@login_required
def tag_suggest(request: HttpRequest) -> HttpResponse:
    """Datalist options completing the last comma-separated tag being typed."""
    typed = request.GET.get("tags", "")
    head, _, last = typed.rpartition(",")
    last = last.strip()
    names: list[str] = []
    if last:
        names = list(Tag.objects.filter(name__istartswith=last).order_by("name").values_list("name", flat=True)[:8])
    prefix = f"{head.strip()}, " if head.strip() else ""
    options = [f"{prefix}{n}" for n in names]
    return render(request, "posts/post_edit.html#tag-options", {"tag_options": options})


@require_POST
@login_required
def post_cover(request: HttpRequest, pk: str) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    try:
        image = upload_services.upload_image(owner=request.user, file=request.FILES.get("cover"))
        services.update_post(post=post, by=request.user, cover_image=image.file.name)
    except DomainError as e:
        messages.error(request, f"Cover not changed: {e.message}")
    else:
        messages.success(request, "Cover image updated.")
    return redirect("posts:edit", pk=post.pk)


@require_POST
@login_required
def post_publish(request: HttpRequest, pk: str) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    try:
        post = services.publish_post(post=post, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("posts:edit", pk=post.pk)
    messages.success(request, "Published. Readers can see it now.")
    return redirect(post.get_absolute_url())


@require_POST
@login_required
def post_schedule(request: HttpRequest, pk: str) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not scheduled: pick a date, a time and a time zone.")
        return redirect("posts:edit", pk=post.pk)
    try:
        post = services.schedule_post(post=post, by=request.user, when=form.cleaned_data["when_utc"])
    except DomainError as e:
        messages.error(request, f"Not scheduled: {e.message}")
    else:
        local = form.cleaned_data["scheduled_for"].strftime("%d %b %Y %H:%M")
        messages.success(request, f"Scheduled for {local} ({form.cleaned_data['timezone']}).")
    return redirect("posts:edit", pk=post.pk)


@require_POST
@login_required
def post_unpublish(request: HttpRequest, pk: str) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    try:
        services.unpublish_post(post=post, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Back to draft: readers no longer see it.")
    return redirect("posts:edit", pk=post.pk)


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, pk: str) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    if request.method == "GET":
        return render(request, "posts/post_delete.html", {"post": post})
    title = post.display_title
    services.delete_post(post=post, by=request.user)
    messages.success(request, f"Deleted “{title}”.")
    return redirect("posts:dashboard")


@require_GET
@login_required
def post_revisions(request: HttpRequest, pk: str) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    page = Paginator(post.revisions.select_related("author").defer("content"), 30).get_page(request.GET.get("page"))
    return render(request, "posts/post_revisions.html", {"post": post, "page": page})


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """Unified diff lines tagged add/del/hunk/same; the template escapes them."""
    kinds = {"+": "add", "-": "del", "@": "hunk", " ": "same"}
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "revision", "current", lineterm="", n=2)
    return [(kinds.get(line[:1], "same"), line) for line in list(lines)[2:]]


@require_GET
@login_required
def post_revision(request: HttpRequest, pk: str, revision_id: int) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    revision = get_object_or_404(PostRevision.objects.select_related("author"), pk=revision_id, post=post)
    context: dict[str, Any] = {
        "post": post,
        "revision": revision,
        "title_changed": revision.title != post.title,
        "subtitle_changed": revision.subtitle != post.subtitle,
        "diff": _diff(revision.content, post.content),
    }
    return render(request, "posts/post_revision.html", context)


@require_POST
@login_required
def post_revision_restore(request: HttpRequest, pk: str, revision_id: int) -> HttpResponse:
    post = selectors.get_post_for_editor(user=request.user, pk=pk)
    revision = get_object_or_404(PostRevision, pk=revision_id, post=post)
    services.restore_revision(post=post, revision=revision, by=request.user)
    messages.success(request, f"Restored the revision of {revision.created_at:%d %b %Y %H:%M} UTC.")
    return redirect("posts:edit", pk=post.pk)


DASHBOARD_TABS = [("", "All"), *Post.Status.choices]


@require_GET
@login_required
def dashboard_posts(request: HttpRequest) -> HttpResponse:
    if not request.user.is_creator:
        return _not_creator(request)
    mine = Post.objects.filter(creator=request.user)
    counts = mine.aggregate(all=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Post.Status.values})
    status = request.GET.get("status", "")
    if status not in Post.Status.values:
        status = ""
    listed = (mine.filter(status=status) if status else mine).select_related("creator").order_by("-updated_at")
    listed = selectors.with_comment_counts(listed.defer("content", "content_html"))
    page = Paginator(listed, 20).get_page(request.GET.get("page"))
    tabs = [(value, label, counts[value or "all"]) for value, label in DASHBOARD_TABS]
    return render(request, "posts/dashboard_posts.html", {"page": page, "tabs": tabs, "status": status})
