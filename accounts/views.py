from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import ProfileForm
from posts import selectors as post_selectors
from publishing.errors import DomainError
from publishing.pagecache import reader_page


@reader_page
def profile(request: HttpRequest, username: str) -> HttpResponse:
    """The public page of a reader or creator: /@username (a creator's lists their posts)."""
    user = selectors.get_user_by_username(username=username)
    if not user.is_creator:
        return render(request, "accounts/profile.html", {"profile": user})
    page = post_selectors.page_of(post_selectors.post_cards().filter(creator=user), request.GET.get("page"))
    return render(request, "posts/creator_detail.html", {"profile": user, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit the profile; inline on the profile page with HTMX, a whole page without JS."""
    user = request.user
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                user=user,
                username=form.cleaned_data["username"],
                bio=form.cleaned_data["bio"],
                avatar=request.FILES.get("avatar"),
            )
        except DomainError as e:
            form.add_error(e.field, e.message)
        else:
            messages.success(request, "Your profile was saved.")
            if request.htmx:
                user.refresh_from_db()
                return render(request, "accounts/profile.html#profile-card", {"profile": user})
            return redirect(user)
    if request.method == "POST":
        user.refresh_from_db()  # the form mutated the instance; show the saved profile around it
    template = "accounts/profile_edit.html" + ("#profile-form" if request.htmx else "")
    return render(request, template, {"form": form, "profile": user})


@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings.html")


@login_required
@require_POST
def become_creator(request: HttpRequest) -> HttpResponse:
    try:
        services.become_creator(user=request.user)
    except DomainError as e:
        messages.info(request, e.message)
    else:
        messages.success(request, "You are now a creator. Start your first post!")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("accounts:settings")
