"""The program office's review pages, under /manage/applications/.

Program admins and regional managers enter; a regional manager sees only the applications
of the regions they review (selectors.applications_reviewable_by). Everyone else signed in
gets 404, like an application outside one's scope; anonymous visitors are sent to sign in.
Decisions, reviewer assignments and partner activation are for program admins only.

Every write is one service call; a service's refusal is shown beside its form.
"""

import csv
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from core.spreadsheets import csv_response, spreadsheet_safe
from geography.models import Region
from partners.models import Partner

from ..filters import QUEUE_STATUSES, ApplicationQueueFilterSet
from ..forms.review import (
    DECISION_VERBS,
    NOT_ALLOWED,
    REVIEW_MOVES,
    AssignReviewerForm,
    DecisionForm,
    MoveForm,
    ScoreForm,
    add_service_error,
)
from ..models import (
    DECISIONS,
    REVIEWABLE,
    Application,
    Review,
    Rubric,
    Score,
    Status,
)
from ..selectors import (
    ReviewSummary,
    application_timeline,
    applications_reviewable_by,
    review_summaries,
    review_summary,
    weighted_total,
)
from ..services import (
    application_decide,
    application_transition,
    applications_decide_bulk,
    decision_email_default,
    decision_email_render,
    partner_activate,
    review_save,
    reviewer_assign,
)

QUEUE_PAGE_SIZE = 25
DECISION_SESSION_KEY = "review-decision-{pk}"
BULK_SESSION_KEY = "review-bulk-results"

# --- Who may enter ----------------------------------------------------------------------------


def _is_reviewer(user) -> bool:
    return user.is_authenticated and (user.is_program_admin or user.is_regional_manager)


def _entry(allowed: Callable[[User], bool]):
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


reviewer_required = _entry(_is_reviewer)
admin_required = _entry(lambda user: user.is_program_admin)


def _queue_scope(user: User) -> QuerySet[Application]:
    """What the user may open here: the applications they review, never a draft."""
    return applications_reviewable_by(user).exclude(status=Status.DRAFT)


def _get(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        _queue_scope(request.user).select_related(
            "state", "zip_code", "term_sheet", "partner", "region"
        ),
        pk=pk,
    )


# --- Review numbers for many applications -------------------------------------------------

# Each review's weighted total (see selectors.weighted_total), then their mean per
# application, in SQL: only for sorting the queue. The numbers shown come from
# `review_summaries`, which rounds exactly as selectors.review_summary does.
_REVIEW_TOTAL = (
    Score.objects.filter(review=OuterRef("pk"))
    .order_by()
    .values("review")
    .annotate(
        total=Sum(F("value") * F("criterion__weight"), output_field=DecimalField())
        / Sum("criterion__weight")
    )
    .values("total")
)
_MEAN_SCORE = (
    Review.objects.filter(application=OuterRef("pk"))
    .order_by()
    .annotate(total=Subquery(_REVIEW_TOTAL))
    .values("application")
    .annotate(mean=Avg("total"))
    .values("mean")
)


_NO_REVIEWS = ReviewSummary(count=0, mean=None, median=None)


# --- The queue ------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> ApplicationQueueFilterSet:
    queryset = (
        _queue_scope(request.user)
        .select_related("state", "partner")
        .annotate(mean_score=Subquery(_MEAN_SCORE))
    )
    return ApplicationQueueFilterSet(request.GET, queryset=queryset, request=request)


