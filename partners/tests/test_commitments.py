import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from districts.tests.factories import CourseFactory, DistrictCommitmentFactory
from events.models import EventKind
from facilitators.models import Accreditation, AccreditationStatus, RosterMember
from partners.commitments import CommitmentState, open_tasks, partner_commitments
from partners.models import Partner
from partners.tests.factories import (
    PartnerFactory,
    ProgramManagerFactory,
    event_registration,
    program_event,
)

YEAR = "2026-27"
TODAY = datetime.date(2026, 11, 15)  # after the September summit, before February's
SUMMIT, CONFERENCE, MEETUP = EventKind.SUMMIT, EventKind.TEACHER_CONFERENCE, EventKind.MEETUP


@pytest.fixture
def partner(db):
    partner = PartnerFactory(
        name="Cascade Computing",
        active_since=datetime.date(2025, 3, 1),
        description="A hub",
        contact_email="hello@cascade.example.org",
    )
    ProgramManagerFactory(partner=partner, fte_share=Decimal("0.50"))
    return partner


def judge(partner, today=TODAY, year=YEAR):
    return {c.key: c for c in partner_commitments([partner], program_year=year, today=today)[
        partner.pk
    ]}  # fmt: skip


# --- Program managers -------------------------------------------------------------------------


@pytest.mark.django_db
def test_half_a_position_is_met(partner):
    commitment = judge(partner)["program_managers"]
    assert commitment.state == CommitmentState.MET
    assert commitment.detail == "0.50 FTE"
    assert commitment.action_url == ""


@pytest.mark.django_db
def test_below_half_a_position_is_missed_with_an_invite_task(db):
    partner = PartnerFactory()
    ProgramManagerFactory(partner=partner, fte_share=Decimal("0.30"))
    commitment = judge(partner)["program_managers"]
    assert commitment.state == CommitmentState.MISSED
    assert commitment.detail == "0.30 FTE of the 0.5 required"
    assert commitment.action_label == "Invite a program manager"
    assert commitment.action_url == f"/manage/partners/{partner.slug}/managers/"


@pytest.mark.django_db
def test_a_deactivated_managers_share_does_not_count(partner):
    ProgramManagerFactory(partner=partner, fte_share=Decimal("0.30"))
    first = partner.program_managers.order_by("pk").first().user
    first.is_active = False
    first.save()
    commitment = judge(partner)["program_managers"]
    assert commitment.state == CommitmentState.MISSED
    assert commitment.detail.startswith("0.30 FTE")


# --- Summits ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_summits_not_scheduled_yet_are_on_track(partner):
    judged = judge(partner, today=datetime.date(2026, 8, 1))
    assert judged["summit_september"].state == CommitmentState.ON_TRACK
    assert judged["summit_september"].detail == "Not scheduled yet"
    assert judged["summit_february"].state == CommitmentState.ON_TRACK


@pytest.mark.django_db
def test_a_season_passed_with_no_summit_asks_nothing(partner):
    # The autumn half (July-December) is over in January, with no summit held in it.
    assert "summit_september" not in judge(partner, today=datetime.date(2027, 1, 15))


@pytest.mark.django_db
def test_upcoming_summit_without_a_registered_manager_is_at_risk(partner):
    summit = program_event(SUMMIT, datetime.date(2027, 2, 10), name="February Summit 2027")
    commitment = judge(partner)["summit_february"]
    assert commitment.state == CommitmentState.AT_RISK
    assert commitment.action_label == "Register for the February Summit 2027"
    assert commitment.action_url == summit.get_absolute_url()


@pytest.mark.django_db
def test_upcoming_summit_with_a_registered_manager_is_on_track(partner):
    summit = program_event(SUMMIT, datetime.date(2027, 2, 10))
    event_registration(summit, partner, "program_manager")
    commitment = judge(partner)["summit_february"]
    assert commitment.state == CommitmentState.ON_TRACK
    assert commitment.action_url == ""


