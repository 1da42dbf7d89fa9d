"""Creators' analytics dashboard, a page per post, CSV exports, and the staff page."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from analytics import charts, selectors


def _period(request: HttpRequest) -> tuple[int, Any, Any]:
    days = selectors.period_days(request.GET.get("days", selectors.DEFAULT_PERIOD))
    start, end = selectors.period_range(days)
    return days, start, end


def _require_creator(request: HttpRequest) -> None:
    if not (request.user.is_creator or request.user.is_staff):
        raise PermissionDenied("Analytics are for creators.")


@require_GET
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_creator(request)
    days, start, end = _period(request)
    summary = selectors.creator_summary(creator_id=request.user.pk, start=start, end=end)
    chart = charts.bar_chart(summary.days, key="views", title=f"Views per day, last {days} days", label="views")
    template = "analytics/dashboard.html" + ("#analytics-panel" if request.htmx else "")
    context = {"summary": summary, "chart": chart, "days": days, "periods": selectors.PERIODS}
    return render(request, template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def post_analytics(request: HttpRequest, pk: Any) -> HttpResponse:
    post = selectors.get_post_for_analytics(user=request.user, pk=pk)
    days, start, end = _period(request)
    summary = selectors.post_summary(post=post, start=start, end=end)
    chart = charts.bar_chart(summary.days, key="views", title=f"Views per day, last {days} days", label="views")
    template = "analytics/post_analytics.html" + ("#analytics-panel" if request.htmx else "")
    context = {"post": post, "summary": summary, "chart": chart, "days": days, "periods": selectors.PERIODS}
    return render(request, template, context)


def _csv(filename: str, days: list[dict[str, Any]], fields: tuple[str, ...]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["date", *fields])
    for day in days:
        writer.writerow([day["date"].isoformat(), *(day[f] for f in fields)])
    return response


@require_GET
@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    _require_creator(request)
    _, start, end = _period(request)
    summary = selectors.creator_summary(creator_id=request.user.pk, start=start, end=end, with_previous=False, top=0)
    return _csv(f"analytics-{start}-{end}.csv", summary.days, selectors.CREATOR_FIELDS)


@require_GET
@login_required
def post_export(request: HttpRequest, pk: Any) -> HttpResponse:
    post = selectors.get_post_for_analytics(user=request.user, pk=pk)
    _, start, end = _period(request)
    summary = selectors.post_summary(post=post, start=start, end=end, top=0)
    return _csv(f"analytics-{post.slug or post.pk}-{start}-{end}.csv", summary.days, selectors.POST_FIELDS)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def site_analytics(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied("Staff only.")
    days, start, end = _period(request)
    site = selectors.site_summary(start=start, end=end)
    chart = charts.bar_chart(site["days"], key="views", title=f"Views per day, last {days} days", label="views")
    template = "analytics/site_analytics.html" + ("#analytics-panel" if request.htmx else "")
    return render(request, template, {"site": site, "chart": chart, "days": days, "periods": selectors.PERIODS})
