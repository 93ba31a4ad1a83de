"""Writes for regions, and the ZIP lookup index they keep fresh."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.audit import audited
from core.slugs import unique_slug

from .models import (
    County,
    MatchLevel,
    Region,
    RegionCounty,
    RegionState,
    RegionZip,
    State,
    ZipCode,
)
from .zips import MalformedZip, normalize_zip

if TYPE_CHECKING:
    from partners.models import Partner


@transaction.atomic
def regions_reindex(*, state_ids: Iterable[int] | None = None) -> int:
    """Recompute which region each ZIP resolves to: ZIP, then county, then state.

    Limited to ZIPs of `state_ids` when given (a region change touches only its states).
    Returns the number of ZIP codes whose resolution changed.
    """
    zips = ZipCode.objects.all()
    if state_ids is not None:
        state_ids = set(state_ids)
        if not state_ids:
            return 0
        zips = zips.filter(state_id__in=state_ids)
    by_zip = dict(RegionZip.objects.values_list("zip_code_id", "region_id"))
    by_county = dict(RegionCounty.objects.values_list("county_id", "region_id"))
    by_state = dict(RegionState.objects.values_list("state_id", "region_id"))

    # Group the changes by their new value: one UPDATE per (region, level), not one per ZIP.
    changes: dict[tuple[int | None, str], list[int]] = defaultdict(list)
    rows = zips.values_list("id", "state_id", "county_id", "region_id", "matched_on")
    for pk, state_id, county_id, region_id, matched_on in rows:
        if pk in by_zip:
            resolved = (by_zip[pk], MatchLevel.ZIP.value)
        elif county_id in by_county:
            resolved = (by_county[county_id], MatchLevel.COUNTY.value)
        elif state_id in by_state:
            resolved = (by_state[state_id], MatchLevel.STATE.value)
        else:
            resolved = (None, "")
        if (region_id, matched_on) != resolved:
            changes[resolved].append(pk)
    for (region_id, matched_on), ids in changes.items():
        for start in range(0, len(ids), 5000):
            ZipCode.objects.filter(pk__in=ids[start : start + 5000]).update(
                region_id=region_id, matched_on=matched_on
            )
    return sum(len(ids) for ids in changes.values())


# --- Region management: the web workspace for program admins (issue 3) ---------------------

# Paths of the region workspace that a region's slug must never shadow (geography/urls.py).
RESERVED_SLUGS = frozenset({"new", "counties", "demand"})
PARTNERED_STATUSES = frozenset({Region.Status.SERVED, Region.Status.ONBOARDING})
MAX_ZIP_ROWS = 5000
RACE_MESSAGE = (
    "Another change to the regions was saved at the same moment, so nothing was saved. "
    "Check the form and save again."
)


def _audited(user):
    return audited(user, label="region")


def region_validate(
    *,
    region: Region | None,
    status: str,
    partner: "Partner | None",
    states: Iterable[State] = (),
    counties: Iterable[County] = (),
    name: str | None = None,
) -> None:
    """Raise a ValidationError, keyed by field, for what the database would refuse.

    Used by the form (to explain before saving) and by the services (to refuse before
    writing): a state or county claimed by another region at the same level, a partner
    that does not match the status, a name already taken.
    """
    errors: dict[str, list[str]] = defaultdict(list)
    others = Region.objects.all() if region is None else Region.objects.exclude(pk=region.pk)
    if name is not None and others.filter(name__iexact=name.strip()).exists():
        errors["name"].append(f"There is already a region named '{name.strip()}'.")
    if status in PARTNERED_STATUSES and partner is None:
        label = Region.Status(status).label.lower()
        errors["partner"].append(
            f"A {label} region needs its Regional Partner: choose one, "
            "or set the status to open or closed."
        )
    elif status not in PARTNERED_STATUSES and partner is not None:
        errors["partner"].append(
            "An open or closed region has no partner: clear the partner, "
            "or set the status to served or onboarding."
        )
    state_ids = [state.pk for state in states]
    if state_ids:
        taken = (
            RegionState.objects.filter(state_id__in=state_ids, region__in=others)
            .select_related("state", "region")
            .order_by("state__name")
        )
        errors["states"].extend(
            f"{link.state.name} is already in region '{link.region.name}' at state level."
            for link in taken
        )
    county_ids = [county.pk for county in counties]
    if county_ids:
        taken = (
            RegionCounty.objects.filter(county_id__in=county_ids, region__in=others)
            .select_related("county__state", "region")
            .order_by("county__state__name", "county__name")
        )
        errors["counties"].extend(
            f"{link.county} is already in region '{link.region.name}' at county level."
            for link in taken
        )
    errors = {key: messages for key, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def _region_slug(name: str) -> str:
    slug = unique_slug(Region, name, max_length=140)
    if slug in RESERVED_SLUGS:
        slug = unique_slug(Region, f"{name} region", max_length=140)
    return slug


def _links_replace(region: Region, *, states: Iterable[State], counties: Iterable[County]) -> None:
    """Make the region's state and county links exactly these: delete the removed, add the new.

    One save or delete per link, not bulk writes: the signals then refresh the ZIP lookup
    index after commit, and auditlog keeps each addition and removal in the history.
    """
    wanted_states = {state.pk: state for state in states}
    current = set(region.state_links.values_list("state_id", flat=True))
    for link in region.state_links.exclude(state_id__in=wanted_states).select_related(
        "region", "state"
    ):
        link.delete()
    for state_id in wanted_states.keys() - current:
        RegionState.objects.create(region=region, state=wanted_states[state_id])

    wanted_counties = {county.pk: county for county in counties}
    current = set(region.county_links.values_list("county_id", flat=True))
    for link in region.county_links.exclude(county_id__in=wanted_counties).select_related(
        "region", "county__state"
    ):
        link.delete()
    for county_id in wanted_counties.keys() - current:
        RegionCounty.objects.create(region=region, county=wanted_counties[county_id])


def _refusal(error: IntegrityError, **check) -> ValidationError:
    """A lost race with another save: explain it with the rule it broke, when one applies."""
    try:
        region_validate(**check)
    except ValidationError as explained:
        return explained
    return ValidationError(RACE_MESSAGE)


def region_create(
    *,
    user,
    name: str,
    status: str,
    partner: "Partner | None" = None,
    description: str = "",
    states: Iterable[State] = (),
    counties: Iterable[County] = (),
) -> Region:
    """Create a region with its whole states and counties; the history names `user`."""
    states, counties = list(states), list(counties)
    check = {
        "region": None,
        "name": name,
        "status": status,
        "partner": partner,
        "states": states,
        "counties": counties,
    }
    try:
        with _audited(user), transaction.atomic():
            region_validate(**check)
            region = Region(
                name=name.strip(),
                slug=_region_slug(name.strip()),
                status=status,
                partner=partner,
                description=description,
            )
            region.full_clean()
            region.save()
            _links_replace(region, states=states, counties=counties)
    except IntegrityError as error:
        # The checks above ran, so another transaction claimed a unit or the name meanwhile.
        raise _refusal(error, **check) from error
    return region


def region_update(
    *,
    region: Region,
    user,
    name: str,
    status: str,
    partner: "Partner | None",
    description: str,
    states: Iterable[State],
    counties: Iterable[County],
) -> Region:
    """Change a region and make its state and county links exactly `states` and `counties`.

    The slug stays as it is when the name changes: people link to the region's pages.
    """
    states, counties = list(states), list(counties)
    check = {
        "region": region,
        "name": name,
        "status": status,
        "partner": partner,
        "states": states,
        "counties": counties,
    }
    try:
        with _audited(user), transaction.atomic():
            region = Region.objects.select_for_update().get(pk=region.pk)
            check["region"] = region
            region_validate(**check)
            region.name = name.strip()
            region.status = status
            region.partner = partner
            region.description = description
            region.full_clean()
            region.save()
            _links_replace(region, states=states, counties=counties)
    except IntegrityError as error:
        raise _refusal(error, **check) from error
    return region


class ZipOutcome(StrEnum):
    ACCEPTED = "accepted"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    CLAIMED = "claimed"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return {
            "accepted": "Accepted",
            "malformed": "Not a ZIP code",
            "unknown": "Unknown ZIP code",
            "claimed": "In another region",
            "duplicate": "Repeated",
        }[self.value]


@dataclass(frozen=True)
class ZipImportLine:
    """One entry of an import: where it was (line), what it said, and what became of it."""

    line: int
    value: str
    outcome: ZipOutcome
    zip_code: str = ""
    detail: str = ""


@dataclass
class ZipImportReport:
    lines: list[ZipImportLine] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    replace: bool = False
    # Replacing with a list in which nothing was accepted would empty the region: refused.
    replace_refused: bool = False

    def count(self, outcome: ZipOutcome) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def counts(self) -> list[tuple[ZipOutcome, int]]:
        return [(outcome, self.count(outcome)) for outcome in ZipOutcome]

    @property
    def accepted(self) -> int:
        return self.count(ZipOutcome.ACCEPTED)

    @property
    def problems(self) -> int:
        return len(self.lines) - self.accepted


def _zip_accepted_detail(zip_code: ZipCode, region: Region, linked: bool) -> str:
    if linked:
        return "Already in this region."
    if zip_code.region_id and zip_code.region_id != region.pk:
        # Not a conflict (another level), but the person should know the ZIP changes hands.
        level = MatchLevel(zip_code.matched_on).label.lower() if zip_code.matched_on else "?"
        return f"Moves here from region '{zip_code.region.name}' ({level} level)."
    return ""


def region_zips_import(
    *, region: Region, user, rows: list[tuple[int, str]], replace: bool
) -> ZipImportReport:
    """Link the well-formed, known, unclaimed ZIP codes of `rows` to `region`; report each row.

    `rows` are (line number, text) pairs as the person typed or uploaded them. With `replace`,
    the region's ZIP links not among the accepted ones are removed. Everything is linked in
    one transaction; a row that cannot be linked is reported, not fatal.
    """
    if len(rows) > MAX_ZIP_ROWS:
        raise ValidationError(f"At most {MAX_ZIP_ROWS:,} ZIP codes per import: split the list.")
    report = ZipImportReport(replace=replace)
    first_line: dict[str, int] = {}
    parsed: list[tuple[int, str, str]] = []
    for line, value in rows:
        try:
            code = normalize_zip(value)
        except MalformedZip as error:
            report.lines.append(ZipImportLine(line, value, ZipOutcome.MALFORMED, "", str(error)))
            continue
        if code in first_line:
            detail = f"{code} is already on line {first_line[code]}."
            report.lines.append(ZipImportLine(line, value, ZipOutcome.DUPLICATE, code, detail))
            continue
        first_line[code] = line
        parsed.append((line, value, code))

    try:
        with _audited(user), transaction.atomic():
            region = Region.objects.select_for_update().get(pk=region.pk)
            known = {
                zip_code.code: zip_code
                for zip_code in ZipCode.objects.filter(code__in=first_line).select_related(
                    "state", "region"
                )
            }
            claimed = dict(
                RegionZip.objects.filter(zip_code__code__in=first_line)
                .exclude(region=region)
                .values_list("zip_code__code", "region__name")
            )
            current = set(region.zip_links.values_list("zip_code__code", flat=True))
            accepted: dict[str, ZipCode] = {}
            for line, value, code in parsed:
                if code not in known:
                    detail = f"{code} is not a known US ZIP code."
                    outcome = ZipOutcome.UNKNOWN
                elif code in claimed:
                    detail = f"{code} is already in region '{claimed[code]}' at ZIP level."
                    outcome = ZipOutcome.CLAIMED
                else:
                    detail = _zip_accepted_detail(known[code], region, code in current)
                    outcome = ZipOutcome.ACCEPTED
                    accepted[code] = known[code]
                report.lines.append(ZipImportLine(line, value, outcome, code, detail))

            if replace and not accepted:
                report.replace_refused = bool(current)
            elif replace:
                for link in region.zip_links.exclude(zip_code__code__in=accepted).select_related(
                    "region", "zip_code__state"
                ):
                    link.delete()
                    report.removed += 1
            for code in accepted.keys() - current:
                RegionZip.objects.create(region=region, zip_code=accepted[code])
                report.added += 1
    except IntegrityError as error:
        # Another region claimed one of these ZIPs between the check and the insert.
        raise ValidationError(RACE_MESSAGE) from error
    report.lines.sort(key=lambda entry: entry.line)
    return report


def interest_notify(*, region_id: int) -> int:
    """Tell everyone who asked for a partner in a region that one now serves it (once each).

    Runs after the commit that made the region served; returns the number of emails sent.
    """
    from django.conf import settings
    from django.core.mail import get_connection, send_mass_mail
    from django.urls import reverse
    from django.utils import timezone

    from .models import InterestSignup

    region = Region.objects.select_related("partner").filter(pk=region_id).first()
    if region is None or region.partner is None or region.status != Region.Status.SERVED:
        return 0
    signups = list(InterestSignup.objects.filter(zip_code__region=region, notified_at__isnull=True))
    if not signups:
        return 0
    profile = reverse("partners:profile", kwargs={"slug": region.partner.slug})
    body = (
        f"Good news: {region.partner.name} is now the Regional Partner for {region.name}.\n\n"
        f"See what it offers and how to reach it: {settings.SITE_URL}{profile}\n\n"
        "You asked us to tell you once; we will not write again about this."
    )
    subject = f"A Regional Partner now serves {region.name}"
    messages = [(subject, body, None, [signup.email]) for signup in signups]
    sent = send_mass_mail(messages, connection=get_connection())
    InterestSignup.objects.filter(pk__in=[s.pk for s in signups]).update(notified_at=timezone.now())
    return sent