@pytest.mark.django_db
def test_a_teacher_or_a_cancelled_place_does_not_count_for_a_summit(partner):
    summit = program_event(SUMMIT, datetime.date(2027, 2, 10))
    event_registration(summit, partner, "teacher")
    event_registration(summit, partner, "program_manager", status="cancelled")
    other = PartnerFactory()
    event_registration(summit, other, "program_manager")  # another partner's manager
    assert judge(partner)["summit_february"].state == CommitmentState.AT_RISK


@pytest.mark.django_db
def test_summit_attended_by_a_manager_is_met(partner):
    summit = program_event(SUMMIT, datetime.date(2026, 9, 20), ends_on=datetime.date(2026, 9, 21))
    event_registration(summit, partner, "program_manager", attended=True)
    assert judge(partner)["summit_september"].state == CommitmentState.MET


@pytest.mark.django_db
def test_summit_over_without_a_manager_is_missed(partner):
    summit = program_event(SUMMIT, datetime.date(2026, 9, 20))
    event_registration(summit, partner, "program_manager", attended=False, marked=True)
    commitment = judge(partner)["summit_september"]
    assert commitment.state == CommitmentState.MISSED
    assert commitment.action_url == ""


@pytest.mark.django_db
def test_summit_over_before_the_partner_joined_is_left_out(db):
    late = PartnerFactory(active_since=datetime.date(2026, 10, 1))
    program_event(SUMMIT, datetime.date(2026, 9, 20))
    assert "summit_september" not in judge(late)
    # ... but a summit still ahead of it counts.
    program_event(SUMMIT, datetime.date(2027, 2, 10))
    assert judge(late)["summit_february"].state == CommitmentState.AT_RISK


@pytest.mark.django_db
def test_without_active_since_the_creation_date_is_the_join_date(db):
    from django.utils import timezone

    joined_in_october = PartnerFactory(active_since=None)
    Partner.objects.filter(pk=joined_in_october.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 10, 1, 12))
    )
    joined_in_october.refresh_from_db()
    program_event(SUMMIT, datetime.date(2026, 9, 20))
    assert "summit_september" not in judge(joined_in_october)
    joined_in_october.active_since = datetime.date(2026, 8, 1)  # active before the summit
    assert judge(joined_in_october)["summit_september"].state == CommitmentState.MISSED


def register_manager_of_both(event, partner, other, *, attended=False, marked=None):
    """One person, program manager of both partners, registered once (naming `partner`)."""
    from events.models import EventRegistration

    user = ProgramManagerFactory(partner=partner, fte_share=Decimal("0.05")).user
    ProgramManagerFactory(partner=other, user=user, fte_share=Decimal("0.50"))
    return EventRegistration.objects.create(
        event=event,
        user=user,
        partner=partner,
        role="program_manager",
        attended=attended,
        attendance_marked_at=timezone.now() if (attended if marked is None else marked) else None,
    )


@pytest.mark.django_db
def test_a_manager_of_two_partners_attending_once_counts_for_both(partner):
    other = PartnerFactory(active_since=datetime.date(2025, 3, 1))
    summit = program_event(SUMMIT, datetime.date(2026, 9, 20))
    register_manager_of_both(summit, partner, other, attended=True)
    assert judge(partner)["summit_september"].state == CommitmentState.MET
    assert judge(other)["summit_september"].state == CommitmentState.MET


@pytest.mark.django_db
def test_a_manager_of_two_partners_registered_once_is_on_track_for_both(partner):
    other = PartnerFactory(active_since=datetime.date(2025, 3, 1))
    summit = program_event(SUMMIT, datetime.date(2027, 2, 10))
    register_manager_of_both(summit, partner, other)
    for judged in (judge(partner), judge(other)):
        assert judged["summit_february"].state == CommitmentState.ON_TRACK
        assert judged["summit_february"].action_url == ""  # no task that dead-ends
    commitments = partner_commitments([other], program_year=YEAR, today=TODAY)[other.pk]
    assert summit.get_absolute_url() not in [url for _, url in open_tasks(commitments, other)]


