"""Program admins' raw view of survey questions and responses. The questions page
(/surveys/questions/) is the everyday place to manage questions; it goes through the services,
which keep an answered question's key and kind. Responses are read-only here: they are the
teachers' words."""

from django.contrib import admin

from .models import SurveyAnswer, SurveyQuestion, SurveyResponse


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "key", "course", "kind", "required", "order", "is_active"]
    list_filter = ["kind", "is_active", "required", "course"]
    list_editable = ["order", "is_active"]
    search_fields = ["text", "key"]
    list_select_related = ["course"]
    ordering = ["course__order", "course__name", "order", "pk"]

    def get_readonly_fields(self, request, obj=None):
        # Results compare answers by key; an answered question keeps its key, kind and course.
        if obj is not None and obj.answers.exists():
            return ["key", "kind", "course"]
        return []

    def has_delete_permission(self, request, obj=None):
        # Answers protect their question; deactivate instead.
        if obj is not None and obj.answers.exists():
            return False
        return super().has_delete_permission(request, obj)


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    extra = 0
    fields = ["question", "rating", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "submitted_at"]
    list_select_related = ["enrollment__teacher", "enrollment__workshop"]
    search_fields = ["enrollment__teacher__email", "enrollment__workshop__title"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["enrollment", "submitted_at"]
    inlines = [SurveyAnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
