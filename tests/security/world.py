"""Two partners, A and B, with one of every record and the people around each.

The permission matrix and the API contract tests build this once per module. Every URL
keyword has a real value on each side (`Side.kwargs`): the matrix asks for A's records as
each role, then for B's records as the roles whose scope is A (program manager and regional
manager of A, A's applicant, teacher and facilitator), which must find nothing there.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from applications.models import Invitation, RegionReviewer, RegionWaitlist, Review, Status
from applications.tests.factories import CriterionFactory, application_in, current_terms
from core.program_years import program_year_for
from districts.tests.factories import DistrictCommitmentFactory, DistrictPartnershipFactory
from events.tests.factories import EventFactory, MeetupFactory, RegistrationFactory
from facilitators.tests.factories import AccreditationFactory, RosterMemberFactory
from funding.models import Receipt
from funding.tests.factories import (
    DisbursementFactory,
    IndependentFundingFactory,
    SpendingLineFactory,
    SpendingReportFactory,
    approved_award,
)
from geography.models import Region
from metrics.models import Metric, Target
from partners.tests.factories import CheckInNoteFactory, PartnerFactory, ProgramManagerFactory
from surveys.models import QuestionKind, SurveyAnswer, SurveyResponse
from surveys.tests.factories import SurveyQuestionFactory
from workshops.models import Attendance
from workshops.tests.factories import CourseFactory, WorkshopFactory
from workshops.tests.factories_attendance import EnrollmentFactory, TeachingReportFactory

# The roles of the matrix, in its column order. `pm`, `rm` are program and regional manager of
# partner A; `other_rm` is the regional manager of partner B (and of nothing of A's).
ROLES = (
    "anonymous",
    "applicant",
    "teacher",
    "facilitator",
    "pm",
    "rm",
    "other_rm",
    "admin",
)


@dataclass
class Side:
    """One partner and its records; `kwargs` fills any URL keyword with one of them."""

    partner: object
    people: dict
    # Text only this side's scope may see (the leak check looks for it in every answer).
    private: tuple[str, ...] = ()
    kwargs: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    users: dict  # role name -> user (no entry for anonymous)
    shared: dict  # URL keywords whose value is the same on both sides (public records)


def _side(name: str, *, course, rubric, comment_question, year: str) -> Side:
    today = timezone.localdate()
    rm = UserFactory(role="regional_manager", email=f"rm-{name}@example.org")
    partner = PartnerFactory(name=f"Partner {name}", regional_manager=rm)
    pm = ProgramManagerFactory(partner=partner, user__email=f"pm-{name}@example.org").user
    applicant = UserFactory(role="applicant", email=f"applicant-{name}@example.org")
    teacher = UserFactory(role="teacher", email=f"teacher-{name}@example.org")
    facilitator = UserFactory(role="facilitator", email=f"facilitator-{name}@example.org")

    region = Region.objects.create(
        name=f"Region {name}", status=Region.Status.SERVED, partner=partner
    )
    application = application_in(
        Status.IN_REVIEW, applicant=applicant, legal_name=f"Applicant Organization {name}"
    )
    RegionReviewer.objects.create(region=application.region, user=rm)
    review = Review.objects.create(
        application=application,
        reviewer=rm,
        rubric=rubric,
        comment_internal=f"Internal review of {name}",
    )
    RegionWaitlist.objects.create(
        region=region, user=applicant, organization_name=f"Waiting organization {name}"
    )
    invitation = Invitation.objects.create(
        partner=partner, email=f"new-pm-{name}@example.org", fte_share=Decimal("0.25")
    )
    note = CheckInNoteFactory(partner=partner, author=rm, body=f"Check-in note of {name}")
    Target.objects.create(
        partner=partner, program_year=year, metric=Metric.TEACHERS_ATTENDED, value=Decimal("40")
    )

    commitment = DistrictCommitmentFactory(
        partnership=DistrictPartnershipFactory(
            partner=partner, contact_email=f"district-contact-{name}@example.org"
        ),
        course=course,
        program_year=year,
    )
    partnership = commitment.partnership

    AccreditationFactory(facilitator=facilitator, course=course, program_year=year)
    roster = RosterMemberFactory(partner=partner, facilitator=facilitator)

    # An upcoming workshop (enrollment, its roster) and an ended one the teacher attended
    # (attendance, certificate, survey).
    workshop = WorkshopFactory(
        partner=partner, course=course, facilitators=[facilitator], sessions=2
    )
    enrollment = EnrollmentFactory(workshop=workshop, teacher=teacher)
    ended = WorkshopFactory(
        partner=partner,
        course=course,
        facilitators=[facilitator],
        starts_on=today - datetime.timedelta(days=20),
        state="ended",
    )
    attended = EnrollmentFactory(workshop=ended, teacher=teacher)
    Attendance.objects.create(
        session=ended.sessions.get(), enrollment=attended, method=Attendance.Method.CHECKLIST
    )
    survey = SurveyResponse.objects.create(enrollment=EnrollmentFactory(workshop=ended))
    comment = SurveyAnswer.objects.create(
        response=survey, question=comment_question, text=f"Survey comment of {name}"
    )
    TeachingReportFactory(teacher=teacher, course=course, program_year=year)

    meetup = MeetupFactory(host_partner=partner, name=f"Meetup {name}")
    registration = RegistrationFactory(event=meetup, user=teacher, partner=partner, role="teacher")

    award = approved_award(partner, program_year=year, food="1000.00", venue="500.00")
    award.need_justification = f"Funding need of {name}"
    award.save(update_fields=["need_justification"])
    disbursement = DisbursementFactory(award=award, amount=Decimal("200.00"))
    report = SpendingReportFactory(award=award)
    line = SpendingLineFactory(report=report, description=f"Spending line of {name}")
    receipt = Receipt(
        line=line,
        original_name="receipt.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=pm,
    )
    receipt.file.save("receipt.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    token, _secret = api_token_create(user=pm)
    independent = IndependentFundingFactory(
        partner=partner,
        program_year=year,
        source=f"Independent source of {name}",
        created_by=pm,
    )

    kwargs = {
        # Partner-level keywords.
        "slug": partner.slug,
        "partner_pk": partner.pk,
        # Objects, by the keyword names the URLs use; `pk` varies by URL (see the matrix).
        "application": application.pk,
        "invitation": invitation.pk,
        "invitation_token": invitation.token,
        "manager": partner.program_managers.get(user=pm).pk,
        "check_in": note.pk,
        "partnership_pk": partnership.pk,
        "partnership": partnership.pk,
        "district": partnership.district_id,
        "commitment_pk": commitment.pk,
        "member_id": roster.pk,
        "facilitator": facilitator.pk,
        "workshop": workshop.pk,
        "workshop_pk": workshop.pk,
        "ended_workshop": ended.pk,
        "enrollment_pk": enrollment.pk,
        "attended_enrollment": attended.pk,
        "session_pk": workshop.sessions.order_by("date").first().pk,
        "code": attended.certificate_code,
        "event": meetup.pk,
        "registration": registration.pk,
        "award": award.pk,
        "disbursement_pk": disbursement.pk,
        "report": report.pk,
        "line_pk": line.pk,
        "receipt_pk": receipt.pk,
        "independent": independent.pk,
        "region_slug": region.slug,
        "user_id": facilitator.pk,
        "token_key": token.token_key,
    }
    return Side(
        partner=partner,
        private=(
            application.legal_name,
            review.comment_internal,
            note.body,
            partnership.contact_email,
            line.description,
            independent.source,
            award.need_justification,
            comment.text,
            teacher.email,
            pm.email,
        ),
        people={
            "pm": pm,
            "rm": rm,
            "applicant": applicant,
            "teacher": teacher,
            "facilitator": facilitator,
        },
        kwargs=kwargs,
        objects={
            "application": application,
            "workshop": workshop,
            "ended_workshop": ended,
            "enrollment": enrollment,
            "award": award,
            "report": report,
            "meetup": meetup,
            "region": region,
        },
    )


def build_world() -> World:
    year = program_year_for(timezone.localdate())
    terms = current_terms()
    course = CourseFactory(name="Computer Science Discoveries")
    question = SurveyQuestionFactory()
    rubric = CriterionFactory().rubric  # active, for the review pages
    Group.objects.create(name="Program office")
    comment = SurveyQuestionFactory(kind=QuestionKind.TEXT, required=False)
    a = _side("A", course=course, rubric=rubric, comment_question=comment, year=year)
    b = _side("B", course=course, rubric=rubric, comment_question=comment, year=year)
    admin = UserFactory(role="program_admin", email="admin@example.org")
    summit = EventFactory(name="Summit")
    RegistrationFactory(event=summit, user=a.people["pm"], partner=a.partner)
    users = {
        "applicant": a.people["applicant"],
        "teacher": a.people["teacher"],
        "facilitator": a.people["facilitator"],
        "pm": a.people["pm"],
        "rm": a.people["rm"],
        "other_rm": b.people["rm"],
        "admin": admin,
    }
    teacher = a.people["teacher"]
    shared = {
        "version": terms.version,
        "metric": Metric.TEACHERS_ATTENDED.value,
        "section": "organization",
        "question": question.pk,
        "summit": summit.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(teacher.pk)),
        "token": default_token_generator.make_token(teacher),
        "format": "json",
        "unknown": "no-such-endpoint/",
    }
    return World(a=a, b=b, users=users, shared=shared)