@pytest.mark.django_db
def test_a_manager_no_longer_with_the_partner_does_not_count_for_it(partner):
    summit = program_event(SUMMIT, datetime.date(2026, 9, 20))
    registration = event_registration(summit, partner, "program_manager", attended=True)
    assert judge(partner)["summit_september"].state == CommitmentState.MET
    partner.program_managers.filter(user=registration.user).delete()
    assert judge(partner)["summit_september"].state == CommitmentState.MISSED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("held_on", "key"),
    [(datetime.date(2026, 10, 8), "summit_september"),
     (datetime.date(2026, 7, 20), "summit_september"),
     (datetime.date(2027, 3, 4), "summit_february"),
     (datetime.date(2027, 1, 12), "summit_february")],
)  # fmt: skip
def test_a_summit_outside_september_and_february_is_judged_by_its_half_year(partner, held_on, key):
    summit = program_event(SUMMIT, held_on, name="Moved Summit")
    event_registration(summit, partner, "program_manager", attended=True)
    judged = judge(partner, today=datetime.date(2027, 6, 1))
    assert judged[key].state == CommitmentState.MET
    assert judged[key].label in ("September summit", "February summit")
    assert judged[key].detail == "A program manager attended the Moved Summit"


@pytest.mark.django_db
def test_the_autumn_summit_is_not_scheduled_yet_until_the_half_year_ends(partner):
    assert judge(partner, today=datetime.date(2026, 12, 31))["summit_september"].detail == (
        "Not scheduled yet"
    )
    assert "summit_september" not in judge(partner, today=datetime.date(2027, 1, 1))


@pytest.mark.django_db
def test_a_summit_over_is_at_risk_until_attendance_is_recorded(partner):
    summit = program_event(SUMMIT, datetime.date(2026, 9, 20), name="September Summit 2026")
    registration = event_registration(summit, partner, "program_manager")
    commitment = judge(partner)["summit_september"]
    assert commitment.state == CommitmentState.AT_RISK
    assert commitment.detail == "Attendance not recorded yet for the September Summit 2026"
    assert commitment.action_url == ""
    # Attendance taken (by anyone, for anyone at the event): now it is judged.
    other = PartnerFactory()
    event_registration(summit, other, "program_manager", marked=True)
    assert judge(partner)["summit_september"].state == CommitmentState.MISSED
    registration.attended = True
    registration.save()
    assert judge(partner)["summit_september"].state == CommitmentState.MET


@pytest.mark.django_db
def test_a_summit_over_without_anyone_registered_is_missed_at_once(partner):
    program_event(SUMMIT, datetime.date(2026, 9, 20))
    assert judge(partner)["summit_september"].state == CommitmentState.MISSED


# --- Teacher conference ---------------------------------------------------------------------


@pytest.fixture
def conference(db):
    return program_event(
        CONFERENCE,
        datetime.date(2027, 6, 21),
        ends_on=datetime.date(2027, 6, 25),
        name="Teacher Conference 2027",
    )


@pytest.mark.django_db
def test_conference_with_teachers_but_no_manager_is_at_risk(partner, conference):
    for _ in range(3):
        event_registration(conference, partner, "teacher")
    commitment = judge(partner)["teacher_conference"]
    assert commitment.state == CommitmentState.AT_RISK
    assert commitment.detail == "3 teachers registered; no program manager yet"
    assert commitment.action_url == conference.get_absolute_url()


@pytest.mark.django_db
def test_conference_with_a_manager_but_no_teacher_is_at_risk(partner, conference):
    event_registration(conference, partner, "program_manager")
    commitment = judge(partner)["teacher_conference"]
    assert commitment.state == CommitmentState.AT_RISK
    assert commitment.detail == "0 teachers registered; a program manager registered"


@pytest.mark.django_db
def test_conference_with_a_manager_and_teachers_registered_is_on_track(partner, conference):
    event_registration(conference, partner, "program_manager")
    event_registration(conference, partner, "teacher")
    assert judge(partner)["teacher_conference"].state == CommitmentState.ON_TRACK


