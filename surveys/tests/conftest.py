"""The survey tests' shared picture of a small program with answered surveys."""

import pytest

from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.tests.factories import CourseFactory

from .factories import attendee, ended_workshop, enroll, respond


@pytest.fixture
def program(make_user):
    """Partner A runs two workshops of one course, partner B one (all ended).

    a1 (facilitated by f1): 4 attendees and an absentee; overall_quality 5 and 3.
    a2 (facilitated by f2): 2 attendees; overall_quality 2, with a written answer.
    b1 (facilitated by f3): 1 attendee; overall_quality 4.
    """
    course = CourseFactory()
    partner_a, partner_b = PartnerFactory(), PartnerFactory()
    pm_a = ProgramManagerFactory(partner=partner_a).user
    f1, f2, f3 = (make_user(role="facilitator") for _ in range(3))
    a1 = ended_workshop(
        partner=partner_a, course=course, facilitators=[f1], title="Alpha One Intensive"
    )
    a2 = ended_workshop(
        partner=partner_a, course=course, facilitators=[f2], title="Alpha Two Follow-up"
    )
    b1 = ended_workshop(
        partner=partner_b, course=course, facilitators=[f3], title="Bravo Intensive"
    )
    a1_people = [attendee(a1) for _ in range(4)]
    enroll(a1)
    respond(a1_people[0], ratings={"overall_quality": 5, "readiness": 4})
    respond(a1_people[1], ratings={"overall_quality": 3})
    a2_people = [attendee(a2) for _ in range(2)]
    respond(a2_people[0], ratings={"overall_quality": 2}, texts={"improve": "More <b>time</b>"})
    respond(attendee(b1), ratings={"overall_quality": 4}, texts={"best": "B's secret"})
    return {
        "course": course,
        "a": partner_a,
        "b": partner_b,
        "pm_a": pm_a,
        "f1": f1,
        "f2": f2,
        "f3": f3,
        "a1": a1,
        "a2": a2,
        "b1": b1,
    }
