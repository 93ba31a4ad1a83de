from django.contrib import admin

from .models import (
    AwardLine,
    Disbursement,
    FundingAward,
    IndependentFunding,
    Receipt,
    SpendingLine,
    SpendingReport,
)


class AwardLineInline(admin.TabularInline):
    model = AwardLine
    extra = 0


class DisbursementInline(admin.TabularInline):
    """Payments are read here; record them on the award page (the ceiling is checked there)."""

    model = Disbursement
    extra = 0
    can_delete = False
    fields = ["paid_on", "amount", "reference", "note", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FundingAward)
class FundingAwardAdmin(admin.ModelAdmin):
    list_display = ["partner", "program_year", "status", "created_at"]
    list_filter = ["status", "program_year"]
    search_fields = ["partner__name"]
    list_select_related = ["partner"]
    raw_id_fields = ["partner", "created_from"]
    inlines = [AwardLineInline, DisbursementInline]


@admin.register(IndependentFunding)
class IndependentFundingAdmin(admin.ModelAdmin):
    list_display = ["partner", "program_year", "kind", "source", "amount"]
    list_filter = ["kind", "program_year"]
    search_fields = ["partner__name", "source"]
    list_select_related = ["partner"]
    raw_id_fields = ["partner", "created_by"]


class SpendingLineInline(admin.TabularInline):
    model = SpendingLine
    extra = 0
    raw_id_fields = ["workshop"]


@admin.register(SpendingReport)
class SpendingReportAdmin(admin.ModelAdmin):
    list_display = ["award", "period_start", "period_end", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["award__partner__name"]
    list_select_related = ["award__partner"]
    raw_id_fields = ["award", "created_by"]
    inlines = [SpendingLineInline]


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["original_name", "line", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["line", "uploaded_by"]
    list_select_related = ["line"]
