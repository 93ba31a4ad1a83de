from django.contrib import admin

from .models import Partner, ProgramManager


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
