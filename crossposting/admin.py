from django.contrib import admin

from crossposting.models import Connection, CrossPost


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    # `credentials` is not editable and not shown: the admin never displays a secret.
    list_display = ["creator", "network", "handle", "status", "updated_at"]
    list_filter = ["network", "status"]
    search_fields = ["creator__username", "handle"]
    readonly_fields = ["creator", "network", "handle", "instance_url", "options", "hint", "status", "last_error"]


@admin.register(CrossPost)
class CrossPostAdmin(admin.ModelAdmin):
    list_display = ["post_title", "network", "status", "attempts", "remote_url", "updated_at"]
    list_filter = ["network", "status"]
    search_fields = ["post_title", "creator__username", "remote_id"]
    raw_id_fields = ["post", "creator", "connection"]
