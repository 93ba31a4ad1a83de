"""A small program whose every metric is worked out by hand in the tests.

Partner A, program year 2025-26 (the year before: 2024-25). See `program` for the records;
test_selectors.py works out each figure from them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from districts.models import Locale
from districts.tests.factories import (
    DistrictCommitmentFactory,
    DistrictFactory,
    DistrictPartnershipFactory,
    SchoolFactory,
    washington,
)
from events.models import EventKind
from events.tests.factories import EventFactory, RegistrationFactory
from funding.tests.factories import IndependentFundingFactory, approved_award
from geography.models import Region, ZipCode
from partners.models import Partner
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from surveys.models import QuestionKind, SurveyAnswer, SurveyResponse
from surveys.tests.factories import SurveyQuestionFactory
from workshops.models import Attendance, Enrollment, EnrollmentStatus, WorkshopState
from workshops.tests.factories import CourseFactory, SessionFactory, WorkshopFactory
from workshops.tests.factories_attendance import TeachingReportFactory

YEAR = "2025-26"
LAST_YEAR = "2024-25"


@dataclass
class Program:
    a: Partner
    b: Partner
    courses: dict
    schools: dict
    teachers: dict
    workshops: dict
    managers: list
    region_zip: ZipCode


def workshop(partner, course, day, *, sessions=1, state=WorkshopState.ENDED):
    w = WorkshopFactory(partner=partner, course=course, starts_on=day, sessions=0, state=state)
    for n in range(sessions):
        SessionFactory(workshop=w, date=day + datetime.timedelta(days=n))
    return w


def enroll(workshop, teacher, school=None, *, status=EnrollmentStatus.ENROLLED, attended=0):
    """An enrollment; `attended` = how many of the workshop's sessions (in order) they came to."""
    kwargs = {"school": school} if school else {"school_name": "Other School"}
    if not school:
        kwargs["school_zip"] = ZipCode.objects.get(code="98001")
    enrollment = Enrollment.objects.create(
        workshop=workshop, teacher=teacher, status=status, **kwargs
    )
    for session in list(workshop.sessions.order_by("date"))[:attended]:
        Attendance.objects.create(
            session=session, enrollment=enrollment, method=Attendance.Method.CHECKLIST
        )
    return enrollment


def respond(enrollment, ratings: dict):
    response = SurveyResponse.objects.create(enrollment=enrollment)
    for question, rating in ratings.items():
        SurveyAnswer.objects.create(response=response, question=question, rating=rating)
    return response


