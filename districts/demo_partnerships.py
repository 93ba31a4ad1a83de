"""Fictional, deterministic district partnerships for the demo partners.

Called by the demo seed after `districts.demo.demo_schools` (the districts must exist and
the ZIP lookup index be fresh): every active demo partner gets two to six partnerships with
demo districts in its area (`districts.selectors.districts_in_area`), each with a named,
fictional contact at an `@example.org` address, and commitments per course it offers for
the previous and the current program year. One active partner in four (the second, the
sixth, ...) has no commitment for the current year yet, so the demo shows an at-risk
district commitment; every other partner has at least one. Written with
bulk_create (no audit entries, as for the rest of the demo).
"""

import datetime
import random

from core.demo_names import random_name
from core.program_years import previous_program_year, program_year_for

from .models import DistrictCommitment, DistrictPartnership
from .selectors import districts_in_area

MIN_PARTNERSHIPS, MAX_PARTNERSHIPS = 2, 6
# The second active partner (by name), and every AT_RISK_EVERY-th after it, has no
# commitment this year yet: there is one at-risk partner as soon as there are two.
AT_RISK_EVERY = 4
CURRENT_YEAR_SHARE = 0.85  # of partnerships with a commitment this year, at the others
PREVIOUS_YEAR_SHARE = 0.75

TITLES = (
    "Director of Teaching and Learning",
    "Curriculum Coordinator",
    "STEM Coordinator",
    "Assistant Superintendent",
    "Director of Career and Technical Education",
    "Instructional Technology Coordinator",
)


def demo_partnerships_delete() -> int:
    """Delete the partnerships (and their commitments) with demo districts; rows deleted.

    Call it before `districts.demo.demo_schools_delete`: a partnership protects its district.
    """
    deleted, _ = DistrictPartnership.objects.filter(district__is_demo=True).delete()
    return deleted


def demo_partnerships(*, rng: random.Random, partners: list, today: datetime.date) -> int:
    """Create the demo district partnerships and commitments; returns the rows created.

    Only active partners get partnerships. Deterministic for a given `rng` state, list of
    partners and demo districts.
    """
    from partners.models import Partner

    this_year = program_year_for(today)
    last_year = previous_program_year(this_year)
    active = sorted(
        (p for p in partners if p.status == Partner.Status.ACTIVE), key=lambda p: (p.name, p.pk)
    )
    partnerships: list[DistrictPartnership] = []
    # (partner, district, commitments this year: "none", "sure" or "likely", courses)
    plans: list[tuple[int, int, str, list]] = []
    used_emails: set[str] = set()
    for number, partner in enumerate(active):
        districts = list(
            districts_in_area(partner)
            .filter(is_demo=True)
            .exclude(partnerships__partner=partner)
            .order_by("nces_id")
            .values_list("pk", flat=True)
        )
        if not districts:
            continue
        courses = list(partner.courses.filter(is_active=True).order_by("order", "name"))
        at_risk = number % AT_RISK_EVERY == 1
        count = min(len(districts), rng.randint(MIN_PARTNERSHIPS, MAX_PARTNERSHIPS))
        for index, district_id in enumerate(rng.sample(districts, count)):
            first, last = random_name(rng)
            email = f"{first}.{last}@example.org".lower()
            n = 2
            while email in used_emails:
                email, n = f"{first}.{last}{n}@example.org".lower(), n + 1
            used_emails.add(email)
            partnerships.append(
                DistrictPartnership(
                    partner=partner,
                    district_id=district_id,
                    since=today - datetime.timedelta(days=rng.randint(90, 1500)),
                    contact_name=f"{first} {last}",
                    contact_title=rng.choice(TITLES),
                    contact_email=email,
                    contact_phone=f"(555) 555-{rng.randint(100, 199):04d}",
                )
            )
            this_year_plan = "none" if at_risk else ("sure" if index == 0 else "likely")
            plans.append((partner.pk, district_id, this_year_plan, courses))
    if not partnerships:
        return 0
    DistrictPartnership.objects.bulk_create(partnerships, batch_size=500)
    # Read the ids back rather than rely on the backend returning them from a bulk insert.
    ids = {
        (partner_id, district_id): pk
        for pk, partner_id, district_id in DistrictPartnership.objects.filter(
            partner__in={p.pk for p in active}, district__is_demo=True
        ).values_list("pk", "partner_id", "district_id")
    }

    commitments: list[DistrictCommitment] = []
    for (partner_id, district_id, this_year_plan, courses), partnership in zip(
        plans, partnerships, strict=True
    ):
        if not courses:
            continue
        pk = ids[(partner_id, district_id)]
        years = []
        if partnership.since <= today - datetime.timedelta(days=365) and (
            rng.random() < PREVIOUS_YEAR_SHARE
        ):
            years.append(last_year)
        if this_year_plan == "sure" or (
            this_year_plan == "likely" and rng.random() < CURRENT_YEAR_SHARE
        ):
            years.append(this_year)
        for year in years:
            for course in rng.sample(courses, rng.randint(1, min(2, len(courses)))):
                commitments.append(
                    DistrictCommitment(
                        partnership_id=pk,
                        program_year=year,
                        course=course,
                        teachers=rng.randint(2, 24),
                    )
                )
    DistrictCommitment.objects.bulk_create(commitments, batch_size=500)
    return len(partnerships) + len(commitments)
