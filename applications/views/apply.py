"""The applicant's pages, under /educate/regional-partner/apply/.

An applicant starts a draft from the landing page (pages:apply), fills it in sections, one
page each, saving as they go, then reviews and submits it and follows its status. Only the
applicant who owns an application reaches it; anyone else's id answers 404, like a missing
one. Every write is one service call (applications.services); the rules live there.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from accounts.models import Role
from funding.models import BudgetCategory
from geography.models import Region
from geography.selectors import zip_lookup
from pages.models import TermSheet

from ..forms.apply import (
    CommitmentsForm,
    DistrictFormSetClass,
    NeedForm,
    OrganizationForm,
    PlansForm,
    ProgramManagerFormSetClass,
    ReferenceFormSetClass,
    RegionChoiceForm,
    TermsForm,
    WithdrawForm,
    ZipFindForm,
    add_service_errors,
    budget_field_name,
)
from ..models import COMMITMENTS, Application, RegionWaitlist, RegionWindow, Status
from ..selectors import (
    Problem,
    application_completeness,
    application_eligibility,
    application_submit_problems,
    application_timeline_for_applicant,
    applications_visible_to,
    region_is_open_for_applications,
)
from ..services import (
    application_create,
    application_save,
    application_submit,
    application_withdraw,
    waitlist_join,
)

# --- The sections --------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    # The `Problem.field`s (selectors) that belong to this section.
    fields: frozenset[str]
    intro: str = ""

    @property
    def template(self) -> str:
        return f"applications/apply/sections/{self.slug}.html"

    @property
    def answers_template(self) -> str:
        return f"applications/apply/answers/{self.slug}.html"


SECTIONS = (
    Section(
        "organization",
        "Your organization",
        frozenset(
            {
                "legal_name",
                "organization_type",
                "tax_id",
                "is_us_based",
                "street",
                "city",
                "state",
                "zip_code",
                "website",
            }
        ),
        "Who is applying: the organization that would become the Regional Partner.",
    ),
    Section(
        "region",
        "Region",
        frozenset({"region"}),
        "The region your organization would serve as its Regional Partner.",
    ),
    Section(
        "people",
        "People and districts",
        frozenset({"program_managers", "district_relationships"}),
        "Who would run the program, and the school districts you already work with.",
    ),
    Section(
        "plans",
        "Plans",
        frozenset(
            {"courses", "teachers_year1", "teachers_year2", "teachers_year3", "workshop_venues"}
        ),
        "What you would offer in your first three years.",
    ),
    Section(
        "commitments",
        "Commitments",
        frozenset(COMMITMENTS),
        "What the program asks of every Regional Partner.",
    ),
    Section(
        "need",
        "Need and budget",
        frozenset({"budget_lines", "budget", "need_justification", "current_funding_sources"}),
        "The funding you request for your first year, and why you need it.",
    ),
    Section(
        "references",
        "References",
        frozenset({"references"}),
        "Two people the program office may contact about your organization's work.",
    ),
    Section("terms", "Terms", frozenset({"accepts_terms"}), "The partnership's terms."),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
SECTION_OF_FIELD = {name: section for section in SECTIONS for name in section.fields}
# Where on its section's page a problem's field is (the id of its input or group).
ANCHORS = {
    "budget_lines": f"id_{budget_field_name(BudgetCategory.values[0])}",
    "program_managers": "program-managers",
    "district_relationships": "districts",
    "references": "references",
}


def _section_url(application: Application, section: Section) -> str:
    return reverse("apply:section", kwargs={"pk": application.pk, "section": section.slug})


@dataclass
class ProblemLink:
    message: str
    section: Section
    url: str


def _link(application: Application, problem: Problem) -> ProblemLink:
    section = SECTION_OF_FIELD.get(problem.field, SECTIONS[0])
    anchor = ANCHORS.get(problem.field, f"id_{problem.field}")
    return ProblemLink(problem.message, section, f"{_section_url(application, section)}#{anchor}")


# --- Reads used only here ------------------------------------------------------------------


def regions_open_for_applications() -> QuerySet[Region]:
    """Regions with status open and a window around now (selectors' definition, as a query)."""
    return (
        Region.objects.filter(status=Region.Status.OPEN)
        .filter(Exists(RegionWindow.objects.current().filter(region=OuterRef("pk"))))
        .order_by("name")
    )


def _own(user) -> QuerySet[Application]:
    """The user's own applications: the applicant's pages are for the applicant only."""
    return applications_visible_to(user).filter(applicant=user)


def _own_application(request: HttpRequest, pk: int) -> Application:
    """The application with everything its sections, progress and eligibility read."""
    return get_object_or_404(
        _own(request.user)
        .select_related("state", "zip_code__state", "term_sheet")
        .prefetch_related(
            "courses", "program_managers", "district_relationships", "budget_lines", "references"
        ),
        pk=pk,
    )


def landing_context(request: HttpRequest) -> dict:
    """What the landing page (pages:apply) needs to start or continue an application."""
    slug = request.GET.get("region", "")
    chosen = Region.objects.filter(slug=slug).first() if slug else None
    context: dict = {
        "chosen_region": chosen,
        "chosen_region_open": bool(chosen and region_is_open_for_applications(chosen)),
        "regions_open_now": set(regions_open_for_applications().values_list("pk", flat=True)),
    }
    user = request.user
    if user.is_authenticated:
        mine = list(_own(user))
        context.update(
            my_applications=mine,
            draft=next((application for application in mine if application.is_draft), None),
            can_start=user.role == Role.APPLICANT,
            role_label=Role(user.role).label.lower(),
        )
    return context


# --- The page around every section ---------------------------------------------------------


@dataclass
class ProgressItem:
    section: Section
    url: str
    complete: bool
    current: bool


@dataclass
class PageContext:
    progress: list[ProgressItem]
    eligibility: list[ProblemLink]
    waitlist_region: Region | None
    on_waitlist: bool
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        complete = sum(item.complete for item in self.progress)
        return {
            "progress": self.progress,
            "complete_count": complete,
            "section_count": len(self.progress),
            "eligibility": self.eligibility,
            "waitlist_region": self.waitlist_region,
            "on_waitlist": self.on_waitlist,
            **self.extra,
        }


def _page_context(application: Application, user, current: str) -> PageContext:
    missing = {problem.field for problem in application_completeness(application)}
    progress = [
        ProgressItem(
            section=section,
            url=_section_url(application, section),
            complete=not (section.fields & missing),
            current=section.slug == current,
        )
        for section in SECTIONS
    ]
    problems = application_eligibility(application)
    region = application.region
    # Served, onboarding, closed, or open without a window: the applicant may wait for it.
    waitlist_region = (
        region if region and any(problem.field == "region" for problem in problems) else None
    )
    on_waitlist = bool(
        waitlist_region
        and RegionWaitlist.objects.filter(region=waitlist_region, user=user).exists()
    )
    return PageContext(
        progress=progress,
        eligibility=[_link(application, problem) for problem in problems],
        waitlist_region=waitlist_region,
        on_waitlist=on_waitlist,
    )


def _answers(application: Application) -> dict:
    """What the read-only answers (after submit, and on the review page) show."""
    lines = {line.category: line.amount for line in application.budget_lines.all()}
    budget = [(label, lines.get(value)) for value, label in BudgetCategory.choices]
    return {
        "budget_rows": budget,
        "budget_total": sum(lines.values(), Decimal("0")) if lines else None,
        "commitment_rows": [
            (CommitmentsForm.Meta.labels[name], getattr(application, name)) for name in COMMITMENTS
        ],
        "terms": TermSheet.objects.current(),
    }


# --- Section forms -------------------------------------------------------------------------

# Each builder returns the section's forms, bound to `data` (None for a blank GET). Model forms
# get a copy of the application: validating writes the typed values onto their instance, and
# the page around the form must keep showing what is saved.
Builder = Callable[[Application, dict | None], dict]


def _organization(application, data):
    return {"form": OrganizationForm(data, instance=copy.copy(application))}


def _region(application, data):
    return {
        "form": RegionChoiceForm(
            data, regions=regions_open_for_applications(), initial={"region": application.region}
        )
    }


def _people(application, data):
    managers = [
        {"name": pm.name, "email": pm.email, "fte_share": pm.fte_share}
        for pm in application.program_managers.all()
    ]
    districts = [
        {"district_name": row.district_name, "relationship": row.relationship}
        for row in application.district_relationships.all()
    ]
    return {
        "managers": ProgramManagerFormSetClass(data, initial=managers, prefix="pm"),
        "districts": DistrictFormSetClass(data, initial=districts, prefix="district"),
    }


def _plans(application, data):
    return {"form": PlansForm(data, instance=copy.copy(application))}


def _commitments(application, data):
    return {"form": CommitmentsForm(data, instance=copy.copy(application))}


def _need(application, data):
    return {"form": NeedForm(data, instance=copy.copy(application))}


def _references(application, data):
    references = [
        {"name": r.name, "organization": r.organization, "email": r.email, "phone": r.phone}
        for r in application.references.all()
    ]
    return {"references": ReferenceFormSetClass(data, initial=references, prefix="ref")}


def _terms(application, data):
    terms = TermSheet.objects.current()
    return {"form": TermsForm(data, instance=copy.copy(application), terms=terms)}


BUILDERS: dict[str, Builder] = {
    "organization": _organization,
    "region": _region,
    "people": _people,
    "plans": _plans,
    "commitments": _commitments,
    "need": _need,
    "references": _references,
    "terms": _terms,
}
FORMSET_DATA = {
    "managers": "program_managers",
    "districts": "district_relationships",
    "references": "references",
}


def _service_data(forms: dict) -> dict:
    data: dict = {}
    for name, form in forms.items():
        if name in FORMSET_DATA:
            data[FORMSET_DATA[name]] = form.rows()
        else:
            data.update(form.service_data())
    return data


ROW_TITLES = {"managers": "Program manager", "districts": "District", "references": "Reference"}


@dataclass
class ErrorLink:
    label: str
    message: str
    anchor: str


def _error_summary(forms: dict) -> list[ErrorLink]:
    """Every error on the page, each linking to its field, for the summary at the top."""
    summary = []
    for name, form in forms.items():
        if name in FORMSET_DATA:
            title = {
                "managers": "Program manager",
                "districts": "District",
                "references": "Reference",
            }
            for error in form.non_form_errors():
                summary.append(ErrorLink(title[name] + "s", error, ANCHORS[FORMSET_DATA[name]]))
            for number, row in enumerate(form.forms, start=1):
                for bound in row.visible_fields():
                    for error in bound.errors:
                        label = f"{title[name]} {number}: {bound.label}"
                        summary.append(ErrorLink(label, error, bound.id_for_label))
            continue
        for error in form.non_field_errors():
            summary.append(ErrorLink("This page", error, "section-title"))
        for bound in form.visible_fields():
            for error in bound.errors:
                summary.append(ErrorLink(str(bound.label), error, bound.auto_id))
    return summary


# --- Views ---------------------------------------------------------------------------------

# Too many requests: the page is shown again, with why, and nothing is done.
TOO_MANY = 429


def _rate(name: str):
    """A rate read from settings at each request (so tests and operators can change it)."""
    return lambda group, request: getattr(settings, name)


def _landing(region_slug: str = "") -> HttpResponse:
    url = reverse("pages:apply")
    if region_slug and Region.objects.filter(slug=region_slug).exists():
        url += f"?region={region_slug}"
    return redirect(url)


def _start_refused(request, slug: str) -> HttpResponse:
    """The landing page again (its region kept), saying why no draft was made."""
    # pages.views imports this module (landing_context): import it here, not at the top.
    from pages.views import apply as landing_page

    messages.error(
        request,
        "You have started several applications in a short time, so this one was not started. "
        "Please wait an hour and try again.",
    )
    request.GET = request.GET.copy()
    if slug:
        request.GET["region"] = slug
    response = landing_page(request)
    response.status_code = TOO_MANY
    return response


@login_required
def start(request):
    """Start a draft (POST), for the region of ?region= when it is open for applications."""
    slug = request.POST.get("region") or request.GET.get("region") or ""
    if request.method != "POST":
        # Back from signing in: the landing page has the button that starts it.
        return _landing(slug)
    if request.user.role != Role.APPLICANT:
        messages.info(
            request,
            "Applications are made from an applicant account; yours is a "
            f"{Role(request.user.role).label.lower()} account.",
        )
        return _landing(slug)
    draft = _own(request.user).filter(status=Status.DRAFT).first()
    if draft is not None:
        messages.info(request, "You already have an application in progress: here it is.")
        return redirect("apply:detail", pk=draft.pk)
    region = Region.objects.filter(slug=slug).first() if slug else None
    if region is not None and not region_is_open_for_applications(region):
        messages.info(
            request,
            f"{region.name} is not taking applications right now; choose your region in the "
            "application.",
        )
        region = None
    # Counted only here, where a draft would be made: "continue my draft" is never refused.
    if is_ratelimited(
        request,
        group="application-start",
        key="user",
        rate=_rate("RATE_APPLICATION_START_PER_USER"),
        method="POST",
        increment=True,
    ):
        return _start_refused(request, slug)
    application = application_create(user=request.user, region=region)
    messages.success(request, "Your application is started. Save as you go: you can finish later.")
    return redirect("apply:section", pk=application.pk, section=SECTIONS[0].slug)


@login_required
def detail(request, pk: int):
    """Where "Continue your application" goes: the first unfinished section, or the status."""
    application = _own_application(request, pk)
    if not application.is_draft:
        return redirect("apply:status", pk=application.pk)
    missing = {problem.field for problem in application_completeness(application)}
    for section in SECTIONS:
        if section.fields & missing:
            return redirect(_section_url(application, section))
    return redirect("apply:review", pk=application.pk)


@login_required
def section(request, pk: int, section: str):
    spec = SECTIONS_BY_SLUG.get(section)
    if spec is None:
        raise Http404("No such section.")
    application = _own_application(request, pk)
    page = _page_context(application, request.user, current=spec.slug)
    index = SECTIONS.index(spec)
    context = {
        "application": application,
        "section": spec,
        "section_number": index + 1,
        "previous_url": _section_url(application, SECTIONS[index - 1]) if index else "",
        **page.as_dict(),
    }
    if not application.is_draft:
        if request.method == "POST":
            messages.error(request, "This application has been submitted; it can no longer change.")
            return redirect(_section_url(application, spec))
        context.update(editable=False, **_answers(application))
        return render(request, spec.template, context)

    data = request.POST if request.method == "POST" else None
    forms = BUILDERS[spec.slug](application, data)
    leftover: list[str] = []
    if data is not None and all(form.is_valid() for form in forms.values()):
        try:
            application_save(application=application, user=request.user, data=_service_data(forms))
        except ValidationError as error:
            form = forms.get("form")
            leftover = add_service_errors(form, error) if form else list(error.messages)
        else:
            messages.success(request, f"{spec.title}: saved.")
            if "continue" in request.POST:
                if index + 1 < len(SECTIONS):
                    return redirect(_section_url(application, SECTIONS[index + 1]))
                return redirect("apply:review", pk=application.pk)
            return redirect(_section_url(application, spec))
    errors = _error_summary(forms) if data is not None else []
    context.update(
        editable=True,
        forms=forms,
        form=forms.get("form"),
        errors=errors,
        service_errors=leftover,
        error_count=len(errors) + len(leftover),
        **_section_extra(request, spec, forms),
    )
    return render(request, spec.template, context, status=400 if data is not None else 200)


def _section_extra(request, spec: Section, forms: dict) -> dict:
    if spec.slug == "region":
        return _zip_finder(request)
    if spec.slug == "terms":
        return {"terms": forms["form"].terms}
    return {}


@dataclass
class ZipFinding:
    code: str
    place: object
    region: Region | None
    is_open: bool
    has_partner: bool


def _zip_finder(request) -> dict:
    """The region section's "find your region by ZIP" (a GET form, so it is bookmarkable)."""
    if "zip" not in request.GET:
        return {"zip_form": ZipFindForm()}
    form = ZipFindForm(request.GET)
    if not form.is_valid():
        return {"zip_form": form}
    code = form.cleaned_data["zip"]
    place = zip_lookup(code)
    if place is None:
        form.add_error("zip", f"There is no ZIP code {code} in the United States.")
        return {"zip_form": form}
    region = place.region
    return {
        "zip_form": form,
        "finding": ZipFinding(
            code=code,
            place=place,
            region=region,
            is_open=bool(region and region_is_open_for_applications(region)),
            has_partner=bool(
                region and region.status in (Region.Status.SERVED, Region.Status.ONBOARDING)
            ),
        ),
    }


@login_required
@ratelimit(
    group="application-submit",
    key="user",
    rate=_rate("RATE_APPLICATION_SUBMIT_PER_USER"),
    method="POST",
    block=False,
)
def review(request, pk: int):
    """Everything still missing, with links to fix it, the answers, and Submit."""
    application = _own_application(request, pk)
    if not application.is_draft:
        return redirect("apply:status", pk=application.pk)
    page = _page_context(application, request.user, current="review")
    status = 200
    if request.method == "POST" and getattr(request, "limited", False):
        messages.error(
            request,
            "You have pressed Submit many times in a short time, so your application was not "
            "submitted. Please wait an hour and try again; your answers are saved.",
        )
        status = TOO_MANY
    elif request.method == "POST":
        try:
            application_submit(application=application, user=request.user)
        except ValidationError as error:
            if getattr(error, "code", None) == "locked":
                messages.error(request, error.messages[0])
                return redirect("apply:status", pk=application.pk)
            status = 400
        else:
            messages.success(
                request,
                "Your application is submitted. We have emailed you a confirmation; "
                "we will write to you as the review goes on.",
            )
            return redirect("apply:status", pk=application.pk)
    problems = [_link(application, problem) for problem in application_submit_problems(application)]
    groups = [
        (section, [problem for problem in problems if problem.section == section])
        for section in SECTIONS
    ]
    return render(
        request,
        "applications/apply/review.html",
        {
            "application": application,
            "sections": SECTIONS,
            "problems": problems,
            "problem_groups": [(section, found) for section, found in groups if found],
            "submit_refused": status == 400,
            "editable": False,
            **page.as_dict(),
            **_answers(application),
        },
        status=status,
    )


def _timeline(application: Application) -> list[dict]:
    labels = dict(Status.choices)
    return [
        {
            "at": event["at"],
            "from_label": labels.get(event["from_status"], ""),
            "to_label": labels[event["to_status"]],
            "to_status": event["to_status"],
            "note": event["public_note"],
        }
        for event in application_timeline_for_applicant(application)
    ]


@login_required
def status(request, pk: int):
    application = get_object_or_404(_own(request.user), pk=pk)
    return render(
        request,
        "applications/apply/status.html",
        {
            "application": application,
            "timeline": _timeline(application),
            "can_withdraw": application.can_move_to(Status.WITHDRAWN),
        },
    )


@login_required
def withdraw(request, pk: int):
    """Withdraw, after a confirmation page; only before a decision."""
    application = get_object_or_404(_own(request.user), pk=pk)
    if not application.can_move_to(Status.WITHDRAWN):
        messages.error(
            request,
            f"An application that is {application.get_status_display().lower()} "
            "can no longer be withdrawn.",
        )
        return redirect("apply:status", pk=application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(
                application=application, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your application is withdrawn.")
        return redirect("apply:status", pk=application.pk)
    return render(
        request, "applications/apply/withdraw.html", {"application": application, "form": form}
    )


@login_required
@require_POST
def waitlist(request, pk: int):
    """Join the waitlist of a region that is not taking applications (the chosen or a ZIP's)."""
    application = get_object_or_404(_own(request.user), pk=pk)
    region = application.region
    if request.POST.get("region", "").isdigit():
        region = get_object_or_404(Region, pk=request.POST["region"])
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("apply:detail", kwargs={"pk": application.pk})
    if region is None:
        raise Http404("No region to wait for.")
    try:
        # The waitlist needs an organization name; an early draft may not have one yet.
        waitlist_join(
            region=region,
            user=request.user,
            application=application,
            organization_name=application.legal_name or str(request.user),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"You are on the waitlist for {region.name}. We will write to you if it opens for "
            "applications.",
        )
    return redirect(next_url)
