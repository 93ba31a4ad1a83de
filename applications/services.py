"""Writes for applications: drafting, submission, review, decisions and onboarding.

Every status change goes through `_move`, which checks `models.TRANSITIONS` and writes the
`ApplicationEvent`; every service locks the application row (select_for_update) and judges
the status it finds in the database, never the caller's possibly stale instance. Emails are
sent after commit, so a rolled-back change never sends one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from core.audit import audited
from core.slugs import unique_slug
from funding.models import AwardLine, BudgetCategory, FundingAward, program_year_for
from geography.models import Region
from pages.models import TermSheet
from partners.models import RESERVED_SLUGS, Partner, ProgramManager

from .models import (
    COMMITMENTS,
    DECISIONS,
    REVIEWABLE,
    Application,
    ApplicationEvent,
    ApplicationProgramManager,
    ApplicationRound,
    BudgetRequestLine,
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
    Status,
)
from .selectors import (
    Problem,
    application_submit_problems,
    can_review,
    region_is_open_for_applications,
)

# Fields an applicant may set while drafting (application_save); anything else is refused.
SCALAR_FIELDS = frozenset(
    {
        "region",
        "legal_name",
        "organization_type",
        "tax_id",
        "is_us_based",
        "street",
        "city",
        "state",
        "zip_code",
        "website",
        "teachers_year1",
        "teachers_year2",
        "teachers_year3",
        "workshop_venues",
        "need_justification",
        "current_funding_sources",
        "accepts_terms",
        *COMMITMENTS,
    }
)
CHILD_SECTIONS = {
    "program_managers": (ApplicationProgramManager, ("name", "email", "fte_share")),
    "district_relationships": (DistrictRelationship, ("district_name", "relationship")),
    "references": (Reference, ("name", "organization", "email", "phone")),
}
RELATION_FIELDS = frozenset({"courses", "budget", *CHILD_SECTIONS})
MAX_REFERENCES = 2
APPLICANT_MOVES = frozenset({Status.SUBMITTED, Status.WITHDRAWN})


# --- Helpers -------------------------------------------------------------------------------


def _audited(user):
    return audited(user, label="application")


def _lock(application: Application) -> Application:
    """The application as stored, its row locked until the transaction ends."""
    return Application.objects.select_for_update().get(pk=application.pk)


def _refuse(problems: list[Problem]) -> ValidationError:
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(problem.message)
    return ValidationError(by_field)


def _send_on_commit(*, subject: str, body: str, to: list[str]) -> None:
    message = EmailMessage(subject=subject, body=body, to=to)
    transaction.on_commit(message.send)


def _check_move(application: Application, to_status: str) -> None:
    """Refuse, in plain words, a move that models.TRANSITIONS does not list."""
    if to_status in Status.values and application.can_move_to(to_status):
        return
    label = Status(to_status).label.lower() if to_status in Status.values else repr(to_status)
    raise ValidationError(
        f"An application that is {application.get_status_display().lower()} cannot move "
        f"to {label}.",
        code="invalid_transition",
    )


def _move(
    application: Application, *, actor: User | None, to_status: str, note: str, is_internal: bool
) -> ApplicationEvent:
    """Change the status of a locked application along TRANSITIONS and record the event."""
    _check_move(application, to_status)
    from_status = application.status
    application.status = to_status
    application.full_clean()
    application.save()
    event = ApplicationEvent(
        application=application,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        is_internal=is_internal,
    )
    event.full_clean()
    event.save()
    return event


def _require_owner(application: Application, user: User) -> None:
    if not user.is_authenticated or application.applicant_id != user.pk:
        raise PermissionDenied


def _require_draft(application: Application) -> None:
    if not application.is_draft:
        raise ValidationError(
            "This application has been submitted and can no longer be changed.", code="locked"
        )


def _require_admin(user: User) -> None:
    if not user.is_authenticated or not user.is_program_admin:
        raise PermissionDenied


# --- Drafting ------------------------------------------------------------------------------


@transaction.atomic
def application_create(*, user: User, region: Region | None = None) -> Application:
    """Start a draft application owned by `user`."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    with _audited(user):
        application = Application(applicant=user, region=region)
        application.full_clean()
        application.save()
        ApplicationEvent.objects.create(
            application=application, actor=user, from_status="", to_status=Status.DRAFT
        )
    return application


