"""The partner's funding pages, at /manage/partners/<slug>/funding/.

The year's award (awarded, disbursed, spent, remaining per line, with over-spending flagged),
spending reports with their lines and receipts, independent funding, the sustainability share
across years, and cost per teacher beside the program's. Program managers of the partner and
program admins change things; regional managers read; anyone else gets 404 (the workspace
frame decides, `partners.workspace.workspace_view`).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.program_years import program_year_choices, program_year_for, program_year_start
from partners.models import Partner
from partners.workspace import Workspace, workspace_view

from . import selectors_spending as selectors
from . import services_spending as services
from .forms_spending import (
    IndependentFundingForm,
    ReceiptForm,
    SpendingLineForm,
    SpendingReportForm,
    SubmitForm,
    YearForm,
    report_period_initial,
)
from .models import FundingAward, IndependentFunding, Receipt, SpendingLine, SpendingReport

SECTION = "funding"
READ = ["GET", "HEAD"]
WRITE = ["GET", "HEAD", "POST"]


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Overview -------------------------------------------------------------------------------


def _chart(shares: list[selectors.YearShare]) -> dict:
    return {
        "labels": [row.program_year for row in shares],
        "datasets": [
            {
                "label": "Sustainability share (%)",
                "data": [None if row.share is None else str(row.share) for row in shares],
            }
        ],
    }


@require_http_methods(READ)
@workspace_view(SECTION)
def overview(request, ws: Workspace):
    """The partner's funding for a program year, and its path to sustainability."""
    today = timezone.localdate()
    shares = selectors.sustainability(ws.partner)
    years = {value for value, _ in program_year_choices(today, before=3, after=1)}
    years |= {row.program_year for row in shares}
    years = sorted(years, key=program_year_start, reverse=True)
    # An empty or missing year is this year's page, not an error.
    year_form = YearForm(request.GET if request.GET.get("year") else None, years=years)
    year = program_year_for(today)
    if year_form.is_bound and year_form.is_valid():
        year = year_form.cleaned_data["year"]
    elif not year_form.is_bound:
        year_form = YearForm(initial={"year": year}, years=years)

    award = selectors.partner_award(ws.partner, year)
    costs = selectors.cost_per_teacher([ws.partner.pk], year)
    program = selectors.cost_per_teacher(None, year, workshops=False)
    comparison = None
    if ws.is_office:
        comparison = selectors.cost_comparison(Partner.objects.visible_to(request.user), year)
    context = {
        "ws": ws,
        "year": year,
        "year_form": year_form,
        "award": award,
        "summary": selectors.award_summary(award) if award else None,
        "reports": list(selectors.spending_reports_for(ws.partner, year)),
        "independent": list(selectors.independent_funding_for(ws.partner, year)),
        "shares": shares,
        "chart": _chart(shares),
        "costs": costs,
        "partner_cost": costs.partners.get(ws.partner.pk, selectors.Cost()),
        "partner_courses": [
            (name, cost, program.courses.get(course_id, selectors.Cost()))
            for course_id, name, cost in costs.courses_of(ws.partner.pk)
        ],
        "program": program,
        "comparison": comparison,
    }
    return render(request, "funding/partner/overview.html", context)


# --- Spending reports -----------------------------------------------------------------------


def _report(ws: Workspace, pk: int) -> SpendingReport:
    return get_object_or_404(
        SpendingReport.objects.filter(award__partner=ws.partner).select_related(
            "award__partner", "created_by"
        ),
        pk=pk,
    )


