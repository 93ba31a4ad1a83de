"""Writes for facilitators: accreditations (program admins) and partners' rosters."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from core.audit import audited
from core.program_years import next_program_year, validate_program_year
from partners.models import Partner
from workshops.models import Course

from .models import Accreditation, AccreditationStatus, RosterMember
from .selectors import current_program_year

NOT_A_FACILITATOR = (
    "Make this person a facilitator first: their role is {role}. Change it under People and "
    "roles in the administration, then accredit them."
)


def _require_facilitator(person: User, field: str = "facilitator") -> None:
    if person.role != Role.FACILITATOR:
        message = NOT_A_FACILITATOR.format(role=person.get_role_display().lower())
        raise ValidationError({field: ValidationError(message, code="not_facilitator")})
    if not person.is_active:
        raise ValidationError({field: "This person's account is deactivated."})


@transaction.atomic
def accreditation_set(
    *,
    facilitator: User,
    course: Course,
    program_year: str,
    status: str,
    note: str = "",
    user: User,
) -> Accreditation:
    """Record a facilitator's standing for one course in one program year (program admins).

    Creates the accreditation or changes the existing one. The person must already have the
    facilitator role: accreditation never changes a role, so a teacher is refused with a
    message saying so (roles are changed deliberately, in the administration).
    """
    if not user.is_program_admin:
        raise PermissionDenied("Only program admins accredit facilitators.")
    _require_facilitator(facilitator)
    with audited(user, label="accreditation-set"):
        accreditation = (
            Accreditation.objects.select_for_update()
            .filter(facilitator=facilitator, course=course, program_year=program_year)
            .first()
        ) or Accreditation(facilitator=facilitator, course=course, program_year=program_year)
        accreditation.status = status
        accreditation.note = note
        accreditation.updated_by = user
        accreditation.full_clean()
        try:
            with transaction.atomic():
                accreditation.save()
        except IntegrityError:
            # Another admin created the same row a moment ago: theirs stands, ask again.
            raise ValidationError(
                "Someone else just recorded this accreditation. Check it and try again.",
                code="race",
            ) from None
    return accreditation


@dataclass
class RenewReport:
    from_year: str
    to_year: str
    copied: int = 0
    already_there: int = 0  # a row for that facilitator and course existed in `to_year`
    not_facilitators: int = 0  # no longer facilitators (or deactivated): left out


@transaction.atomic
def accreditations_renew(*, from_year: str, to_year: str, user: User) -> RenewReport:
    """Copy every `accredited` row of `from_year` into `to_year` as `accredited` (program admins).

    The office does this each July. Rows that already exist in `to_year` are left alone, in
    whatever status, so running it twice copies nothing the second time. People no longer
    facilitators are left out. `to_year` must be the year after `from_year`.
    """
    if not user.is_program_admin:
        raise PermissionDenied("Only program admins renew accreditations.")
    for name, value in (("from_year", from_year), ("to_year", to_year)):
        try:
            validate_program_year(value)
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from None
    if to_year != next_program_year(from_year):
        raise ValidationError(
            {"to_year": f"Renew into the year after {from_year}: {next_program_year(from_year)}."}
        )
    report = RenewReport(from_year=from_year, to_year=to_year)
    existing = set(
        Accreditation.objects.filter(program_year=to_year).values_list(
            "facilitator_id", "course_id"
        )
    )
    rows = (
        Accreditation.objects.filter(program_year=from_year, status=AccreditationStatus.ACCREDITED)
        .select_related("facilitator", "course")
        .order_by("pk")
    )
    with audited(user, label="accreditations-renew"):
        for row in rows:
            if row.facilitator.role != Role.FACILITATOR or not row.facilitator.is_active:
                report.not_facilitators += 1
                continue
            if (row.facilitator_id, row.course_id) in existing:
                report.already_there += 1
                continue
            copy = Accreditation(
                facilitator=row.facilitator,
                course=row.course,
                program_year=to_year,
                status=AccreditationStatus.ACCREDITED,
                note=f"Renewed from {from_year}.",
                updated_by=user,
            )
            # Uniqueness was checked for all rows at once above; a concurrent renew that
            # wins the race is caught by the savepoint instead.
            copy.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():
                    copy.save()
            except IntegrityError:
                report.already_there += 1
                continue
            report.copied += 1
    return report


def _may_edit_roster(user: User, partner: Partner) -> bool:
    return Partner.objects.editable_by(user).filter(pk=partner.pk).exists()


@transaction.atomic
def roster_add(
    *, partner: Partner, facilitator: User, user: User, today: datetime.date | None = None
) -> RosterMember:
    """Put a facilitator on a partner's roster (the partner's program managers, program admins).

    Only a facilitator in good standing may be added: someone with the facilitator role and
    at least one accreditation, in any status but `lapsed`, in the current or the next
    program year. Candidates and those in training count, because partners recruit
    facilitators before they are accredited; the next year counts, because in spring a
    partner builds next year's roster. Being on a roster does not let anyone lead a course:
    assignment to a workshop needs an `accredited` row for that course and year.
    """
    if not _may_edit_roster(user, partner):
        raise PermissionDenied("Only the partner's program managers and program admins can.")
    _require_facilitator(facilitator)
    current = current_program_year(today)
    in_standing = (
        Accreditation.objects.filter(
            facilitator=facilitator, program_year__in=[current, next_program_year(current)]
        )
        .exclude(status=AccreditationStatus.LAPSED)
        .exists()
    )
    if not in_standing:
        raise ValidationError(
            {
                "facilitator": (
                    f"{facilitator} has no accreditation in {current} or the year after, "
                    "other than lapsed ones. The program office accredits facilitators."
                )
            }
        )
    if RosterMember.objects.filter(partner=partner, facilitator=facilitator).exists():
        raise ValidationError({"facilitator": f"{facilitator} is already on the roster."})
    member = RosterMember(
        partner=partner,
        facilitator=facilitator,
        since=today or timezone.localdate(),
        added_by=user,
    )
    member.full_clean(validate_constraints=False)
    with audited(user, label="roster-add"):
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            # A double submit: the first one added them.
            raise ValidationError(
                {"facilitator": f"{facilitator} is already on the roster."}
            ) from None
    return member


@transaction.atomic
def roster_remove(*, member: RosterMember, user: User) -> None:
    """Take a facilitator off a partner's roster (the partner's program managers, admins).

    Their accreditations stay: those belong to the program office, not to the partner.
    """
    if not _may_edit_roster(user, member.partner):
        raise PermissionDenied("Only the partner's program managers and program admins can.")
    with audited(user, label="roster-remove"):
        member.delete()