def _replace_children(application: Application, section: str, rows: Iterable[dict]) -> None:
    model, fields = CHILD_SECTIONS[section]
    rows = list(rows)
    if section == "references" and len(rows) > MAX_REFERENCES:
        raise ValidationError({section: f"Give at most {MAX_REFERENCES} references."})
    getattr(application, section).all().delete()
    for index, row in enumerate(rows, start=1):
        unknown = set(row) - set(fields)
        if unknown:
            raise ValidationError({section: f"Unknown field(s): {', '.join(sorted(unknown))}."})
        child = model(application=application, **{name: row.get(name, "") for name in fields})
        try:
            child.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {section: [f"Entry {index}: {msg}" for msg in error.messages]}
            ) from error
        child.save()


def _replace_budget(application: Application, budget: dict) -> None:
    unknown = set(budget) - set(BudgetCategory.values)
    if unknown:
        raise ValidationError({"budget": f"Unknown budget line(s): {', '.join(sorted(unknown))}."})
    for category, amount in budget.items():
        lines = application.budget_lines.filter(category=category)
        if amount in (None, ""):
            lines.delete()
            continue
        line = lines.first() or BudgetRequestLine(application=application, category=category)
        line.amount = amount
        try:
            line.full_clean()
        except ValidationError as error:
            label = BudgetCategory(category).label
            raise ValidationError(
                {"budget": [f"{label}: {msg}" for msg in error.messages]}
            ) from error
        line.save()


@transaction.atomic
def application_save(*, application: Application, user: User, data: dict) -> Application:
    """Save some sections of a draft. Only the keys present change; nothing is required yet.

    `data` holds model fields (SCALAR_FIELDS) and: `courses` (Course objects), `budget`
    ({category: amount or None to drop the line}), and `program_managers`,
    `district_relationships`, `references` (lists of dicts that replace the section).
    Unknown keys are refused, so status, applicant or terms can never be set through here.
    """
    _require_owner(application, user)
    unknown = set(data) - SCALAR_FIELDS - RELATION_FIELDS
    if unknown:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"These cannot be changed here: {', '.join(sorted(unknown))}."}
        )
    app = _lock(application)
    _require_draft(app)
    with _audited(user):
        for name in SCALAR_FIELDS & set(data):
            setattr(app, name, data[name])
        if data.get("zip_code") is not None and "state" not in data:
            app.state = data["zip_code"].state
        if "accepts_terms" in data:
            # The version on screen when the box is ticked is the one accepted.
            app.term_sheet = TermSheet.objects.current() if data["accepts_terms"] else None
        app.full_clean()
        app.save()
        if "courses" in data:
            app.courses.set(data["courses"])
        if "budget" in data:
            _replace_budget(app, data["budget"])
        for section in CHILD_SECTIONS.keys() & data.keys():
            _replace_children(app, section, data[section])
    application.refresh_from_db()
    return application


@transaction.atomic
def application_submit(*, application: Application, user: User) -> Application:
    """Submit a complete, eligible draft: records the current term sheet, locks, confirms.

    Refuses with a ValidationError keyed by field listing everything still missing or
    ineligible (application_submit_problems).
    """
    _require_owner(application, user)
    app = _lock(application)
    _require_draft(app)
    problems = application_submit_problems(app)
    if problems:
        raise _refuse(problems)
    now = timezone.now()
    app.term_sheet = TermSheet.objects.current()  # the version accepted (checked above)
    app.terms_accepted_at = now
    app.submitted_at = now
    with _audited(user):
        _move(app, actor=user, to_status=Status.SUBMITTED, note="", is_internal=False)
    _send_on_commit(
        subject=f"We received your Regional Partner application for {app.region.name}",
        body=(
            f"Thank you for applying to become the Regional Partner for {app.region.name} "
            f"on behalf of {app.legal_name}.\n\n"
            f"You accepted term sheet version {app.term_sheet.version}. Your application is "
            "now locked; we will write to you as the review goes on.\n\n"
            f"Questions? Write to {settings.PROGRAM_OFFICE_EMAIL}."
        ),
        to=[app.applicant.email],
    )
    application.refresh_from_db()
    return application