@pytest.mark.django_db
def test_conference_attended_by_a_manager_and_a_teacher_is_met(partner, conference):
    event_registration(conference, partner, "program_manager", attended=True)
    event_registration(conference, partner, "teacher", attended=True)
    event_registration(conference, partner, "teacher", attended=False)
    commitment = judge(partner, today=datetime.date(2027, 6, 30))["teacher_conference"]
    assert commitment.state == CommitmentState.MET
    assert commitment.detail == "1 teacher attended with a program manager"


@pytest.mark.django_db
def test_conference_over_is_at_risk_until_attendance_is_recorded(partner, conference):
    event_registration(conference, partner, "program_manager")
    event_registration(conference, partner, "teacher")
    commitment = judge(partner, today=datetime.date(2027, 6, 30))["teacher_conference"]
    assert commitment.state == CommitmentState.AT_RISK
    assert commitment.detail == "Attendance not recorded yet for the Teacher Conference 2027"


@pytest.mark.django_db
def test_conference_counts_a_manager_of_two_partners_for_both(partner, conference):
    other = PartnerFactory(active_since=datetime.date(2025, 3, 1))
    register_manager_of_both(conference, partner, other, attended=True)
    event_registration(conference, other, "teacher", attended=True)
    commitment = judge(other, today=datetime.date(2027, 6, 30))["teacher_conference"]
    assert commitment.state == CommitmentState.MET


@pytest.mark.django_db
def test_conference_over_without_teachers_is_missed(partner, conference):
    event_registration(conference, partner, "program_manager", attended=True)
    commitment = judge(partner, today=datetime.date(2027, 6, 30))["teacher_conference"]
    assert commitment.state == CommitmentState.MISSED
    assert commitment.detail == "No teacher attended"


# --- District commitments --------------------------------------------------------------------


@pytest.mark.django_db
def test_district_commitments_for_the_year_are_met(partner):
    first = DistrictCommitmentFactory(partnership__partner=partner, program_year=YEAR, teachers=30)
    DistrictCommitmentFactory(
        partnership=first.partnership, program_year=YEAR, teachers=2, course=CourseFactory()
    )
    DistrictCommitmentFactory(partnership__partner=partner, program_year=YEAR, teachers=5)
    DistrictCommitmentFactory(partnership__partner=partner, program_year="2025-26", teachers=9)
    commitment = judge(partner)["district_commitments"]
    assert commitment.state == CommitmentState.MET
    assert commitment.detail == "2 districts commit 37 teachers; 0 of them attended so far"


@pytest.mark.django_db
def test_no_district_commitment_is_at_risk_then_missed(partner):
    DistrictCommitmentFactory(partnership__partner=partner, program_year="2025-26")
    during = judge(partner)["district_commitments"]
    assert during.state == CommitmentState.AT_RISK
    assert during.action_url == f"/manage/partners/{partner.slug}/districts/"
    after = judge(partner, today=datetime.date(2027, 7, 2))["district_commitments"]
    assert after.state == CommitmentState.MISSED


# --- Facilitators -------------------------------------------------------------------------------


def accredit(partner, course, *, year=YEAR, status=AccreditationStatus.ACCREDITED):
    from accounts.tests.factories import UserFactory

    facilitator = UserFactory(role="facilitator")
    Accreditation.objects.create(
        facilitator=facilitator, course=course, program_year=year, status=status
    )
    RosterMember.objects.create(
        partner=partner, facilitator=facilitator, since=datetime.date(2026, 8, 1)
    )
    return facilitator


@pytest.mark.django_db
def test_no_programs_chosen_is_at_risk(partner):
    commitment = judge(partner)["facilitators"]
    assert commitment.state == CommitmentState.AT_RISK
    assert commitment.detail == "No programs chosen"
    assert commitment.action_url == f"/educate/regional-partner/partners/{partner.slug}/edit/"


