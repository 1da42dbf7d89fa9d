from django.contrib import admin

from uploads.models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["file", "owner", "format", "width", "height", "created_at"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["variants"]
