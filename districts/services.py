"""Writes for a partner's district partnerships and their yearly commitments.

Only the people who may change a partner's records make them: its program managers and
program admins (`Partner.objects.editable_by`); a regional manager reads only. Every write is
audited with its actor. Refusals are Django `ValidationError`s keyed by the field at fault
(`district`, `course`, `program_year`, ...) so forms show them next to the field and the API
answers 400 keyed the same way; a race on a unique constraint becomes the same refusal as
the check before it, never an IntegrityError.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.audit import audited
from core.program_years import program_year_choices, program_year_for
from partners.models import Partner
from workshops.models import Course

from .models import District, DistrictCommitment, DistrictPartnership
from .selectors import district_in_area

# Fields partnership_update may change. The district is the partnership: to work with
# another district, add a partnership for it.
UPDATABLE_FIELDS = frozenset(
    {"since", "contact_name", "contact_title", "contact_email", "contact_phone", "notes"}
)
# Older than this is a typo (0202 for 2020), not a partnership.
EARLIEST_SINCE = datetime.date(1990, 1, 1)
DUPLICATE_PARTNERSHIP = "You already have a partnership with this district."


def _audited(user: User):
    return audited(user, label="district_partnership")


def _require_editor(partner: Partner, user: User) -> None:
    if not Partner.objects.editable_by(user).filter(pk=partner.pk).exists():
        raise PermissionDenied("Only the partner's program managers and program admins can.")


def commitment_year_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """The program years commitments can be set or removed for: last, this and next year.

    Older years are the record of what was committed and stay as they are.
    """
    return program_year_choices(today or timezone.localdate(), before=1, after=1)


def _check_since(since: datetime.date | None) -> None:
    if since is None:
        return  # full_clean reports the missing date
    if since > timezone.localdate():
        raise ValidationError(
            {"since": "Give the day the district joined: it cannot be in the future."}
        )
    if since < EARLIEST_SINCE:
        raise ValidationError({"since": f"Give a date after {EARLIEST_SINCE:%Y}."})


def _check_commitment(
    partner: Partner, *, program_year: str, course: Course | None, teachers: Any
) -> None:
    """The year within the window, the course active and offered by the partner."""
    errors: dict[str, str] = {}
    years = [year for year, _ in commitment_year_choices()]
    if program_year not in years:
        errors["program_year"] = f"Choose one of the program years {', '.join(years)}."
    if course is None:
        errors["course"] = "Choose a course."
    elif not course.is_active or not partner.courses.filter(pk=course.pk).exists():
        errors["course"] = f"{course.name} is not a course {partner.name} offers."
    if teachers in (None, ""):
        errors["teachers"] = "Give the number of teachers the district commits to send."
    if errors:
        raise ValidationError(errors)


def _check_district(partner: Partner, district: District | None) -> None:
    if district is None:
        raise ValidationError({"district": "Choose a district."})
    if not district_in_area(partner, district):
        raise ValidationError(
            {
                "district": f"{district.name} ({district.state.code}) is outside "
                f"{partner.name}'s regions: none of its schools is in them."
            }
        )
    if DistrictPartnership.objects.filter(partner=partner, district=district).exists():
        raise ValidationError({"district": DUPLICATE_PARTNERSHIP})


def _collect(errors: dict, check, *args, **kwargs) -> None:
    """Run a check, adding its field errors to `errors`: a form shows every fault at once."""
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        error.update_error_dict(errors)


def partnership_create_errors(
    *,
    partner: Partner,
    district: District | None,
    since: datetime.date | None,
    program_year: str = "",
    course: Course | None = None,
    teachers: int | None = None,
) -> dict[str, list]:
    """The refusals `partnership_create` would give for these values, by field; {} if none.

    The form asks this with whatever it could read, so that every fault shows at once
    rather than in two rounds (the form's own, then the service's).
    """
    errors: dict[str, list] = {}
    _collect(errors, _check_district, partner, district)
    _collect(errors, _check_since, since)
    if any(value not in (None, "") for value in (program_year, course, teachers)):
        _collect(
            errors,
            _check_commitment,
            partner,
            program_year=program_year,
            course=course,
            teachers=teachers,
        )
    return errors


@transaction.atomic
def partnership_create(
    *,
    partner: Partner,
    user: User,
    district: District | None,
    since: datetime.date | None,
    contact_name: str,
    contact_title: str = "",
    contact_email: str,
    contact_phone: str = "",
    notes: str = "",
    program_year: str = "",
    course: Course | None = None,
    teachers: int | None = None,
) -> DistrictPartnership:
    """Start a partnership with a district in the partner's area, with a named contact.

    The area rule is `districts.selectors.districts_in_area`; a partner has one partnership
    per district. With `program_year`, `course` and `teachers` (all three, or none) it also
    sets the first commitment, in the same transaction: nothing is saved if either part is
    refused.
    """
    _require_editor(partner, user)
    errors = partnership_create_errors(
        partner=partner,
        district=district,
        since=since,
        program_year=program_year,
        course=course,
        teachers=teachers,
    )
    wants_commitment = any(value not in (None, "") for value in (program_year, course, teachers))
    partnership = DistrictPartnership(
        partner=partner,
        district=district,
        since=since,
        contact_name=contact_name,
        contact_title=contact_title,
        contact_email=contact_email,
        contact_phone=contact_phone,
        notes=notes,
        created_by=user,
    )
    # The one-per-district constraint is _check_district's, with a message naming the field;
    # a race past it is caught at the insert below.
    _collect(
        errors,
        partnership.full_clean,
        exclude=list(errors),
        validate_unique=False,
        validate_constraints=False,
    )
    if errors:
        raise ValidationError(errors)
    with _audited(user):
        try:
            with transaction.atomic():
                partnership.save()
        except IntegrityError:
            raise ValidationError({"district": DUPLICATE_PARTNERSHIP}) from None
        if wants_commitment:
            commitment_set(
                partnership=partnership,
                user=user,
                program_year=program_year,
                course=course,
                teachers=teachers,
            )
    return partnership


@transaction.atomic
def partnership_update(
    *, partnership: DistrictPartnership, user: User, data: Mapping[str, Any]
) -> DistrictPartnership:
    """Change a partnership's `since`, contact and notes (`UPDATABLE_FIELDS`)."""
    _require_editor(partnership.partner, user)
    unknown = sorted(set(data) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {
                name: "The district of a partnership cannot change; add a new partnership."
                if name == "district"
                else "This field cannot be changed here."
                for name in unknown
            }
        )
    partnership = DistrictPartnership.objects.select_for_update().get(pk=partnership.pk)
    for name, value in data.items():
        setattr(partnership, name, value)
    errors: dict[str, list] = {}
    if "since" in data:
        _collect(errors, _check_since, partnership.since)
    # Partner and district do not change here: the one-per-district constraint still holds.
    _collect(
        errors,
        partnership.full_clean,
        exclude=list(errors),
        validate_unique=False,
        validate_constraints=False,
    )
    if errors:
        raise ValidationError(errors)
    with _audited(user):
        partnership.save()
    return partnership