@pytest.mark.django_db
def test_programs_without_an_accredited_roster_facilitator_are_listed(partner):
    discoveries = CourseFactory(name="CS Discoveries", order=1)
    principles = CourseFactory(name="CS Principles", order=2)
    retired = CourseFactory(name="Old Course", order=3, is_active=False)
    partner.courses.set([discoveries, principles, retired])
    accredit(partner, discoveries)
    accredit(partner, principles, year="2025-26")  # last year's accreditation
    accredit(partner, principles, status=AccreditationStatus.IN_TRAINING)
    # Accredited, but on another partner's roster.
    accredit(PartnerFactory(), principles)
    commitment = judge(partner)["facilitators"]
    assert commitment.state == CommitmentState.AT_RISK
    assert commitment.detail == "No accredited facilitator for CS Principles"
    assert commitment.action_url == f"/manage/partners/{partner.slug}/facilitators/"


@pytest.mark.django_db
def test_every_program_with_an_accredited_facilitator_is_met(partner):
    course = CourseFactory(name="CS Discoveries")
    partner.courses.set([course])
    accredit(partner, course)
    assert judge(partner)["facilitators"].state == CommitmentState.MET


# --- Community ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_meetup_is_at_risk_during_the_year_and_missed_after(partner):
    program_event(MEETUP, datetime.date(2026, 10, 1), host=PartnerFactory())  # someone else's
    during = judge(partner)["community"]
    assert during.state == CommitmentState.AT_RISK
    assert during.action_label == "Schedule a community meetup"
    assert during.action_url == f"/manage/partners/{partner.slug}/events/"
    assert judge(partner, today=datetime.date(2027, 8, 1))["community"].state == "missed"


@pytest.mark.django_db
def test_an_upcoming_meetup_is_on_track_and_a_held_one_is_met(partner):
    program_event(MEETUP, datetime.date(2027, 1, 12), host=partner)
    assert judge(partner)["community"].state == CommitmentState.ON_TRACK
    program_event(MEETUP, datetime.date(2026, 10, 5), host=partner)
    commitment = judge(partner)["community"]
    assert commitment.state == CommitmentState.MET
    assert commitment.detail == "1 meetup held"


@pytest.mark.django_db
def test_a_meetup_of_another_year_does_not_count(partner):
    program_event(MEETUP, datetime.date(2026, 5, 5), host=partner)  # 2025-26
    assert judge(partner)["community"].state == CommitmentState.AT_RISK


# --- Open tasks and cost -----------------------------------------------------------------------


@pytest.mark.django_db
def test_open_tasks_are_the_actions_and_an_incomplete_profile(partner):
    commitments = partner_commitments([partner], program_year=YEAR, today=TODAY)[partner.pk]
    tasks = open_tasks(commitments, partner)
    labels = [label for label, _ in tasks]
    assert "Schedule a community meetup" in labels
    assert "Complete the public profile" not in labels
    partner.contact_email = ""
    tasks = open_tasks(commitments, partner)
    assert tasks[-1] == (
        "Complete the public profile",
        f"/educate/regional-partner/partners/{partner.slug}/edit/",
    )


def _busy_partner(n: int):
    partner = PartnerFactory(active_since=datetime.date(2025, 1, 1))
    ProgramManagerFactory(partner=partner, fte_share=Decimal("0.25"))
    course = CourseFactory(name=f"Course {n % 3}")
    partner.courses.add(course)
    accredit(partner, course)
    DistrictCommitmentFactory(partnership__partner=partner, program_year=YEAR, course=course)
    program_event(MEETUP, datetime.date(2026, 10, 5), host=partner)
    return partner


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_query_count_does_not_grow_with_partners(count, django_assert_num_queries):
    summit = program_event(SUMMIT, datetime.date(2026, 9, 20))
    conference = program_event(CONFERENCE, datetime.date(2027, 6, 21))
    partners = [_busy_partner(n) for n in range(count)]
    for partner in partners:
        event_registration(summit, partner, "program_manager", attended=True)
        event_registration(conference, partner, "teacher")
    with django_assert_num_queries(9):
        judged = partner_commitments(partners, program_year=YEAR, today=TODAY)
    assert len(judged) == count
    assert all(len(rows) == 8 for rows in judged.values())


@pytest.mark.django_db
def test_no_partners_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert partner_commitments([], program_year=YEAR, today=TODAY) == {}