@transaction.atomic
def application_withdraw(*, application: Application, user: User, note: str = "") -> Application:
    """The applicant withdraws, at any time before a decision."""
    _require_owner(application, user)
    app = _lock(application)
    if app.is_decided:
        raise ValidationError(
            "A decision has been made on this application; it can no longer be withdrawn.",
            code="decided",
        )
    with _audited(user):
        _move(app, actor=user, to_status=Status.WITHDRAWN, note=note, is_internal=False)
    application.refresh_from_db()
    return application


@transaction.atomic
def application_transition(
    *,
    application: Application,
    user: User,
    to_status: str,
    note: str = "",
    is_internal: bool = True,
) -> Application:
    """Move an application to `to_status`, if models.TRANSITIONS allows it.

    The single entry point for every move: moves with consequences go to their own service
    (submitted → application_submit, withdrawn → application_withdraw, a decision →
    application_decide with `note` as the reason and the default email), so nothing skips
    validation, emails or onboarding. Review-stage moves (in review, interview, reference
    check) are for program admins and the region's reviewers; the note is internal unless
    `is_internal=False`.
    """
    app = _lock(application)
    _check_move(app, to_status)
    if to_status == Status.SUBMITTED:
        return application_submit(application=application, user=user)
    if to_status == Status.WITHDRAWN:
        return application_withdraw(application=application, user=user, note=note)
    if to_status in DECISIONS:
        application_decide(application=application, user=user, decision=to_status, reason=note)
        return application
    if not can_review(user, app):
        raise PermissionDenied
    with _audited(user):
        _move(app, actor=user, to_status=to_status, note=note, is_internal=is_internal)
    application.refresh_from_db()
    return application


@transaction.atomic
def waitlist_join(
    *,
    region: Region,
    user: User,
    application: Application | None = None,
    organization_name: str = "",
) -> RegionWaitlist:
    """Join the waitlist of a region that is not taking applications. Joining twice is a no-op."""
    if not user.is_authenticated:
        raise PermissionDenied
    if application is not None:
        _require_owner(application, user)
        organization_name = organization_name or application.legal_name
    if region_is_open_for_applications(region):
        raise ValidationError(
            f"{region.name} is taking applications now: apply instead.", code="region_open"
        )
    existing = RegionWaitlist.objects.filter(region=region, user=user).first()
    if existing:
        return existing
    entry = RegionWaitlist(
        region=region, user=user, application=application, organization_name=organization_name
    )
    entry.full_clean()
    entry.save()
    return entry


# --- Rounds and windows (program admins) ---------------------------------------------------


