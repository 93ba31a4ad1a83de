"""The program office's funding pages at /manage/funding/: the overview of all partners for a
year (with CSV and XLSX), and an award's page with its lines, workflow, payments and history.

Scope: the overview is for program admins (all partners) and regional managers (theirs). An
award page is readable by whoever sees the partner; writes go to the partner's program
managers (requested side) and program admins. Anything else is 404, like a missing page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from partners.models import Partner

from . import services_awards as services
from .exports import overview_response
from .filters import OverviewFilterSet
from .forms_awards import AwardCreateForm, AwardLinesForm, DisbursementForm, ReasonForm
from .models import Disbursement, FundingAward
from .selectors_awards import (
    award_for_page,
    award_history,
    award_totals,
    can_see_overview,
    funding_overview,
    lines_by_category,
    overview_partners,
)

Status = FundingAward.Status


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal onto the form: next to the field when it names one."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- The overview ----------------------------------------------------------------------------


@login_required
def overview(request):
    if not can_see_overview(request.user):
        raise Http404
    filterset = OverviewFilterSet(request.GET, queryset=overview_partners(request.user))
    partners = filterset.qs if filterset.is_valid() else filterset.queryset
    data = funding_overview(user=request.user, program_year=filterset.year, partners=partners)
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        return overview_response(data, file_format)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "funding/awards/overview.html",
        {
            "filter": filterset,
            "overview": data,
            "query": query.urlencode(),
            "can_create": request.user.is_program_admin,
        },
    )


# --- Awards ----------------------------------------------------------------------------------


def _award_or_404(request, pk) -> FundingAward:
    award = award_for_page(request.user, pk)
    if award is None:
        raise Http404
    return award


def _managed_or_404(request, pk) -> FundingAward:
    """The award for a write by its partner's program managers or admins; 404 for others."""
    award = _award_or_404(request, pk)
    if not services.can_manage_award(request.user, award):
        raise Http404
    return award


def _admin_award_or_404(request, pk) -> FundingAward:
    if not request.user.is_program_admin:
        raise Http404
    return _award_or_404(request, pk)


def _award_context(request, award: FundingAward, **forms) -> dict:
    user = request.user
    lines_form = forms.get("lines_form") or AwardLinesForm(award=award, user=user)
    disbursement_form = forms.get("disbursement_form")
    if disbursement_form is None and user.is_program_admin and award.status == Status.APPROVED:
        disbursement_form = DisbursementForm()
    manager = services.can_manage_award(user, award)
    admin = user.is_program_admin
    totals = award_totals(award)
    return {
        "award": award,
        "lines": lines_by_category(award),
        "lines_form": lines_form if lines_form.has_fields else None,
        "totals": totals,
        "disbursements": list(award.disbursements.all()),
        "disbursement_form": disbursement_form,
        "history": award_history(award),
        "can_propose": manager and award.status == Status.DRAFT,
        "can_approve": admin and award.status == Status.PROPOSED,
        "can_return": admin and award.status in (Status.PROPOSED, Status.APPROVED),
        "can_close": admin and award.status == Status.APPROVED,
        "can_delete_payments": admin and award.status != Status.CLOSED,
    }


@login_required
def award_detail(request, pk: int):
    award = _award_or_404(request, pk)
    return render(request, "funding/awards/award.html", _award_context(request, award))


