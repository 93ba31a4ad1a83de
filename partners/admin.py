from django.contrib import admin

from .models import CheckInNote, Partner, ProgramManager


class ProgramManagerInline(admin.TabularInline):
    model = ProgramManager
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "organization_type", "status", "state", "regional_manager"]
    list_filter = ["status", "organization_type", "state"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["state", "regional_manager"]
    inlines = [ProgramManagerInline]


@admin.register(CheckInNote)
class CheckInNoteAdmin(admin.ModelAdmin):
    """Regional managers' check-in notes; hidden from program managers everywhere else."""

    list_display = ["partner", "happened_on", "author", "updated_at"]
    list_filter = ["partner__regional_manager"]
    search_fields = ["partner__name", "body"]
    date_hierarchy = "happened_on"
    list_select_related = ["partner", "author"]
    raw_id_fields = ["partner", "author"]
