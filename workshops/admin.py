"""Program admins keep the course catalogue (each course with its workshop kinds) here; the
workshops themselves are scheduled in the partner workspace, and are here for support."""

from django.contrib import admin

from .models import Course, Workshop, WorkshopFacilitator, WorkshopKind, WorkshopSession


class WorkshopKindInline(admin.TabularInline):
    model = WorkshopKind
    extra = 1
    fields = ["name", "description", "is_active", "order"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "grade_band", "is_active", "order"]
    list_filter = ["grade_band", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WorkshopKindInline]


class WorkshopSessionInline(admin.TabularInline):
    model = WorkshopSession
    extra = 0
    fields = ["date", "start_time", "end_time", "attendance_code"]


class WorkshopFacilitatorInline(admin.TabularInline):
    model = WorkshopFacilitator
    extra = 0
    autocomplete_fields = ["facilitator"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["__str__", "partner", "course", "state", "program_year", "time_zone"]
    list_filter = ["state", "program_year", "course", "is_online", "is_demo"]
    search_fields = ["title", "partner__name", "course__name", "venue", "city"]
    list_select_related = ["partner", "course", "kind"]
    raw_id_fields = ["partner", "zip_code", "reserved_for", "created_by"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [WorkshopSessionInline, WorkshopFacilitatorInline]