@login_required
@require_http_methods(["GET", "POST"])
def award_new(request):
    if not request.user.is_program_admin:
        raise Http404
    form = AwardCreateForm(request.POST or None, initial=_partner_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            award = services.award_create(
                partner=form.cleaned_data["partner"],
                program_year=form.cleaned_data["program_year"],
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Award opened for {award.partner} {award.program_year}.")
            return redirect("funding:award", pk=award.pk)
    return render(request, "funding/awards/award_new.html", {"form": form})


def _partner_initial(request) -> dict:
    partner = request.GET.get("partner", "")
    if partner.isdigit() and Partner.objects.filter(pk=partner).exists():
        return {"partner": partner}
    return {}


@login_required
@require_POST
def award_lines(request, pk: int):
    award = _managed_or_404(request, pk)
    form = AwardLinesForm(request.POST, award=award, user=request.user)
    if not form.has_fields:
        messages.error(request, "This award's amounts cannot be changed any more.")
        return redirect("funding:award", pk=award.pk)
    if form.is_valid():
        try:
            services.award_lines_update(award=award, user=request.user, **form.service_kwargs())
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The amounts are saved.")
            return redirect("funding:award", pk=award.pk)
    award = _award_or_404(request, pk)  # fresh lines for the amounts shown as text
    return render(
        request,
        "funding/awards/award.html",
        _award_context(request, award, lines_form=form),
        status=400,
    )


# --- Workflow: each a confirmation page (GET) and the move (POST) ----------------------------

ACTIONS = {
    "propose": {
        "title": "Propose this award",
        "explain": "The program office reviews the requested amounts and sets what is awarded. "
        "Requested amounts can no longer be changed.",
        "button": "Propose the award",
        "reason": False,
    },
    "approve": {
        "title": "Approve this award",
        "explain": "The awarded amounts become final and payments can be recorded.",
        "button": "Approve the award",
        "reason": False,
    },
    "return": {
        "title": "Return this award to draft",
        "explain": "The partner's program managers can change the request again.",
        "button": "Return to draft",
        "reason": True,
    },
    "close": {
        "title": "Close this award",
        "explain": "The year's funding is done: no more payments can be recorded or deleted.",
        "button": "Close the award",
        "reason": False,
    },
}


def _perform(action: str, award: FundingAward, user, reason: str) -> FundingAward:
    if action == "propose":
        return services.award_propose(award=award, user=user)
    if action == "approve":
        return services.award_approve(award=award, user=user)
    if action == "return":
        return services.award_return_to_draft(award=award, user=user, reason=reason)
    return services.award_close(award=award, user=user)


DONE = {
    "propose": "The award is proposed.",
    "approve": "The award is approved.",
    "return": "The award is back in draft.",
    "close": "The award is closed.",
}


def _workflow(request, pk: int, action: str):
    if action == "propose":
        award = _managed_or_404(request, pk)
    else:
        award = _admin_award_or_404(request, pk)
    spec = ACTIONS[action]
    form = ReasonForm(request.POST or None) if spec["reason"] else None
    if request.method == "POST" and (form is None or form.is_valid()):
        reason = form.cleaned_data["reason"] if form else ""
        try:
            _perform(action, award, request.user, reason)
        except ValidationError as error:
            if form is not None and hasattr(error, "error_dict") and "reason" in error.error_dict:
                _add_errors(form, error)
            else:
                # A stale page (someone moved the award meanwhile) or a line without an
                # awarded amount: say so on the award page, where it can be fixed.
                for message in error.messages:
                    messages.error(request, message)
                return redirect("funding:award", pk=award.pk)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("funding:award", pk=award.pk)
        else:
            messages.success(request, DONE[action])
            return redirect("funding:award", pk=award.pk)
    return render(
        request,
        "funding/awards/award_confirm.html",
        {
            "award": award,
            "spec": spec,
            "form": form,
            "totals": award_totals(award),
            "action_url": reverse(f"funding:award_{action}", args=[award.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def award_propose(request, pk: int):
    return _workflow(request, pk, "propose")


@login_required
@require_http_methods(["GET", "POST"])
def award_approve(request, pk: int):
    return _workflow(request, pk, "approve")


@login_required
@require_http_methods(["GET", "POST"])
def award_return(request, pk: int):
    return _workflow(request, pk, "return")


@login_required
@require_http_methods(["GET", "POST"])
def award_close(request, pk: int):
    return _workflow(request, pk, "close")


# --- Disbursements ---------------------------------------------------------------------------


@login_required
@require_POST
def disbursement_new(request, pk: int):
    award = _admin_award_or_404(request, pk)
    form = DisbursementForm(request.POST)
    if form.is_valid():
        try:
            services.disbursement_create(award=award, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The payment is recorded.")
            return redirect("funding:award", pk=award.pk)
    award = _award_or_404(request, pk)
    return render(
        request,
        "funding/awards/award.html",
        _award_context(request, award, disbursement_form=form),
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def disbursement_delete(request, pk: int, disbursement_pk: int):
    award = _admin_award_or_404(request, pk)
    disbursement = get_object_or_404(Disbursement, pk=disbursement_pk, award=award)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.disbursement_delete(
                disbursement=disbursement, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                _add_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("funding:award", pk=award.pk)
        else:
            messages.success(request, "The payment is deleted.")
            return redirect("funding:award", pk=award.pk)
    return render(
        request,
        "funding/awards/disbursement_delete.html",
        {"award": award, "disbursement": disbursement, "form": form},
    )
