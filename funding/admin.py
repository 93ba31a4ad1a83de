from django.contrib import admin

from .models import AwardLine, FundingAward


class AwardLineInline(admin.TabularInline):
    model = AwardLine
    extra = 0


@admin.register(FundingAward)
class FundingAwardAdmin(admin.ModelAdmin):
    list_display = ["partner", "program_year", "status", "created_at"]
    list_filter = ["status", "program_year"]
    search_fields = ["partner__name"]
    list_select_related = ["partner"]
    raw_id_fields = ["partner", "created_from"]
    inlines = [AwardLineInline]
