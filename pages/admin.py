from django.contrib import admin, messages
from django.utils.safestring import mark_safe

from core.markdown import render_markdown

from .models import ContentBlock, TermSheet
from .services import termsheet_publish


@admin.register(ContentBlock)
class ContentBlockAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "order", "updated_at"]
    readonly_fields = ["preview", "updated_at"]
    fields = ["key", "title", "order", "body", "link_url", "preview", "updated_at"]

    @admin.display(description="Preview (as rendered, sanitized)")
    def preview(self, obj):
        return mark_safe(render_markdown(obj.body))  # noqa: S308 - sanitized by nh3


@admin.register(TermSheet)
class TermSheetAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "status", "published_at", "published_by"]
    list_filter = ["status"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        base = ["status", "published_at", "published_by", "created_at"]
        if obj and obj.is_published:
            return [*base, "version", "title", "summary", "body"]
        return base

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.is_published) and super().has_delete_permission(request, obj)

    @admin.action(description="Publish the selected drafts (they become current)")
    def publish(self, request, queryset):
        count = 0
        for sheet in queryset.order_by("created_at"):
            if not sheet.is_published:
                termsheet_publish(termsheet=sheet, user=request.user)
                count += 1
        messages.success(request, f"Published {count} term sheet version(s).")