@reviewer_required
def queue(request):
    filterset = _filtered(request)
    page = Paginator(filterset.qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    summaries = review_summaries(page)
    rows = [(application, summaries.get(application.pk, _NO_REVIEWS)) for application in page]

    # Counts per status among the applications the other filters select.
    others = request.GET.copy()
    for name in ("status", "page", "sort"):
        others.pop(name, None)
    base = ApplicationQueueFilterSet(others, queryset=_queue_scope(request.user), request=request)
    by_status = Counter(
        dict(base.qs.order_by().values_list("status").annotate(n=Count("pk", distinct=True)))
    )
    filtered = any(
        request.GET.get(name) for name in ("q", "status", "region", "state", "round", "reviewer")
    )
    return render(
        request,
        "applications/review/queue.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "filtered": filtered,
            "status_counts": [(value, label, by_status[value]) for value, label in QUEUE_STATUSES],
            "total": sum(by_status.values()),
            "current_status": request.GET.get("status", ""),
            "can_decide": request.user.is_program_admin,
            "decision_choices": [(value, DECISION_VERBS[value]) for value in DECISION_VERBS],
        },
    )


@reviewer_required
def export(request):
    """The filtered queue (every page of it) as CSV."""
    queryset = _filtered(request).qs
    applications = list(queryset)
    summaries = review_summaries(applications)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response = csv_response(f"applications-{stamp}.csv")
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "organization",
            "organization_type",
            "region",
            "state",
            "status",
            "submitted_at",
            "mean",
            "median",
            "review_count",
        ]
    )
    for application in applications:
        summary = summaries.get(application.pk, _NO_REVIEWS)
        submitted = application.submitted_at
        writer.writerow(
            [
                application.pk,
                spreadsheet_safe(application.legal_name),
                application.get_organization_type_display(),
                spreadsheet_safe(application.region.name if application.region_id else ""),
                application.state.code if application.state_id else "",
                application.get_status_display(),
                timezone.localtime(submitted).isoformat(timespec="seconds") if submitted else "",
                summary.mean if summary.mean is not None else "",
                summary.median if summary.median is not None else "",
                summary.count,
            ]
        )
    return response


# --- One application --------------------------------------------------------------------------


def _rubric_for(review: Review | None) -> Rubric | None:
    return review.rubric if review is not None else Rubric.objects.filter(is_active=True).first()


def _render_detail(request, application: Application, *, status: int = 200, **forms):
    user = request.user
    is_admin = user.is_program_admin
    reviews = list(
        application.reviews.select_related("reviewer", "rubric").prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("criterion"))
        )
    )
    for review in reviews:
        review.total = weighted_total((s.criterion.weight, s.value) for s in review.scores.all())
    mine = next((review for review in reviews if review.reviewer_id == user.pk), None)
    rubric = _rubric_for(mine)
    score_form = forms.get("score_form")
    # A refused form is shown with its errors even when scoring has closed meanwhile.
    can_score = score_form is not None or (application.status in REVIEWABLE and rubric is not None)
    if score_form is None and can_score:
        score_form = ScoreForm(rubric=rubric, review=mine)
    moves = [value for value in REVIEW_MOVES if application.can_move_to(value)]
    decisions = [value for value in DECISION_VERBS if application.can_move_to(value)]
    partner = application.partner
    budget_lines = list(application.budget_lines.all())
    context = {
        "application": application,
        "program_managers": list(application.program_managers.all()),
        "courses": list(application.courses.all()),
        "district_relationships": list(application.district_relationships.all()),
        "budget_lines": budget_lines,
        "budget_total": sum((line.amount for line in budget_lines), Decimal("0")),
        "references": list(application.references.all()),
        "commitments": [
            (Application._meta.get_field(name).verbose_name, getattr(application, name))
            for name in (
                "summits_sept_feb",
                "teacher_conference",
                "local_workshops_accredited",
                "community_building",
                "independent_funding",
                "metrics",
            )
        ],
        "timeline": list(application_timeline(application)),
        "summary": review_summary(application),
        "reviews": reviews,
        "my_review": mine,
        "rubric": rubric,
        "can_score": can_score,
        "reviewable": application.status in REVIEWABLE,
        "score_form": score_form,
        "is_admin": is_admin,
        "assignments": list(application.reviewer_assignments.select_related("reviewer")),
        "assign_form": forms.get("assign_form")
        or (AssignReviewerForm(application=application) if is_admin else None),
        "moves": [(value, Status(value).label) for value in moves],
        "move_form": forms.get("move_form") or MoveForm(),
        "decisions": [(value, DECISION_VERBS[value]) for value in decisions],
        "partner": partner,
        "activate_errors": forms.get("activate_errors", []),
    }
    return render(request, "applications/review/detail.html", context, status=status)