@transaction.atomic
def region_window_open(
    *,
    round: ApplicationRound,
    region: Region,
    user: User,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> RegionWindow:
    """Open (or reschedule) a region's window in a round: from now to the round's end by default."""
    _require_admin(user)
    window = RegionWindow.objects.filter(round=round, region=region).first() or RegionWindow(
        round=round, region=region
    )
    window.opens_at = opens_at or timezone.now()
    window.closes_at = closes_at or round.closes_at
    with _audited(user):
        window.full_clean()
        window.save()
    return window


@transaction.atomic
def region_window_close(*, window: RegionWindow, user: User) -> RegionWindow | None:
    """Close a window now. One that has not opened yet is removed; returns None then."""
    _require_admin(user)
    now = timezone.now()
    with _audited(user):
        if window.opens_at >= now:
            window.delete()
            return None
        window.closes_at = min(window.closes_at, now)
        window.full_clean()
        window.save()
    return window


# --- Review --------------------------------------------------------------------------------


@transaction.atomic
def reviewer_assign(*, application: Application, reviewer: User, user: User) -> ReviewerAssignment:
    """A program admin asks a reviewer (an admin, or a regional manager of the region)."""
    _require_admin(user)
    if not can_review(reviewer, application):
        raise ValidationError(
            {"reviewer": f"{reviewer} does not review applications for this region."}
        )
    with _audited(user):
        assignment, _ = ReviewerAssignment.objects.get_or_create(
            application=application, reviewer=reviewer
        )
    return assignment


@transaction.atomic
def review_save(
    *, application: Application, reviewer: User, scores: dict[int, int], comment: str = ""
) -> Review:
    """Create or edit the reviewer's own review: scores per criterion id, internal comment.

    Criteria not in `scores` keep their score. Only program admins and the region's
    regional managers review, and only while the application is under review.
    """
    if not can_review(reviewer, application):
        raise PermissionDenied
    app = Application.objects.get(pk=application.pk)
    if app.status not in REVIEWABLE:
        raise ValidationError(
            f"An application that is {app.get_status_display().lower()} is not open for review.",
            code="not_reviewable",
        )
    review = Review.objects.filter(application=app, reviewer=reviewer).first()
    if review is None:
        rubric = Rubric.objects.filter(is_active=True).first()
        if rubric is None:
            raise ValidationError("No rubric is active; a program admin must activate one.")
        review = Review(application=app, reviewer=reviewer, rubric=rubric)
    criteria = {criterion.pk: criterion for criterion in review.rubric.criteria.all()}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError({"scores": "Score only the criteria of the rubric."})
    with _audited(reviewer):
        review.comment_internal = comment
        review.full_clean()
        review.save()
        for criterion_id, value in scores.items():
            score = Score.objects.filter(review=review, criterion_id=criterion_id).first() or Score(
                review=review, criterion=criteria[criterion_id]
            )
            score.value = value
            try:
                score.full_clean()
            except ValidationError as error:
                name = criteria[criterion_id].name
                raise ValidationError(
                    {"scores": [f"{name}: {msg}" for msg in error.messages]}
                ) from error
            score.save()
    return review


# --- Decisions -----------------------------------------------------------------------------

DECISION_EMAILS = {
    Status.ACCEPTED: (
        "Welcome to the Regional Partner Program, {organization}",
        "Congratulations! We are delighted to accept {organization} as the Regional Partner "
        "for {region}.\n\nYour program managers will receive invitations to PartnerHub, and "
        "your regional manager will be in touch about the partnership agreement and your "
        "first year's funding.",
    ),
    Status.DECLINED: (
        "Your Regional Partner application for {region}",
        "Thank you for applying to become the Regional Partner for {region} on behalf of "
        "{organization}.\n\nAfter careful review we are not able to accept the application "
        "this time. We are grateful for your work for computer science education.",
    ),
    Status.WAITLISTED: (
        "Your Regional Partner application for {region}: waitlist",
        "Thank you for applying to become the Regional Partner for {region} on behalf of "
        "{organization}.\n\nWe cannot accept a partner for {region} right now, and we have "
        "placed your application on our waitlist. We will contact you if a place opens.",
    ),
}


def decision_email_render(application: Application, text: str) -> str:
    """Fill the {organization} and {region} placeholders (and nothing else)."""
    region = application.region.name if application.region_id else ""
    return text.replace("{organization}", application.legal_name).replace("{region}", region)


def decision_email_default(application: Application, decision: str) -> tuple[str, str]:
    """The default (subject, body) for a decision, for the reviewer to edit before sending."""
    subject, body = DECISION_EMAILS[Status(decision)]
    closing = f"\n\nThe Regional Partner Program office\n{settings.PROGRAM_OFFICE_EMAIL}"
    return (
        decision_email_render(application, subject),
        decision_email_render(application, body + closing),
    )


@transaction.atomic
def application_decide(
    *,
    application: Application,
    user: User,
    decision: str,
    reason: str,
    email_subject: str = "",
    email_body: str = "",
) -> Partner | None:
    """Decide: accepted, declined or waitlisted (program admins). Returns the new partner.

    The reason goes on the (internal) timeline event; the email, default or edited, goes
    to the applicant after commit ({organization} and {region} are filled in). Accepting
    runs onboarding in the same transaction. Deciding an already-decided application
    (e.g. pressing accept twice) is refused with a ValidationError: the row lock makes the
    second call see the first's decision, so exactly one partner is ever created.
    """
    _require_admin(user)
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Decide accepted, declined or waitlisted."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for the decision."})
    app = _lock(application)
    if app.is_decided and app.status == decision:
        raise ValidationError(
            f"This application is already {app.get_status_display().lower()}.",
            code="already_decided",
        )
    default_subject, default_body = decision_email_default(app, decision)
    subject = decision_email_render(app, email_subject) if email_subject else default_subject
    body = decision_email_render(app, email_body) if email_body else default_body
    partner = None
    _check_move(app, decision)
    with _audited(user):
        if decision == Status.ACCEPTED:
            partner = _onboard(app, user=user)
        app.decided_at = timezone.now()
        _move(app, actor=user, to_status=decision, note=reason, is_internal=True)
    _send_on_commit(subject=subject, body=body, to=[app.applicant.email])
    application.refresh_from_db()
    return partner


