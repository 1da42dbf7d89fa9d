from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from subscriptions import services
from subscriptions.models import Delivery, PostDeliveryStats, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "creator", "status", "email_enabled", "subscribed_at", "cancelled_at"]
    list_filter = ["status", "email_enabled"]
    search_fields = ["subscriber__username", "subscriber__email", "creator__username"]
    raw_id_fields = ["subscriber", "creator"]
    list_select_related = ["subscriber", "creator"]
    date_hierarchy = "subscribed_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["post", "subscriber", "status", "attempts", "last_error", "updated_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["post__title", "subscriber__email", "subscriber__username", "last_error"]
    raw_id_fields = ["post", "subscriber"]
    list_select_related = ["post", "subscriber"]
    readonly_fields = [
        "post",
        "subscriber",
        "status",
        "attempts",
        "last_error",
        "locked_until",
        "created_at",
        "updated_at",
        "sent_at",
    ]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come only from publishing

    @admin.action(description="Send the selected failed deliveries again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        n = services.requeue(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{n} deliveries queued again.", messages.SUCCESS)


@admin.register(PostDeliveryStats)
class PostDeliveryStatsAdmin(admin.ModelAdmin):
    """Per post: how many new-post emails are queued, sent, failed. A queued count that stays put is a stall."""

    list_display = ["display_title", "creator", "published_at", "queued", "sent", "failed", "skipped"]
    search_fields = ["title", "creator__username"]
    list_select_related = ["creator"]
    ordering = ["-published_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        counts = {s: Count("deliveries", filter=Q(deliveries__status=s)) for s in Delivery.Status.values}
        return super().get_queryset(request).filter(deliveries__isnull=False).distinct().annotate(**counts)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_staff

    def _link(self, obj: PostDeliveryStats, status: str) -> str:
        url = reverse("admin:subscriptions_delivery_changelist") + f"?post__id__exact={obj.pk}&status__exact={status}"
        return format_html('<a href="{}">{}</a>', url, getattr(obj, status))

    @admin.display(description="Queued", ordering="queued")
    def queued(self, obj: PostDeliveryStats) -> str:
        return self._link(obj, "queued")

    @admin.display(description="Sent", ordering="sent")
    def sent(self, obj: PostDeliveryStats) -> str:
        return self._link(obj, "sent")

    @admin.display(description="Failed", ordering="failed")
    def failed(self, obj: PostDeliveryStats) -> str:
        return self._link(obj, "failed")

    @admin.display(description="Skipped", ordering="skipped")
    def skipped(self, obj: PostDeliveryStats) -> str:
        return self._link(obj, "skipped")
