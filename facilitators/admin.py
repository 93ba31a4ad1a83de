from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone

from workshops.models import Course

from .models import Accreditation, AccreditationStatus, RosterMember


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ["facilitator", "course", "program_year", "status", "updated_by", "updated_at"]
    list_filter = ["program_year", "course", "status"]
    search_fields = ["facilitator__email", "facilitator__first_name", "facilitator__last_name"]
    list_select_related = ["facilitator", "course", "updated_by"]
    raw_id_fields = ["facilitator"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class _AccreditationFilter(admin.SimpleListFilter):
    """Roster members by their accreditations (any year unless the year filter is set)."""

    field: str

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        rows = Accreditation.objects.filter(facilitator=OuterRef("facilitator"))
        params = (("year", "program_year"), ("course", "course_id"), ("status", "status"))
        for param, field in params:
            value = request.GET.get(param)
            if value and (param != "course" or value.isdigit()):
                rows = rows.filter(**{field: value})
        return queryset.filter(Exists(rows))


class YearFilter(_AccreditationFilter):
    title = "accreditation year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Accreditation.objects.order_by("-program_year").values_list(
            "program_year", flat=True
        )
        return [(y, y) for y in dict.fromkeys(years)]


class CourseFilter(_AccreditationFilter):
    title = "accredited course"
    parameter_name = "course"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.name) for c in Course.objects.order_by("order", "name")]


class StatusFilter(_AccreditationFilter):
    title = "accreditation status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return AccreditationStatus.choices


@admin.register(RosterMember)
class RosterMemberAdmin(admin.ModelAdmin):
    list_display = ["facilitator", "partner", "since", "added_by"]
    list_filter = [YearFilter, CourseFilter, StatusFilter, "partner__status"]
    search_fields = ["facilitator__email", "facilitator__last_name", "partner__name"]
    list_select_related = ["facilitator", "partner", "added_by"]
    raw_id_fields = ["facilitator", "partner"]
    readonly_fields = ["added_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("since", timezone.localdate())
        return initial