def partnership_past_years(
    partnership: DistrictPartnership, today: datetime.date | None = None
) -> list[str]:
    """The program years before the current one in which the partnership has commitments."""
    current = program_year_for(today or timezone.localdate())
    return list(
        partnership.commitments.filter(program_year__lt=current)
        .order_by("program_year")
        .values_list("program_year", flat=True)
        .distinct()
    )


@transaction.atomic
def partnership_delete(
    *, partnership: DistrictPartnership, user: User, today: datetime.date | None = None
) -> None:
    """Delete a partnership and its commitments, when none is from a past program year.

    Past years' commitments are the record of what districts committed (the partner's
    commitments of those years are judged on them), so a partnership that has any is kept:
    the refusal says so. The audit log keeps what was deleted and who deleted it.
    """
    _require_editor(partnership.partner, user)
    DistrictPartnership.objects.select_for_update().filter(pk=partnership.pk).first()
    past = partnership_past_years(partnership, today)
    if past:
        raise ValidationError(
            f"The partnership with {partnership.district.name} has commitments from "
            f"{', '.join(past)}: they are the record of those years, so it cannot be deleted.",
            code="has_history",
        )
    with _audited(user):
        # Through the collector, so each commitment deleted leaves its own audit entry.
        DistrictPartnership.objects.filter(pk=partnership.pk).delete()


@transaction.atomic
def commitment_set(
    *,
    partnership: DistrictPartnership,
    user: User,
    program_year: str,
    course: Course | None,
    teachers: int | None,
    confirm_replace: bool = True,
) -> DistrictCommitment:
    """Create or update the one commitment of a partnership for a program year and course.

    The year must be within `commitment_year_choices`; the course active and one the
    partner offers (`Partner.courses`); teachers 1 to 5000. With `confirm_replace=False`
    (the "add a commitment" form) a different number already committed for that year and
    course is not overwritten: the refusal, keyed `confirm_replace`, says what it would
    replace.
    """
    partner = partnership.partner
    _require_editor(partner, user)
    _check_commitment(partner, program_year=program_year, course=course, teachers=teachers)
    # One writer at a time per partnership: the lookup and the insert cannot interleave.
    DistrictPartnership.objects.select_for_update().filter(pk=partnership.pk).first()
    commitment = DistrictCommitment.objects.filter(
        partnership=partnership, program_year=program_year, course=course
    ).first()
    if commitment is None:
        commitment = DistrictCommitment(
            partnership=partnership, program_year=program_year, course=course
        )
    elif not confirm_replace and commitment.teachers != teachers:
        raise ValidationError(
            {
                "confirm_replace": ValidationError(
                    f"This replaces the {commitment.teachers} "
                    f"teacher{'s' if commitment.teachers != 1 else ''} committed for "
                    f"{course.name} in {program_year}. Tick the box to replace them.",
                    code="replace",
                )
            }
        )
    commitment.teachers = teachers
    # The row was looked up under the lock: the one-per-year-and-course rule holds, and a
    # writer outside the lock is caught at the save below.
    commitment.full_clean(exclude=["partnership"], validate_unique=False)
    with _audited(user):
        try:
            with transaction.atomic():
                commitment.save()
        except IntegrityError:
            raise ValidationError(
                {"course": "This commitment was just set by someone else; reload to see it."}
            ) from None
    return commitment


@transaction.atomic
def commitment_delete(*, commitment: DistrictCommitment, user: User) -> None:
    """Remove a commitment of last, this or next program year (older ones are the record)."""
    _require_editor(commitment.partnership.partner, user)
    years = [year for year, _ in commitment_year_choices()]
    if commitment.program_year not in years:
        raise ValidationError(
            {"program_year": f"Commitments of {commitment.program_year} are kept as the record."}
        )
    with _audited(user):
        DistrictCommitment.objects.filter(pk=commitment.pk).delete()