@dataclass
class DecisionResult:
    application: Application
    ok: bool
    error: str = ""
    partner: Partner | None = None


def applications_decide_bulk(
    *,
    applications: Iterable[Application],
    user: User,
    decision: str,
    reason: str,
    email_subject: str = "",
    email_body: str = "",
) -> list[DecisionResult]:
    """Decide many, one at a time, each in its own transaction: an error stops only its own."""
    results = []
    for application in applications:
        try:
            partner = application_decide(
                application=application,
                user=user,
                decision=decision,
                reason=reason,
                email_subject=email_subject,
                email_body=email_body,
            )
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(getattr(error, "messages", [])) or "Not allowed."
            results.append(DecisionResult(application, ok=False, error=message))
        else:
            results.append(DecisionResult(application, ok=True, partner=partner))
    return results


# --- Onboarding ----------------------------------------------------------------------------


def _unique_partner_name(name: str, region: Region) -> str:
    candidates = [name, f"{name} ({region.name})"]
    candidates += [f"{name} ({region.name}, {n})" for n in range(2, 100)]
    for candidate in candidates:
        candidate = candidate[:200]
        if not Partner.objects.filter(name=candidate).exists():
            return candidate
    raise ValidationError("Could not find a free partner name; rename the organization.")


def invitation_url(invitation: Invitation) -> str:
    """Where an invitee accepts (signing in or up on the way)."""
    return settings.SITE_URL + reverse("apply:invitation", kwargs={"token": invitation.token})


def invitations_accept_pending(*, user: User) -> list[ProgramManager]:
    """Link an account to every partner that invited its address: run at each sign-in, so an
    invitee who signs in (or up) by any path is linked on the first one."""
    linked = []
    pending = Invitation.objects.filter(
        email__iexact=user.email, accepted_at__isnull=True
    ).values_list("token", flat=True)
    for token in pending:
        try:
            linked.append(invitation_accept(token=token, user=user))
        except (ValidationError, PermissionDenied):
            continue  # e.g. already a manager of that partner: nothing to link
    return linked


