"""Staff moderation: filters, search, bulk hide/remove/restore and commenting bans. Every action calls services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest

from comments import services
from comments.models import Comment, CommentBan, CommentReport
from publishing.errors import DomainError


class ReportedFilter(admin.SimpleListFilter):
    title = "reported"
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Reported"), ("no", "Not reported")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        reported = Exists(CommentReport.objects.filter(comment=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(reported)
        if self.value() == "no":
            return queryset.filter(~reported)
        return queryset


class ReportInline(admin.TabularInline):
    model = CommentReport
    extra = 0
    fields = ["reporter", "reason", "created_at"]
    readonly_fields = fields
    can_delete = False


def _each(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, action, done: str) -> None:
    count, failed = 0, []
    for comment in queryset.select_related("post"):
        try:
            action(comment=comment, by=request.user)
            count += 1
        except DomainError as e:
            failed.append(f"{comment.pk}: {e.message}")
    modeladmin.message_user(request, f"{count} comment{'s' if count != 1 else ''} {done}.", messages.SUCCESS)
    if failed:
        modeladmin.message_user(request, "Skipped " + "; ".join(failed), messages.WARNING)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["short_content", "user", "post", "status", "report_count", "created_at"]
    list_filter = [
        "status",
        ReportedFilter,
        ("post", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["content", "user__username", "user__email", "post__title"]
    list_select_related = ["user", "post"]
    raw_id_fields = ["post", "user", "parent"]
    readonly_fields = ["id", "content_html", "status", "created_at", "edited_at"]
    fields = ["id", "post", "user", "parent", "content", "content_html", "status", "created_at", "edited_at"]
    date_hierarchy = "created_at"
    inlines = [ReportInline]
    actions = ["hide_selected", "remove_selected", "restore_selected", "ban_writers"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).annotate(reports_n=Count("reports"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers, through the site or the API

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False  # staff act through the actions below, which go through services

    def has_delete_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False  # "remove" keeps the thread's shape and the page cache right; deleting would not

    @admin.display(description="Comment")
    def short_content(self, obj: Comment) -> str:
        return obj.content[:80] or f"[{obj.get_status_display()}]"

    @admin.display(description="Reports", ordering="reports_n")
    def report_count(self, obj: Comment) -> int:
        return obj.reports_n

    @admin.action(description="Hide selected comments")
    def hide_selected(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        _each(self, request, queryset, services.hide_comment, "hidden")

    @admin.action(description="Remove selected comments (staff removal)")
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        _each(self, request, queryset, services.remove_comment, "removed")

    @admin.action(description="Restore selected comments")
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        _each(self, request, queryset, services.restore_comment, "restored")

    @admin.action(description="Ban the writers of the selected comments from commenting")
    def ban_writers(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        users = {c.user for c in queryset.select_related("user")}
        for user in users:
            services.ban_user(user=user, by=request.user, reason="Banned from the comments admin.")
        self.message_user(request, f"{len(users)} user{'s' if len(users) != 1 else ''} banned from commenting.")


@admin.register(CommentBan)
class CommentBanAdmin(admin.ModelAdmin):
    list_display = ["user", "reason", "banned_by", "created_at"]
    search_fields = ["user__username", "user__email", "reason"]
    raw_id_fields = ["user", "banned_by"]
    readonly_fields = ["banned_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: CommentBan, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.ban_user(user=obj.user, by=request.user, reason=obj.reason)

    def delete_model(self, request: HttpRequest, obj: CommentBan) -> None:
        services.unban_user(user=obj.user, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CommentBan]) -> None:
        for ban in queryset.select_related("user"):
            services.unban_user(user=ban.user, by=request.user)


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "reporter", "reason", "created_at"]
    search_fields = ["reason", "reporter__username", "comment__content"]
    raw_id_fields = ["comment", "reporter"]
    date_hierarchy = "created_at"