@reviewer_required
def detail(request, pk: int):
    return _render_detail(request, _get(request, pk))


def _back(application: Application, anchor: str = "") -> HttpResponse:
    url = reverse("review:detail", args=[application.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@reviewer_required
@require_POST
def score(request, pk: int):
    application = _get(request, pk)
    mine = Review.objects.filter(application=application, reviewer=request.user).first()
    rubric = _rubric_for(mine)
    if rubric is None:
        messages.error(request, "No rubric is active; a program admin must activate one.")
        return _back(application)
    form = ScoreForm(request.POST, rubric=rubric, review=mine)
    if form.is_valid():
        try:
            review = review_save(
                application=application,
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            total = review.weighted_total()
            said = f": weighted total {total} of {rubric.scale_max}" if total is not None else ""
            messages.success(request, f"Your review is saved{said}.")
            return _back(application, "review")
    return _render_detail(request, application, score_form=form)


@admin_required
@require_POST
def assign(request, pk: int):
    application = _get(request, pk)
    form = AssignReviewerForm(request.POST, application=application)
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            reviewer_assign(application=application, reviewer=reviewer, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{reviewer} is asked to review this application.")
            return _back(application, "reviewers")
    return _render_detail(request, application, assign_form=form)


@reviewer_required
@require_POST
def move(request, pk: int):
    application = _get(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        to_status = form.cleaned_data["to_status"]
        try:
            application_transition(
                application=application,
                user=request.user,
                to_status=to_status,
                note=form.cleaned_data["note"],
                is_internal=not form.cleaned_data["share_with_applicant"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"The application is now {Status(to_status).label.lower()}.")
            return _back(application, "timeline")
    return _render_detail(request, application, move_form=form)


@admin_required
@require_POST
def activate(request, pk: int):
    application = _get(request, pk)
    if application.partner is None:
        return _render_detail(
            request, application, activate_errors=["This application has no partner yet."]
        )
    try:
        partner = partner_activate(partner=application.partner, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        errors = getattr(error, "messages", None) or [str(error) or NOT_ALLOWED]
        return _render_detail(request, application, activate_errors=errors)
    messages.success(
        request, f"{partner.name} is active: its regions are now served by it on the map."
    )
    return _back(application, "partner")


# --- Decisions --------------------------------------------------------------------------------


def _emails_for(application: Application) -> dict[str, tuple[str, str]]:
    return {decision: decision_email_default(application, decision) for decision in DECISIONS}


def _email_templates() -> dict[str, tuple[str, str]]:
    """Each decision's default email with its {organization} and {region} placeholders kept.

    decision_email_default fills the placeholders from an application; one whose names are
    the placeholders themselves leaves them in place.
    """
    stand_in = Application(legal_name="{organization}", region=Region(pk=-1, name="{region}"))
    return {decision: decision_email_default(stand_in, decision) for decision in DECISIONS}


def _emails_json(emails: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {decision: {"subject": s, "body": b} for decision, (s, b) in emails.items()}


def _decision_initial(decision: str, emails: dict[str, tuple[str, str]], reason: str = ""):
    initial = {"decision": decision, "reason": reason}
    if decision in emails:
        initial["email_subject"], initial["email_body"] = emails[decision]
    return initial


@admin_required
def decide(request, pk: int):
    """Decide one application: reason and the email, pre-filled for the decision chosen."""
    application = _get(request, pk)
    emails = _emails_for(application)
    allowed = [value for value in DECISION_VERBS if application.can_move_to(value)]
    if request.method == "POST" and "load_email" not in request.POST:
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                partner = application_decide(
                    application=application,
                    user=request.user,
                    decision=data["decision"],
                    reason=data["reason"],
                    email_subject=data["email_subject"],
                    email_body=data["email_body"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                request.session[DECISION_SESSION_KEY.format(pk=application.pk)] = {
                    "decision": data["decision"],
                    "reason": data["reason"],
                    "to": application.applicant.email,
                    "subject": decision_email_render(application, data["email_subject"]),
                    "body": decision_email_render(application, data["email_body"]),
                    "partner": partner.pk if partner else None,
                }
                return redirect("review:decided", pk=application.pk)
    else:
        # Without JavaScript, "Use this decision's email" posts the form back to load it.
        source = request.POST if request.method == "POST" else request.GET
        decision = source.get("decision") or (allowed[0] if allowed else "")
        form = DecisionForm(initial=_decision_initial(decision, emails, source.get("reason", "")))
    return render(
        request,
        "applications/review/decide.html",
        {
            "application": application,
            "form": form,
            "allowed": allowed,
            "emails": _emails_json(emails),
            "summary": review_summary(application),
        },
    )


@admin_required
def decided(request, pk: int):
    """The confirmation of a decision just made: what was decided and the email that went."""
    application = _get(request, pk)
    sent = request.session.get(DECISION_SESSION_KEY.format(pk=application.pk))
    if sent is None:
        return _back(application)
    return render(
        request,
        "applications/review/decided.html",
        {
            "application": application,
            "sent": sent,
            "decision_label": Status(sent["decision"]).label,
            "partner": application.partner,
        },
    )


def _selected(request, ids: list[str]) -> list[Application]:
    """The selected applications, in the order given; any id out of scope is a 404."""
    # Digits only, and within a database id's range (a longer number fails in the query).
    if not all(value.isdigit() and int(value) < 2**63 for value in ids):
        raise Http404("No such application.")
    wanted = list(dict.fromkeys(int(value) for value in ids))
    found = _queue_scope(request.user).select_related("region").in_bulk(wanted)
    if len(found) != len(wanted):
        raise Http404("No such application.")
    return [found[pk] for pk in wanted]


@admin_required
def decide_bulk(request):
    """Decide many: one decision, one reason and one email template for the selected ones."""
    source = request.POST if request.method == "POST" else request.GET
    applications = _selected(request, source.getlist("ids"))
    if not applications:
        messages.error(request, "Select the applications to decide first.")
        return redirect("review:queue")
    templates = _email_templates()
    if request.method == "POST" and "load_email" not in request.POST:
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            results = applications_decide_bulk(
                applications=applications,
                user=request.user,
                decision=data["decision"],
                reason=data["reason"],
                email_subject=data["email_subject"],
                email_body=data["email_body"],
            )
            request.session[BULK_SESSION_KEY] = {
                "decision": data["decision"],
                "reason": data["reason"],
                "subject": data["email_subject"],
                "body": data["email_body"],
                "results": [
                    {
                        "id": result.application.pk,
                        "name": str(result.application),
                        "ok": result.ok,
                        "error": result.error,
                        "partner": result.partner.pk if result.partner else None,
                    }
                    for result in results
                ],
            }
            return redirect("review:decided_bulk")
    else:
        initial = _decision_initial(source.get("decision", ""), templates, source.get("reason", ""))
        form = DecisionForm(initial=initial)
    return render(
        request,
        "applications/review/decide_bulk.html",
        {
            "applications": applications,
            "form": form,
            "emails": _emails_json(templates),
            "hidden_ids": [application.pk for application in applications],
        },
    )


@admin_required
def decided_bulk(request):
    sent = request.session.get(BULK_SESSION_KEY)
    if sent is None:
        return redirect("review:queue")
    partners = Partner.objects.in_bulk([r["partner"] for r in sent["results"] if r["partner"]])
    results = [{**result, "partner": partners.get(result["partner"])} for result in sent["results"]]
    return render(
        request,
        "applications/review/decided_bulk.html",
        {
            "sent": sent,
            "results": results,
            "decision_label": Status(sent["decision"]).label,
            "ok_count": sum(1 for result in results if result["ok"]),
        },
    )