def _onboard(application: Application, *, user: User) -> Partner:
    """Create the partner of an accepted application, its invitations, region and award.

    Runs inside application_decide's transaction with the application row locked.
    """
    region = Region.objects.select_for_update().get(pk=application.region_id)
    if region.partner_id is not None or region.status not in (
        Region.Status.OPEN,
        Region.Status.CLOSED,
    ):
        raise ValidationError(
            {"region": f"{region.name} already has a partner; it cannot take another."},
            code="region_taken",
        )
    reviewer = (
        RegionReviewer.objects.filter(region=region, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    name = _unique_partner_name(application.legal_name, region)
    partner = Partner(
        name=name,
        slug=unique_slug(Partner, name, max_length=200, reserved=RESERVED_SLUGS),
        organization_type=application.organization_type,
        status=Partner.Status.ONBOARDING,
        website=application.website,
        contact_email=application.applicant.email,
        address=application.street,
        city=application.city,
        state=application.state,
        zip_code=application.zip_code,
        terms_version=application.term_sheet,
        regional_manager=reviewer.user if reviewer else None,
    )
    partner.full_clean()
    partner.save()
    partner.courses.set(application.courses.all())

    for manager in application.program_managers.all():
        invitation = Invitation(partner=partner, email=manager.email, fte_share=manager.fte_share)
        invitation.full_clean()
        invitation.save()
        _send_on_commit(
            subject=f"You are invited to manage {partner.name} in PartnerHub",
            body=(
                f"Hello {manager.name},\n\n{partner.name} is joining the Regional Partner "
                f"Program, and you were named one of its program managers ({manager.fte_share} "
                f"FTE).\n\nSign in with this address ({manager.email}) through this link to "
                f"link your account:\n{invitation_url(invitation)}"
            ),
            to=[manager.email],
        )

    # Partner and status in one save: the region's check constraint requires both.
    region.partner = partner
    region.status = Region.Status.ONBOARDING
    region.full_clean()
    region.save()

    award = FundingAward(
        partner=partner,
        program_year=program_year_for(timezone.localdate()),
        status=FundingAward.Status.DRAFT,
        need_justification=application.need_justification,
        created_from=application,
    )
    award.full_clean()
    award.save()
    for line in application.budget_lines.all():
        award_line = AwardLine(award=award, category=line.category, requested=line.amount)
        award_line.full_clean()
        award_line.save()

    application.partner = partner
    return partner


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> ProgramManager:
    """Link a signed-in account to the partner it was invited to manage.

    The account's email must be the invited address. Applicants and teachers become
    program managers; other roles keep theirs.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("partner").filter(token=token).first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid.", code="invalid_token")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.", code="used")
    if not user.is_authenticated or user.email.lower() != invitation.email.lower():
        raise PermissionDenied("Sign in with the address the invitation was sent to.")
    if ProgramManager.objects.filter(partner=invitation.partner, user=user).exists():
        raise ValidationError("You already manage this partner.", code="already_manager")
    with _audited(user):
        manager = ProgramManager(
            partner=invitation.partner,
            user=user,
            fte_share=invitation.fte_share,
            since=timezone.localdate(),
        )
        manager.full_clean()
        manager.save()
        if user.role in (Role.APPLICANT, Role.TEACHER):
            user.role = Role.PROGRAM_MANAGER
            user.save(update_fields=["role"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return manager


@transaction.atomic
def partner_activate(*, partner: Partner, user: User) -> Partner:
    """A program admin marks an onboarding partner active once its agreement is signed.

    Its onboarding regions become served (which tells the people waiting there).
    """
    _require_admin(user)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.status != Partner.Status.ONBOARDING:
        raise ValidationError(
            f"Only an onboarding partner can be activated; this one is "
            f"{partner.get_status_display().lower()}.",
            code="not_onboarding",
        )
    with _audited(user):
        partner.status = Partner.Status.ACTIVE
        partner.active_since = timezone.localdate()
        partner.full_clean()
        partner.save()
        regions = Region.objects.select_for_update().filter(
            partner=partner, status=Region.Status.ONBOARDING
        )
        for region in regions:
            region.status = Region.Status.SERVED
            region.full_clean()
            region.save()
    return partner
