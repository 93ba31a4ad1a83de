"""Program admins configure rubrics, rounds, windows and reviewers here for now.

Applications are read-mostly in the admin: their status moves only through the services
(which keep the timeline), so status and the submission fields are read-only.
"""

from django.contrib import admin

from .models import (
    Application,
    ApplicationEvent,
    ApplicationProgramManager,
    ApplicationRound,
    BudgetRequestLine,
    Criterion,
    DistrictRelationship,
    Invitation,
    Reference,
    RegionReviewer,
    RegionWaitlist,
    RegionWindow,
    Review,
    ReviewerAssignment,
    Rubric,
    Score,
)


class RegionWindowInline(admin.TabularInline):
    model = RegionWindow
    extra = 1
    autocomplete_fields = ["region"]


@admin.register(ApplicationRound)
class ApplicationRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "opens_at", "closes_at"]
    search_fields = ["name"]
    inlines = [RegionWindowInline]


@admin.register(RegionWindow)
class RegionWindowAdmin(admin.ModelAdmin):
    list_display = ["region", "round", "opens_at", "closes_at"]
    list_filter = ["round"]
    list_select_related = ["region", "round"]
    autocomplete_fields = ["region"]


@admin.register(RegionReviewer)
class RegionReviewerAdmin(admin.ModelAdmin):
    list_display = ["region", "user"]
    list_select_related = ["region", "user"]
    autocomplete_fields = ["region"]
    raw_id_fields = ["user"]


@admin.register(RegionWaitlist)
class RegionWaitlistAdmin(admin.ModelAdmin):
    list_display = ["region", "organization_name", "user", "created_at"]
    list_select_related = ["region", "user"]
    raw_id_fields = ["user", "application"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "scale_max"]
    inlines = [CriterionInline]


class ProgramManagerInline(admin.TabularInline):
    model = ApplicationProgramManager
    extra = 0


class DistrictInline(admin.TabularInline):
    model = DistrictRelationship
    extra = 0


class BudgetInline(admin.TabularInline):
    model = BudgetRequestLine
    extra = 0


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "note", "is_internal"]

    def has_add_permission(self, request, obj=None):
        return False


class ReviewerAssignmentInline(admin.TabularInline):
    model = ReviewerAssignment
    extra = 0
    raw_id_fields = ["reviewer"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "region", "status", "applicant", "submitted_at"]
    list_filter = ["status", "organization_type", "region"]
    search_fields = ["legal_name", "applicant__email", "tax_id"]
    list_select_related = ["region", "applicant"]
    raw_id_fields = ["applicant", "zip_code", "partner"]
    readonly_fields = [
        "status",
        "term_sheet",
        "terms_accepted_at",
        "submitted_at",
        "decided_at",
        "partner",
    ]
    inlines = [
        ProgramManagerInline,
        DistrictInline,
        BudgetInline,
        ReferenceInline,
        ReviewerAssignmentInline,
        EventInline,
    ]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "rubric", "updated_at"]
    list_select_related = ["application", "reviewer", "rubric"]
    raw_id_fields = ["application", "reviewer"]
    inlines = [ScoreInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partner", "fte_share", "created_at", "accepted_at"]
    list_select_related = ["partner"]
    readonly_fields = ["token", "accepted_at", "accepted_by"]
    raw_id_fields = ["partner"]