def _line(report: SpendingReport, line_pk: int) -> SpendingLine:
    line = get_object_or_404(
        SpendingLine.objects.filter(report=report).select_related("workshop"), pk=line_pk
    )
    line.report = report
    return line


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def report_create(request, ws: Workspace):
    """Open a draft spending report on one of the partner's approved awards."""
    today = timezone.localdate()
    current = FundingAward.objects.filter(
        partner=ws.partner,
        program_year=program_year_for(today),
        status=FundingAward.Status.APPROVED,
    ).first()
    form = SpendingReportForm(
        request.POST or None, partner=ws.partner, initial=report_period_initial(current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.spending_report_create(
                award=form.cleaned_data["award"],
                user=request.user,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The report is open: add what was spent, then submit it.")
            return redirect("partner_funding:report", ws.partner.slug, report.pk)
    has_award = form.fields["award"].queryset.exists()
    return render(
        request,
        "funding/partner/report_create.html",
        {"ws": ws, "form": form, "has_award": has_award},
    )


def _report_page(
    request,
    ws: Workspace,
    report: SpendingReport,
    *,
    line_form: SpendingLineForm | None = None,
    receipt_error: tuple[int, ReceiptForm] | None = None,
):
    editable = ws.can_edit and report.status == SpendingReport.Status.DRAFT
    lines = list(selectors.report_lines(report))
    rows = []
    for line in lines:
        receipt_form = None
        if editable:
            receipt_form = ReceiptForm(line_pk=line.pk)
            if receipt_error and receipt_error[0] == line.pk:
                receipt_form = receipt_error[1]
        rows.append((line, receipt_form))
    if editable and line_form is None:
        line_form = SpendingLineForm(report=report, initial={"spent_on": report.period_start})
    spending = selectors.award_line_spending(
        report.award,
        including=report if report.status == SpendingReport.Status.DRAFT else None,
    )
    context = {
        "ws": ws,
        "report": report,
        "rows": rows,
        "total": sum((line.amount for line in lines), selectors.ZERO),
        "spending": spending,
        "over": [row for row in spending if row.is_over],
        "editable": editable,
        "line_form": line_form if editable else None,
    }
    return render(request, "funding/partner/report.html", context)


@require_http_methods(READ)
@workspace_view(SECTION)
def report_detail(request, ws: Workspace, pk: int):
    """A spending report: its lines and receipts; while a draft, forms to change it."""
    return _report_page(request, ws, _report(ws, pk))


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def line_add(request, ws: Workspace, pk: int):
    report = _report(ws, pk)
    if request.method != "POST":
        return redirect("partner_funding:report", ws.partner.slug, report.pk)
    form = SpendingLineForm(request.POST, report=report)
    if form.is_valid():
        try:
            services.spending_line_add(report=report, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The line is added to the report.")
            return redirect("partner_funding:report", ws.partner.slug, report.pk)
    return _report_page(request, ws, report, line_form=form)


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def line_edit(request, ws: Workspace, pk: int, line_pk: int):
    report = _report(ws, pk)
    line = _line(report, line_pk)
    initial = {
        "category": line.category,
        "workshop": line.workshop,
        "spent_on": line.spent_on,
        "description": line.description,
        "amount": line.amount,
    }
    form = SpendingLineForm(request.POST or None, report=report, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.spending_line_update(line=line, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The line is saved.")
            return redirect("partner_funding:report", ws.partner.slug, report.pk)
    return render(
        request,
        "funding/partner/line_edit.html",
        {"ws": ws, "report": report, "line": line, "form": form},
    )


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def line_delete(request, ws: Workspace, pk: int, line_pk: int):
    report = _report(ws, pk)
    line = _line(report, line_pk)
    if request.method == "POST":
        try:
            services.spending_line_delete(line=line, user=request.user)
        except ValidationError as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(request, "The line is removed from the report.")
        return redirect("partner_funding:report", ws.partner.slug, report.pk)
    return render(
        request, "funding/partner/line_delete.html", {"ws": ws, "report": report, "line": line}
    )


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def report_submit(request, ws: Workspace, pk: int):
    """Confirm and submit: with a required explanation when a line is over its award."""
    report = _report(ws, pk)
    if report.status != SpendingReport.Status.DRAFT:
        messages.info(request, "This report is already submitted.")
        return redirect("partner_funding:report", ws.partner.slug, report.pk)
    spending = selectors.award_line_spending(report.award, including=report)
    over = [row for row in spending if row.is_over]
    form = SubmitForm(request.POST or None, explain=bool(over), initial={"note": report.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.spending_report_submit(
                report=report, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The report is submitted to the program office.")
            return redirect("partner_funding:report", ws.partner.slug, report.pk)
    context = {
        "ws": ws,
        "report": report,
        "form": form,
        "spending": spending,
        "over": over,
        "line_count": report.lines.count(),
    }
    return render(request, "funding/partner/report_submit.html", context)


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def report_delete(request, ws: Workspace, pk: int):
    report = _report(ws, pk)
    if request.method == "POST":
        try:
            services.spending_report_delete(report=report, user=request.user)
        except ValidationError as error:
            messages.error(request, _refusal(error))
            return redirect("partner_funding:report", ws.partner.slug, report.pk)
        messages.success(request, "The draft report is deleted.")
        return redirect(
            f"{_overview_url(ws)}?year={report.award.program_year}",
        )
    return render(request, "funding/partner/report_delete.html", {"ws": ws, "report": report})


def _overview_url(ws: Workspace) -> str:
    return reverse("partner_funding:overview", args=[ws.partner.slug])


# --- Receipts -------------------------------------------------------------------------------


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def receipt_add(request, ws: Workspace, pk: int, line_pk: int):
    report = _report(ws, pk)
    line = _line(report, line_pk)
    if request.method != "POST":
        return redirect("partner_funding:report", ws.partner.slug, report.pk)
    form = ReceiptForm(request.POST, request.FILES, line_pk=line.pk)
    if form.is_valid():
        try:
            services.receipt_add(
                line=line, user=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The receipt is attached.")
            return redirect("partner_funding:report", ws.partner.slug, report.pk)
    return _report_page(request, ws, report, receipt_error=(line.pk, form))


def _receipt(report: SpendingReport, line_pk: int, receipt_pk: int) -> Receipt:
    return get_object_or_404(
        Receipt.objects.filter(line__report=report, line_id=line_pk), pk=receipt_pk
    )


@require_http_methods(READ)
@workspace_view(SECTION)
def receipt_download(request, ws: Workspace, pk: int, line_pk: int, receipt_pk: int):
    """Stream a receipt to someone in the partner's scope, always as a download."""
    receipt = _receipt(_report(ws, pk), line_pk, receipt_pk)
    try:
        handle = receipt.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The receipt's file is missing.") from None
    # A download, never shown in the browser (a PDF can carry script too), typed as stored
    # after the content check, and not guessed at again by the browser.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=receipt.original_name,
        content_type=receipt.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def receipt_delete(request, ws: Workspace, pk: int, line_pk: int, receipt_pk: int):
    report = _report(ws, pk)
    receipt = _receipt(report, line_pk, receipt_pk)
    if request.method == "POST":
        try:
            services.receipt_delete(receipt=receipt, user=request.user)
        except ValidationError as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(request, "The receipt is removed.")
        return redirect("partner_funding:report", ws.partner.slug, report.pk)
    return render(
        request,
        "funding/partner/receipt_delete.html",
        {"ws": ws, "report": report, "receipt": receipt},
    )


# --- Independent funding --------------------------------------------------------------------


def _funding(ws: Workspace, pk: int) -> IndependentFunding:
    return get_object_or_404(IndependentFunding.objects.filter(partner=ws.partner), pk=pk)


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def independent_add(request, ws: Workspace):
    """Record an independent funding source of the partner."""
    today = timezone.localdate()
    year = request.GET.get("year") or program_year_for(today)
    form = IndependentFundingForm(request.POST or None, today=today, initial={"program_year": year})
    if request.method == "POST" and form.is_valid():
        try:
            funding = services.independent_funding_add(
                partner=ws.partner, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{funding.source} is recorded.")
            return redirect(f"{_overview_url(ws)}?year={funding.program_year}")
    return render(
        request, "funding/partner/independent_form.html", {"ws": ws, "form": form, "funding": None}
    )


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def independent_edit(request, ws: Workspace, pk: int):
    funding = _funding(ws, pk)
    initial = {
        "program_year": funding.program_year,
        "kind": funding.kind,
        "source": funding.source,
        "amount": funding.amount,
        "note": funding.note,
    }
    form = IndependentFundingForm(request.POST or None, today=timezone.localdate(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.independent_funding_update(
                funding=funding, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{funding.source} is saved.")
            return redirect(f"{_overview_url(ws)}?year={funding.program_year}")
    return render(
        request,
        "funding/partner/independent_form.html",
        {"ws": ws, "form": form, "funding": funding},
    )


@require_http_methods(WRITE)
@workspace_view(SECTION, edit=True)
def independent_delete(request, ws: Workspace, pk: int):
    funding = _funding(ws, pk)
    if request.method == "POST":
        try:
            services.independent_funding_delete(funding=funding, user=request.user)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, f"{funding.source} is removed.")
        return redirect(f"{_overview_url(ws)}?year={funding.program_year}")
    return render(
        request, "funding/partner/independent_delete.html", {"ws": ws, "funding": funding}
    )
