from django.contrib import admin

from .models import Course


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "grade_band", "is_active", "order"]
    list_filter = ["grade_band", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