@pytest.fixture
def program(db) -> Program:
    wa = washington()
    a = PartnerFactory(name="Alder Computing")
    b = PartnerFactory(name="Birch Computing")
    region = Region.objects.create(name="Alder region", status=Region.Status.SERVED, partner=a)
    z1 = ZipCode.objects.create(code="98001", city="Auburn", state=wa, region=region)
    ZipCode.objects.create(code="98002", city="Auburn", state=wa)  # in no region

    c1 = CourseFactory(name="CS Discoveries", order=1)
    c2 = CourseFactory(name="CS Principles", order=2)

    d1, d2, d3 = DistrictFactory(), DistrictFactory(), DistrictFactory()

    def school(district, **kwargs):
        return SchoolFactory(district=district, zip_code=z1, state=wa, **kwargs)

    schools = {
        # Region shares (open schools in 98001):
        "hn": school(
            d1,
            enrollment=400,
            female_share=Decimal("0.5"),
            urm_share=Decimal("0.6"),
            frl_share=Decimal("0.6"),
            locale=Locale.TOWN,
        ),
        "city": school(
            d2,
            enrollment=100,
            female_share=Decimal("0.4"),
            urm_share=Decimal("0.1"),
            frl_share=Decimal("0.3"),
            locale=Locale.CITY,
        ),
        "rural": school(
            d3,
            enrollment=500,
            female_share=None,
            urm_share=Decimal("0.2"),
            frl_share=None,
            locale=Locale.RURAL,
        ),
        "extra": school(
            d3,
            enrollment=None,
            female_share=Decimal("0.5"),
            urm_share=Decimal("0.31"),
            frl_share=Decimal("0.8"),
            locale=Locale.RURAL,
        ),
        "closed": school(
            d3,
            enrollment=1000,
            female_share=Decimal("0.9"),
            urm_share=Decimal("0.9"),
            frl_share=Decimal("0.9"),
            locale=Locale.RURAL,
            is_active=False,
        ),
    }

    t = {f"t{n}": UserFactory(role="teacher", last_name=f"Teacher{n}") for n in range(1, 12)}
    w0 = workshop(a, c1, datetime.date(2024, 9, 10))  # last year
    w1 = workshop(a, c1, datetime.date(2025, 9, 10), sessions=2)
    w2 = workshop(a, c2, datetime.date(2025, 10, 1))
    w3 = workshop(a, c1, datetime.date(2026, 5, 1), state=WorkshopState.PUBLISHED)
    wb = workshop(b, c1, datetime.date(2025, 9, 12))

    # Last year: t1 and three others attended.
    for name in ("t1", "t8", "t9", "t10"):
        enroll(w0, t[name], schools["city"], attended=1)

    e = {}
    e["t1w1"] = enroll(w1, t["t1"], schools["hn"], attended=2)
    e["t1w2"] = enroll(w2, t["t1"], schools["hn"], attended=1)
    e["t2w1"] = enroll(w1, t["t2"], schools["city"], attended=1)
    e["t3w1"] = enroll(w1, t["t3"], None, attended=2)
    e["t4w1"] = enroll(w1, t["t4"], schools["city"], attended=0)
    e["t5w1"] = enroll(w1, t["t5"], schools["hn"], status=EnrollmentStatus.CANCELLED, attended=1)
    e["t6w2"] = enroll(w2, t["t6"], schools["rural"], attended=1)
    e["t7w3"] = enroll(w3, t["t7"], schools["city"], attended=0)
    e["t11wb"] = enroll(wb, t["t11"], schools["city"], attended=1)

    # Teaching reports of the year.
    TeachingReportFactory(
        teacher=t["t1"], course=c1, workshop=w1, school=schools["hn"], program_year=YEAR,
        students=60, female_students=30, urm_students=20,
    )  # fmt: skip
    TeachingReportFactory(
        teacher=t["t2"], course=c1, workshop=w1, school_name="Other School", program_year=YEAR,
        students=40, female_students=10, urm_students=30,
    )  # fmt: skip
    TeachingReportFactory(
        teacher=t["t6"], course=c2, workshop=w2, school=schools["hn"], program_year=YEAR,
        students=25, female_students=20, urm_students=5,
    )  # fmt: skip
    TeachingReportFactory(
        teacher=t["t3"], course=c1, workshop=w1, school_name="other school", program_year=YEAR,
        students=25, female_students=0, urm_students=0,
    )  # fmt: skip
    # Not A's: no workshop, and B's workshop.
    TeachingReportFactory(
        teacher=t["t1"], course=c2, workshop=None, school=schools["hn"], program_year=YEAR,
        students=99, female_students=9, urm_students=9,
    )  # fmt: skip
    TeachingReportFactory(
        teacher=t["t11"], course=c1, workshop=wb, school=schools["city"], program_year=YEAR,
        students=30, female_students=15, urm_students=3,
    )  # fmt: skip

    # District commitments.
    p1 = DistrictPartnershipFactory(partner=a, district=d1)
    p2 = DistrictPartnershipFactory(partner=a, district=d2)
    DistrictCommitmentFactory(partnership=p1, program_year=YEAR, course=c1, teachers=3)
    DistrictCommitmentFactory(partnership=p2, program_year=YEAR, course=c1, teachers=1)
    DistrictCommitmentFactory(partnership=p2, program_year=YEAR, course=c2, teachers=2)

    # Surveys.
    qa = SurveyQuestionFactory(key="qa", text="The workshop was useful.")
    qb = SurveyQuestionFactory(key="qb", text="The facilitators were effective.")
    qt = SurveyQuestionFactory(key="qt", text="Anything else?", kind=QuestionKind.TEXT)
    respond(e["t1w1"], {qa: 5, qb: 4})
    respond(e["t2w1"], {qa: 3})
    response = respond(e["t6w2"], {qa: 4, qb: 2})
    SurveyAnswer.objects.create(response=response, question=qt, text="Great")
    respond(e["t11wb"], {qa: 1, qb: 1})

    # Program managers and summits.
    pm1 = ProgramManagerFactory(partner=a, fte_share=Decimal("0.50"))
    pm2 = ProgramManagerFactory(partner=a, fte_share=Decimal("0.25"))
    gone = ProgramManagerFactory(partner=a, fte_share=Decimal("0.50"))
    gone.user.is_active = False
    gone.user.save()
    autumn = EventFactory(starts_on=datetime.date(2025, 9, 20))
    spring = EventFactory(starts_on=datetime.date(2026, 2, 10))
    earlier = EventFactory(starts_on=datetime.date(2025, 2, 1))
    conference = EventFactory(
        kind=EventKind.TEACHER_CONFERENCE,
        starts_on=datetime.date(2025, 7, 20),
        ends_on=datetime.date(2025, 7, 24),
    )
    for event in (autumn, earlier, conference):
        RegistrationFactory(event=event, user=pm1.user, partner=a, attended=True)
    RegistrationFactory(event=spring, user=pm2.user, partner=a, attended=False)

    # Funding: 300 awarded (approved), 100 independent.
    approved_award(a, program_year=YEAR, food="300.00")
    IndependentFundingFactory(partner=a, program_year=YEAR, amount=Decimal("100.00"))

    return Program(
        a=a,
        b=b,
        courses={"c1": c1, "c2": c2},
        schools=schools,
        teachers=t,
        workshops={"w0": w0, "w1": w1, "w2": w2, "w3": w3, "wb": wb},
        managers=[pm1, pm2, gone],
        region_zip=z1,
    )
