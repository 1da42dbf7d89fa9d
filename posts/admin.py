from django.contrib import admin

from posts.models import Post, PostRevision, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class RevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    fields = ["created_at", "reason", "author", "title"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["display_title", "creator", "status", "visibility", "published_at", "updated_at"]
    list_filter = ["status", "visibility", "comments_enabled"]
    search_fields = ["title", "subtitle", "creator__username"]
    raw_id_fields = ["creator"]
    filter_horizontal = ["tags"]
    readonly_fields = ["content_html", "reading_time", "word_count", "version", "created_at", "updated_at"]
    date_hierarchy = "published_at"
    inlines = [RevisionInline]
    list_select_related = ["creator"]
