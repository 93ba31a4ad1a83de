"""The attendance pages: checklist, check-in and a facilitator's workshops; scope on each."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import Attendance, EnrollmentStatus, WorkshopState

from .factories_attendance import (
    AttendanceFactory,
    EnrollmentFactory,
    assign_facilitator,
    program_manager_of,
    workshop_with_teachers,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 7, 20)
LA = ZoneInfo("America/Los_Angeles")
NOW = datetime.datetime(2026, 7, 20, 10, 0, tzinfo=LA)  # during the first session


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))


@pytest.fixture
def world(regional_manager):
    workshop, enrollments = workshop_with_teachers(teachers=3, sessions=2, starts_on=DAY)
    workshop.partner.regional_manager = regional_manager
    workshop.partner.save()
    facilitator = assign_facilitator(workshop)
    return workshop, enrollments, facilitator, list(workshop.sessions.all())


def url(workshop, name="attendance"):
    return reverse(f"workshops:{name}", kwargs={"pk": workshop.pk})


def present(session) -> set[int]:
    return set(session.attendances.values_list("enrollment_id", flat=True))


# --- The checklist -------------------------------------------------------------------------


def test_the_facilitator_sees_the_current_session_with_its_code(client, world):
    workshop, enrollments, facilitator, (first, second) = world
    AttendanceFactory(enrollment=enrollments[0], session=first)
    client.force_login(facilitator)
    response = client.get(url(workshop))
    assert response.status_code == 200
    assert response.context["session"] == first
    page = response.content.decode()
    assert first.attendance_code in page
    assert f'id="present-{enrollments[0].pk}" value="{enrollments[0].pk}" checked' in page
    assert f'id="present-{enrollments[1].pk}" value="{enrollments[1].pk}">' in page
    assert "Mark all present" in page
    other = client.get(url(workshop) + f"?session={second.pk}")
    assert other.context["session"] == second
    assert second.attendance_code in other.content.decode()


@pytest.mark.parametrize("bad", ["abc", "0", "99999999", "1e3", ""])
def test_a_bad_session_in_the_address_shows_the_current_one(client, world, bad):
    workshop, _, facilitator, (first, _) = world
    client.force_login(facilitator)
    response = client.get(url(workshop) + f"?session={bad}")
    assert response.status_code == 200
    assert response.context["session"] == first


def test_the_facilitator_saves_the_checklist(client, world):
    workshop, (a, _, c), facilitator, (first, second) = world
    client.force_login(facilitator)
    response = client.post(url(workshop), {"session": second.pk, "present": [a.pk, c.pk]})
    # 10:00 on the first day is more than 30 minutes before the second session: refused.
    assert response.status_code == 200
    assert "can be taken from" in " ".join(response.context["form"].errors["present"])
    assert present(second) == set()

    response = client.post(url(workshop), {"session": first.pk, "present": [a.pk, c.pk]})
    assert response.status_code == 302
    assert response["Location"] == url(workshop) + f"?session={first.pk}"
    assert present(first) == {a.pk, c.pk}
    page = client.get(response["Location"])
    assert "2 present" in page.content.decode()


def test_mark_all_present_needs_no_javascript(client, world):
    workshop, enrollments, facilitator, (first, _) = world
    client.force_login(facilitator)
    response = client.post(url(workshop), {"session": first.pk, "mark_all": "1"})
    assert response.status_code == 302
    assert present(first) == {e.pk for e in enrollments}


def test_the_checklist_refuses_other_enrollments(client, world):
    workshop, (a, _, _), facilitator, (first, _) = world
    waitlisted = EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.WAITLISTED)
    client.force_login(facilitator)
    for bad in (waitlisted.pk, "x", -1):
        response = client.post(url(workshop), {"session": first.pk, "present": [a.pk, bad]})
        assert response.status_code == 200
        assert response.context["form"].errors["present"]
    assert present(first) == set()


def test_a_post_for_a_session_of_another_workshop_saves_nothing(client, world):
    workshop, (a, _, _), facilitator, _ = world
    elsewhere, _ = workshop_with_teachers(teachers=0, sessions=1, starts_on=DAY)
    client.force_login(facilitator)
    for session in (elsewhere.sessions.get().pk, "nonsense", ""):
        response = client.post(url(workshop), {"session": session, "present": [a.pk]})
        assert response.status_code == 302
    assert not Attendance.objects.exists()


def test_the_partners_program_managers_and_admins_take_attendance(client, world, program_admin):
    workshop, (a, _, _), _, (first, _) = world
    for user in (program_manager_of(workshop.partner), program_admin):
        client.force_login(user)
        assert first.attendance_code in client.get(url(workshop)).content.decode()
        response = client.post(url(workshop), {"session": first.pk, "present": [a.pk]})
        assert response.status_code == 302
    assert present(first) == {a.pk}


def test_the_partners_regional_manager_reads_only(client, world, regional_manager):
    workshop, (a, _, _), _, (first, _) = world
    AttendanceFactory(enrollment=a, session=first)
    client.force_login(regional_manager)
    response = client.get(url(workshop))
    assert response.status_code == 200
    page = response.content.decode()
    assert first.attendance_code not in page
    assert "Save attendance" not in page
    assert "Attendance at this session" in page
    assert client.post(url(workshop), {"session": first.pk, "present": []}).status_code == 403
    assert present(first) == {a.pk}


def test_everyone_else_gets_404(client, world, make_user):
    workshop, (a, _, _), _, (first, _) = world
    other_workshop, _ = workshop_with_teachers(teachers=0)
    outsiders = [
        ProgramManagerFactory(partner=PartnerFactory()).user,
        make_user(role="regional_manager"),
        make_user(role="facilitator"),
        assign_facilitator(other_workshop),
        a.teacher,
        make_user(role="teacher"),
    ]
    for user in outsiders:
        client.force_login(user)
        assert client.get(url(workshop)).status_code == 404
        response = client.post(url(workshop), {"session": first.pk, "present": [a.pk]})
        assert response.status_code == 404
    client.force_login(outsiders[0])
    assert client.get(reverse("workshops:attendance", kwargs={"pk": 99999})).status_code == 404
    assert not Attendance.objects.exists()


def test_anonymous_visitors_sign_in_first(client, world):
    workshop = world[0]
    for name in ("attendance", "check_in"):
        response = client.get(url(workshop, name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client.get(reverse("workshops:facilitating"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_workshop_without_sessions(client, world):
    workshop, _, facilitator, _ = world
    workshop.sessions.all().delete()
    client.force_login(facilitator)
    response = client.get(url(workshop))
    assert response.status_code == 200
    assert "no sessions yet" in response.content.decode()


def test_checklist_queries_do_not_grow_with_teachers(client, django_assert_max_num_queries):
    workshop, enrollments = workshop_with_teachers(teachers=25, sessions=5, starts_on=DAY)
    facilitator = assign_facilitator(workshop)
    first = workshop.sessions.first()
    for enrollment in enrollments[:10]:
        AttendanceFactory(enrollment=enrollment, session=first)
    client.force_login(facilitator)
    with django_assert_max_num_queries(9):
        response = client.get(url(workshop))
    assert response.status_code == 200
    assert response.context["present"] == 10


# --- Check-in ------------------------------------------------------------------------------


def test_a_teacher_checks_in_with_the_code(client, world):
    workshop, (a, _, _), _, (first, _) = world
    client.force_login(a.teacher)
    page = client.get(url(workshop, "check_in"))
    assert page.status_code == 200
    assert first.attendance_code not in page.content.decode()  # the code is announced, not shown
    code = " ".join(first.attendance_code.lower())
    response = client.post(url(workshop, "check_in"), {"code": code})
    assert response.status_code == 302
    row = Attendance.objects.get()
    assert (row.session, row.enrollment, row.method) == (first, a, Attendance.Method.SELF)
    assert "Present" in client.get(url(workshop, "check_in")).content.decode()


def test_a_wrong_code_says_so(client, world):
    workshop, (a, _, _), _, _ = world
    client.force_login(a.teacher)
    response = client.post(url(workshop, "check_in"), {"code": "NOPE42"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "That is not this session's code. Check it with your facilitator."
    ]
    assert not Attendance.objects.exists()


def test_the_code_of_a_session_that_is_not_open(client, world):
    workshop, (a, _, _), _, (_, second) = world
    client.force_login(a.teacher)
    response = client.post(url(workshop, "check_in"), {"code": second.attendance_code})
    assert response.status_code == 200
    assert "Check-in for this session opens" in response.context["form"].errors["code"][0]


def test_check_in_is_rate_limited(client, world):
    workshop, (a, _, _), _, (first, _) = world
    client.force_login(a.teacher)
    for _ in range(10):
        client.post(url(workshop, "check_in"), {"code": "WRONG1"})
    response = client.post(url(workshop, "check_in"), {"code": first.attendance_code})
    assert response.status_code == 200
    assert "several codes" in response.context["form"].errors["code"][0]
    assert not Attendance.objects.exists()


def test_check_in_is_only_for_enrolled_teachers(client, world, program_admin):
    workshop, _, facilitator, _ = world
    waitlisted = EnrollmentFactory(workshop=workshop, status=EnrollmentStatus.WAITLISTED)
    for user in (waitlisted.teacher, facilitator, program_admin, EnrollmentFactory().teacher):
        client.force_login(user)
        assert client.get(url(workshop, "check_in")).status_code == 404


def test_no_check_in_for_a_cancelled_workshop(client, world):
    workshop, (a, _, _), _, _ = world
    workshop.state = WorkshopState.CANCELLED
    workshop.save()
    client.force_login(a.teacher)
    assert client.get(url(workshop, "check_in")).status_code == 404


# --- A facilitator's workshops -------------------------------------------------------------


def test_a_facilitator_sees_their_workshops_upcoming_and_past(
    client, facilitator, django_assert_max_num_queries
):
    upcoming, _ = workshop_with_teachers(
        teachers=2, starts_on=DAY + datetime.timedelta(days=10), title="Fall follow-up"
    )
    past, _ = workshop_with_teachers(
        teachers=1, starts_on=DAY - datetime.timedelta(days=40), title="Spring intro"
    )
    for workshop in (upcoming, past):
        assign_facilitator(workshop, facilitator)
    workshop_with_teachers(teachers=1, title="Somebody else's")
    client.force_login(facilitator)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("workshops:facilitating"))
    assert response.status_code == 200
    assert response.context["upcoming"] == [upcoming]
    assert response.context["past"] == [past]
    page = response.content.decode()
    assert "Somebody else" not in page
    assert url(upcoming) in page
    assert reverse("surveys:workshop_results", args=[past.pk]) in page


def test_the_facilitating_page_is_empty_for_others(client, world, make_user):
    client.force_login(make_user(role="program_manager"))
    response = client.get(reverse("workshops:facilitating"))
    assert response.status_code == 200
    assert response.context["upcoming"] == [] and response.context["past"] == []


def test_the_pages_name_the_zone_by_its_abbreviation_in_the_workshops_time(client):
    # 7:00 AM in Honolulu (NOW): the first session (9:00 HST) is not open for the checklist
    # yet, which opens at 8:30 AM HST; the server's zone (New York) must not show through.
    workshop, (enrollment,) = workshop_with_teachers(
        teachers=1, sessions=2, starts_on=DAY, time_zone="Pacific/Honolulu"
    )
    client.force_login(program_manager_of(workshop.partner))
    page = client.get(url(workshop)).content.decode()
    assert "Times in the workshop's time zone, HST (Pacific/Honolulu)" in page
    assert "3:00 PM HST</h2>" in page
    assert "open from July 20, 8:30 AM HST to July 27, 3:00 PM HST" in page
    client.force_login(enrollment.teacher)
    page = client.get(url(workshop, "check_in")).content.decode()
    assert "3:00 PM HST" in page
