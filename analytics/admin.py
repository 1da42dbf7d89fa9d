"""Analytics in the admin: the daily figures, read-only (the worker is their only writer)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from analytics.models import DailyCreatorStats, DailyPostStats


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DailyCreatorStats)
class DailyCreatorStatsAdmin(ReadOnlyAdmin):
    list_display = ["day", "creator", "views", "unique_visitors", "comments", "subscribers_gained", "subscribers_lost"]
    list_filter = ["day"]
    list_select_related = ["creator"]
    search_fields = ["creator__username"]
    date_hierarchy = "day"


@admin.register(DailyPostStats)
class DailyPostStatsAdmin(ReadOnlyAdmin):
    list_display = ["day", "post", "creator", "views", "unique_visitors", "comments"]
    list_filter = ["day"]
    list_select_related = ["post", "creator"]
    search_fields = ["post__title", "creator__username"]
    date_hierarchy = "day"
