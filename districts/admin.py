from django.contrib import admin
from django.db.models import Count

from .models import District, DistrictCommitment, DistrictPartnership, School


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "nces_id", "state", "county", "city", "school_count", "is_demo"]
    list_filter = ["state", "is_demo"]
    search_fields = ["name", "nces_id", "city"]
    list_select_related = ["state", "county__state"]
    raw_id_fields = ["county", "zip_code"]
    readonly_fields = ["updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(school_count=Count("schools"))

    @admin.display(description="schools", ordering="school_count")
    def school_count(self, obj: District) -> int:
        return obj.school_count


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "nces_id",
        "district",
        "state",
        "grades",
        "enrollment",
        "frl_share",
        "urm_share",
        "locale",
        "is_active",
    ]
    list_filter = ["state", "locale", "is_active", "is_demo"]
    search_fields = ["name", "nces_id", "district__name", "district__nces_id", "city"]
    list_select_related = ["district", "state"]
    raw_id_fields = ["district", "county", "zip_code"]
    readonly_fields = ["updated_at"]

    @admin.display(description="grades", ordering="lowest_grade")
    def grades(self, obj: School) -> str:
        return obj.grade_span


class DistrictCommitmentInline(admin.TabularInline):
    model = DistrictCommitment
    extra = 0
    fields = ["program_year", "course", "teachers", "updated_at"]
    readonly_fields = ["updated_at"]
    ordering = ["-program_year", "course__order", "course__name"]


@admin.register(DistrictPartnership)
class DistrictPartnershipAdmin(admin.ModelAdmin):
    list_display = ["district", "partner", "since", "contact_name", "contact_email"]
    list_filter = ["partner"]
    search_fields = ["district__name", "district__nces_id", "partner__name", "contact_name"]
    list_select_related = ["district", "partner"]
    raw_id_fields = ["district", "created_by"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [DistrictCommitmentInline]
