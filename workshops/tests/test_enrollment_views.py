"""Enrollment pages: the panel on a workshop's page, enrolling (school picker, errors that keep
input), cancelling, a teacher's workshops, and the roster in the workspace (scope, move,
cancel, CSV, query counts)."""

import csv
import datetime
import html
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from districts.tests.factories import DistrictFactory, SchoolFactory
from partners.tests.factories import PartnerFactory

from ..models import Attendance, Enrollment, EnrollmentStatus, WorkshopState
from .factories_enrollment import (
    EnrollmentFactory,
    manager_of,
    seattle_zip,
    teacher,
    workshop_in,
    workshop_on,
)

pytestmark = pytest.mark.django_db

ENROLLED, WAITLISTED, CANCELLED = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.CANCELLED,
)
MINE = reverse("workshops:mine")


def text(response) -> str:
    return html.unescape(response.content.decode())


def as_user(client, user):
    client.force_login(user)
    return client


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def detail(workshop):
    return reverse("workshops:detail", args=[workshop.pk])


def enroll_url(workshop):
    return reverse("workshops:enroll", args=[workshop.pk])


def cancel_url(workshop):
    return reverse("workshops:cancel", args=[workshop.pk])


def roster_url(workshop, name="roster", *extra):
    return reverse(f"partner_enrollments:{name}", args=[workshop.partner.slug, workshop.pk, *extra])


def near_schools(count=3):
    zip_code = seattle_zip()
    return [SchoolFactory(zip_code=zip_code, city="Seattle") for _ in range(count)]


# --- The panel on the workshop page ---------------------------------------------------------


def test_panel_for_a_visitor_asks_to_sign_in(client):
    workshop = workshop_in(30, capacity=3)
    EnrollmentFactory(workshop=workshop)
    page = text(client.get(detail(workshop)))
    assert "2 places left" in page
    assert "Sign in to enroll" in page


def test_panel_offers_schools_near_the_venue_and_not_listed(client):
    schools = near_schools(2)
    far = SchoolFactory(name="Faraway School")  # no ZIP code: not near anything
    workshop = workshop_in(30, zip_code=seattle_zip())
    page = text(as_user(client, teacher()).get(detail(workshop)))
    assert f'action="{enroll_url(workshop)}"' in page
    for school in schools:
        assert school.name in page and school.nces_id in page
    assert far.name not in page
    assert "My school is not listed" in page
    assert 'name="school_zip"' in page


def test_panel_starts_from_the_teachers_school(client):
    school = SchoolFactory(name="My Own School")
    person = teacher(school=school)
    page = as_user(client, person).get(detail(workshop_in(30))).content.decode()
    assert "My Own School" in page
    assert re.search(rf'<input type="radio" name="school" value="{school.pk}"[^>]*checked', page)


def test_panel_shows_enrolled_and_waitlisted_with_a_cancel_link(client):
    workshop = workshop_in(30, capacity=1)
    enrolled = EnrollmentFactory(workshop=workshop)
    page = text(as_user(client, enrolled.teacher).get(detail(workshop)))
    assert "You are enrolled" in page
    assert cancel_url(workshop) in page
    for _ in range(2):
        EnrollmentFactory(workshop=workshop, status=WAITLISTED)
    third = EnrollmentFactory(workshop=workshop, status=WAITLISTED)
    page = text(as_user(client, third.teacher).get(detail(workshop)))
    assert "You are on the waitlist (position 3)" in page
    assert "Full" in page


@pytest.mark.parametrize("role", ["program_manager", "facilitator"])
def test_panel_tells_non_teachers(client, make_user, role):
    page = text(as_user(client, make_user(role=role)).get(detail(workshop_in(30))))
    assert "Only teachers can enroll" in page
    assert 'name="school"' not in page


def test_panel_says_when_enrollment_is_closed(client):
    opens = timezone.now() + datetime.timedelta(days=3)
    page = text(as_user(client, teacher()).get(detail(workshop_in(30, enrollment_opens_at=opens))))
    assert "Enrollment opens on" in page
    assert 'name="school"' not in page


def test_panel_links_staff_to_the_roster(client):
    workshop = workshop_in(30)
    page = text(as_user(client, manager_of(workshop.partner)).get(detail(workshop)))
    assert roster_url(workshop) in page


# --- Enrolling -----------------------------------------------------------------------------


def test_enroll_from_the_list(client, django_capture_on_commit_callbacks):
    school = near_schools(1)[0]
    workshop = workshop_in(30, zip_code=seattle_zip())
    person = teacher()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, person).post(enroll_url(workshop), {"school": school.pk})
    assert response.status_code == 302 and response["Location"] == detail(workshop)
    enrollment = Enrollment.objects.get(teacher=person)
    assert enrollment.status == ENROLLED and enrollment.school == school
    assert len(mail.outbox) == 1
    page = text(client.get(detail(workshop)))
    assert "You are enrolled. We have emailed you the details." in page


def test_enroll_in_a_full_workshop_waitlists(client):
    workshop = workshop_in(30, capacity=1)
    EnrollmentFactory(workshop=workshop)
    response = as_user(client, teacher()).post(
        enroll_url(workshop), {"school": SchoolFactory().pk}, follow=True
    )
    assert "you are on the waitlist (position 1)" in text(response)
    assert Enrollment.objects.filter(status=WAITLISTED).count() == 1


def test_enroll_with_an_unlisted_school(client):
    zip_code = seattle_zip()
    person = teacher()
    response = as_user(client, person).post(
        enroll_url(workshop_in(30)),
        {"school": "other", "school_name": "Harbor Charter", "school_zip": "98101-1234"},
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(teacher=person)
    assert (enrollment.school_name, enrollment.school_zip) == ("Harbor Charter", zip_code)


def test_enroll_errors_show_next_to_fields_and_keep_input(client):
    workshop = workshop_in(30)
    response = as_user(client, teacher()).post(
        enroll_url(workshop),
        {"school": "other", "school_name": "Harbor <b>Charter</b>", "school_zip": "00001"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "00001 is not a ZIP code we know" in html.unescape(page)
    assert 'value="Harbor &lt;b&gt;Charter&lt;/b&gt;"' in page
    assert 'value="00001"' in page
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose your school, or"),
        ({"school": "99999999"}, "Choose a school from the list."),
        ({"school": "abc"}, "Choose a school from the list."),
        ({"school": "other"}, "Enter the name of your school."),
    ],
)
def test_enroll_bad_input_is_a_message_not_an_error(client, data, message):
    response = as_user(client, teacher()).post(enroll_url(workshop_in(30)), data)
    assert response.status_code == 200
    assert message in text(response)


def test_reserved_workshop_offers_only_its_district(client):
    district = DistrictFactory(name="Cedar Valley SD")
    inside = SchoolFactory(district=district, name="Inside School")
    outside = SchoolFactory(name="Outside School")
    workshop = workshop_in(30, reserved_for=district)
    client = as_user(client, teacher())
    page = text(client.get(enroll_url(workshop)))
    assert "Inside School" in page and "Outside School" not in page
    assert "My school is not listed" not in page
    response = client.post(enroll_url(workshop), {"school": outside.pk})
    assert "reserved for teachers of Cedar Valley SD" in text(response)
    assert client.post(enroll_url(workshop), {"school": inside.pk}).status_code == 302


def test_search_schools_by_name_and_nces_id(client):
    wanted = SchoolFactory(name="Rainier Beach High School", city="Seattle")
    SchoolFactory(name="Lakeside Middle School")
    client = as_user(client, teacher())
    page = text(client.get(enroll_url(workshop_in(30)), {"q": "rainier beach"}))
    assert "Rainier Beach High School" in page and "Lakeside Middle School" not in page
    page = text(client.get(enroll_url(workshop_in(30)), {"q": wanted.nces_id}))
    assert "Rainier Beach High School" in page
    page = text(client.get(enroll_url(workshop_in(30)), {"q": "<nothing>"}))
    assert "No school matches “<nothing>”" in page
    assert (
        "<nothing>"
        not in client.get(enroll_url(workshop_in(30)), {"q": "<nothing>"}).content.decode()
    )


def test_a_school_found_by_search_can_be_chosen(client):
    found = SchoolFactory(name="Found By Search")
    workshop = workshop_in(30)
    client = as_user(client, teacher())
    response = client.post(enroll_url(workshop), {"school": found.pk})
    assert response.status_code == 302
    assert Enrollment.objects.get().school == found


def test_enrolling_twice_answers_a_message(client):
    workshop = workshop_in(30)
    enrollment = EnrollmentFactory(workshop=workshop)
    response = as_user(client, enrollment.teacher).post(
        enroll_url(workshop), {"school": SchoolFactory().pk}, follow=True
    )
    assert "You are enrolled in this workshop." in text(response)
    assert Enrollment.objects.count() == 1


def test_enroll_refusals(client, make_user):
    workshop = workshop_in(30)
    assert_login_redirect(client.post(enroll_url(workshop), {"school": SchoolFactory().pk}))
    response = as_user(client, make_user(role="program_manager")).post(
        enroll_url(workshop), {"school": SchoolFactory().pk}, follow=True
    )
    assert "Only teachers can enroll in workshops." in text(response)
    client.logout()
    draft = workshop_in(30, state=WorkshopState.DRAFT)
    assert as_user(client, teacher()).get(enroll_url(draft)).status_code == 404
    assert client.post(enroll_url(draft), {}).status_code == 404
    assert client.get(reverse("workshops:enroll", args=[999999])).status_code == 404
    closed = workshop_in(30, state=WorkshopState.CANCELLED)
    assert client.post(enroll_url(closed), {}).status_code == 404
    assert not Enrollment.objects.exists()


def test_enroll_page_when_enrollment_is_closed(client):
    workshop = workshop_on(timezone.localdate() - datetime.timedelta(days=1), sessions=3)
    response = as_user(client, teacher()).post(
        enroll_url(workshop), {"school": SchoolFactory().pk}, follow=True
    )
    assert "Enrollment closed" in text(response)
    assert not Enrollment.objects.exists()


# --- Cancelling ----------------------------------------------------------------------------


def test_cancel_asks_then_cancels_and_promotes(client, django_capture_on_commit_callbacks):
    workshop = workshop_in(30, capacity=1)
    mine = EnrollmentFactory(workshop=workshop)
    waiting = EnrollmentFactory(workshop=workshop, status=WAITLISTED)
    client = as_user(client, mine.teacher)
    page = text(client.get(cancel_url(workshop)))
    assert "Cancel your enrollment?" in page and "Keep it" in page
    mine.refresh_from_db()
    assert mine.status == ENROLLED  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(workshop))
    assert response.status_code == 302
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == (CANCELLED, ENROLLED)
    assert [m.to for m in mail.outbox] == [[waiting.teacher.email]]
    # Twice: a message, not an error.
    page = text(client.post(cancel_url(workshop), follow=True))
    assert "You have no place in this workshop to cancel." in page


def test_cancel_needs_sign_in(client):
    assert_login_redirect(client.get(cancel_url(workshop_in(30))))


# --- My workshops --------------------------------------------------------------------------


def test_mine_sorts_upcoming_waitlisted_and_past(client, django_assert_max_num_queries):
    person = teacher()
    upcoming = EnrollmentFactory(teacher=person, workshop=workshop_in(10, title="Soon WS"))
    waiting_ws = workshop_in(20, capacity=1, title="Waiting WS")
    EnrollmentFactory(workshop=waiting_ws)
    EnrollmentFactory(workshop=waiting_ws, status=WAITLISTED)
    EnrollmentFactory(teacher=person, workshop=waiting_ws, status=WAITLISTED)
    attended_ws = workshop_in(-30, title="Attended WS", state=WorkshopState.ENDED)
    attended = EnrollmentFactory(teacher=person, workshop=attended_ws)
    Attendance.objects.create(
        session=attended_ws.sessions.get(), enrollment=attended, method="checklist"
    )
    missed_ws = workshop_in(-20, title="Missed WS", state=WorkshopState.ENDED)
    missed = EnrollmentFactory(teacher=person, workshop=missed_ws)
    EnrollmentFactory(
        teacher=person, workshop=workshop_in(15, title="Dropped WS"), status=CANCELLED
    )
    EnrollmentFactory(
        teacher=person,
        workshop=workshop_in(15, title="Called-off WS", state=WorkshopState.CANCELLED),
    )
    EnrollmentFactory(workshop=workshop_in(10, title="Someone else's WS"))
    client = as_user(client, person)
    with django_assert_max_num_queries(10):
        response = client.get(MINE)
    page = text(response)
    upcoming_part = page.split('id="upcoming-heading"')[1].split('id="waitlisted-heading"')[0]
    waiting_part = page.split('id="waitlisted-heading"')[1].split('id="past-heading"')[0]
    past_part = page.split('id="past-heading"')[1]
    assert "Soon WS" in upcoming_part and "Waiting WS" not in upcoming_part
    assert "Waiting WS" in waiting_part and "Position 2" in waiting_part
    assert "Attended WS" in past_part and "Missed WS" in past_part
    assert "Called-off WS" not in page
    assert "Dropped WS" not in page and "Someone else's WS" not in page
    assert reverse("workshops:certificate", args=[attended_ws.pk]) in page
    assert reverse("surveys:respond", args=[attended.pk]) in page
    assert reverse("surveys:respond", args=[missed.pk]) not in page
    assert reverse("workshops:certificate", args=[missed_ws.pk]) not in page
    assert reverse("workshops:teaching_report") in page
    assert reverse("workshops:workshop_calendar", args=[upcoming.workshop.pk]) in page


def test_mine_needs_sign_in(client):
    assert_login_redirect(client.get(MINE))


# --- The roster in the workspace -------------------------------------------------------------


@pytest.fixture
def roster_world(regional_manager):
    partner = PartnerFactory(regional_manager=regional_manager)
    workshop = workshop_in(30, partner=partner, capacity=2)
    enrolled = [EnrollmentFactory(workshop=workshop) for _ in range(2)]
    waiting = [EnrollmentFactory(workshop=workshop, status=WAITLISTED) for _ in range(2)]
    return workshop, enrolled, waiting


def test_roster_scope(client, roster_world, program_admin, regional_manager, make_user):
    workshop, enrolled, waiting = roster_world
    url = roster_url(workshop)
    assert_login_redirect(client.get(url))
    for outsider in (
        manager_of(PartnerFactory()),
        make_user(role="regional_manager"),
        enrolled[0].teacher,
        make_user(role="facilitator"),
    ):
        assert as_user(client, outsider).get(url).status_code == 404
        assert client.get(roster_url(workshop, "roster_csv")).status_code == 404
    # Read-only for the partner's regional manager: no move or cancel.
    page = text(as_user(client, regional_manager).get(url))
    assert enrolled[0].teacher.email in page
    assert roster_url(workshop, "move", enrolled[0].pk) not in page
    assert client.get(roster_url(workshop, "move", enrolled[0].pk)).status_code == 404
    assert client.post(roster_url(workshop, "cancel", enrolled[0].pk)).status_code == 404
    assert client.get(roster_url(workshop, "roster_csv")).status_code == 200
    for staff in (manager_of(workshop.partner), program_admin):
        page = text(as_user(client, staff).get(url))
        assert roster_url(workshop, "move", enrolled[0].pk) in page
        assert roster_url(workshop, "cancel", waiting[1].pk) in page


def test_roster_of_another_partners_workshop_is_404(client, roster_world):
    workshop, *_ = roster_world
    other = workshop_in(30)
    manager = manager_of(workshop.partner)
    url = reverse("partner_enrollments:roster", args=[workshop.partner.slug, other.pk])
    assert as_user(client, manager).get(url).status_code == 404


def test_roster_lists_enrolled_then_the_waitlist_in_order(client, roster_world):
    workshop, enrolled, waiting = roster_world
    waiting[0].teacher.first_name = "<script>alert(1)</script>"
    waiting[0].teacher.save()
    response = as_user(client, manager_of(workshop.partner)).get(roster_url(workshop))
    raw = response.content.decode()
    assert "<script>alert(1)</script>" not in raw
    page = text(response)
    enrolled_part, waitlist_part = page.split('id="waitlist-heading"')
    assert all(e.teacher.email in enrolled_part for e in enrolled)
    assert page.index(waiting[0].teacher.email) < page.index(waiting[1].teacher.email)
    assert all(w.teacher.email in waitlist_part for w in waiting)


def test_roster_query_count_does_not_grow(client, django_assert_max_num_queries):
    workshop = workshop_in(30, capacity=30)
    manager = manager_of(workshop.partner)
    client = as_user(client, manager)
    for _ in range(3):
        EnrollmentFactory(workshop=workshop)
    with django_assert_max_num_queries(12) as few:
        client.get(roster_url(workshop))
    for _ in range(25):
        EnrollmentFactory(workshop=workshop)
        EnrollmentFactory(workshop=workshop, status=WAITLISTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(roster_url(workshop))


def test_roster_csv_has_the_columns_and_guards_formulas(client, roster_world):
    workshop, enrolled, _ = roster_world
    enrolled[0].teacher.first_name = '=HYPERLINK("x")'
    enrolled[0].teacher.save()
    zip_code = seattle_zip()
    EnrollmentFactory(
        workshop=workshop,
        status=WAITLISTED,
        school=None,
        school_name="+Unlisted Academy",
        school_zip=zip_code,
    )
    response = as_user(client, manager_of(workshop.partner)).get(roster_url(workshop, "roster_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Name", "Email", "School", "NCES id", "Status"]
    assert rows[0][-1] == f"Enrolled or waitlisted at ({workshop.time_zone})"
    assert len(rows) == 1 + 5
    assert rows[1][0].startswith("'=HYPERLINK")
    assert rows[1][3] == enrolled[0].school.nces_id
    assert rows[1][4] == "Enrolled"
    assert rows[-1][2] == "'+Unlisted Academy" and rows[-1][3] == ""
    assert [r[4] for r in rows[1:]] == ["Enrolled"] * 2 + ["Waitlisted"] * 3


def test_move_from_the_roster(client, roster_world, django_capture_on_commit_callbacks):
    workshop, enrolled, waiting = roster_world
    target = workshop_in(40, partner=workshop.partner, title="Target WS")
    workshop_in(40, title="Another partner's WS")
    client = as_user(client, manager_of(workshop.partner))
    url = roster_url(workshop, "move", enrolled[0].pk)
    page = text(client.get(url))
    assert "Target WS" in page and "Another partner's WS" not in page
    response = client.post(url, {"to_workshop": "999999"})
    assert response.status_code == 200 and "Select a valid choice" in text(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to_workshop": target.pk})
    assert response.status_code == 302 and response["Location"] == roster_url(workshop)
    assert Enrollment.objects.get(workshop=target).teacher == enrolled[0].teacher
    waiting[0].refresh_from_db()
    assert waiting[0].status == ENROLLED
    # A cancelled (or someone else's) enrollment is not there to move.
    assert client.get(url).status_code == 404


def test_cancel_from_the_roster(client, roster_world):
    workshop, _, waiting = roster_world
    client = as_user(client, manager_of(workshop.partner))
    url = roster_url(workshop, "cancel", waiting[0].pk)
    page = text(client.get(url))
    assert "waitlist spot?" in page and "position 1" in page
    response = client.post(url, follow=True)
    assert "enrollment is cancelled" in text(response)
    waiting[0].refresh_from_db()
    assert waiting[0].status == CANCELLED
    assert client.post(url).status_code == 404


# --- Times in the workshop's zone ------------------------------------------------------------


def test_roster_and_csv_times_are_in_the_workshops_zone(client):
    workshop = workshop_in(30, time_zone="Pacific/Honolulu")
    at = datetime.datetime(2026, 3, 2, 20, 30, tzinfo=datetime.UTC)  # 10:30 AM in Honolulu
    EnrollmentFactory(workshop=workshop, enrolled_at=at)
    client = as_user(client, manager_of(workshop.partner))
    page = text(client.get(roster_url(workshop)))
    assert "Mar 2, 2026, 10:30 a.m. HST" in page
    assert "Pacific/Honolulu" in page
    rows = list(
        csv.reader(
            io.StringIO(client.get(roster_url(workshop, "roster_csv")).content.decode("utf-8-sig"))
        )
    )
    assert rows[0][-1] == "Enrolled or waitlisted at (Pacific/Honolulu)"
    assert rows[1][-1] == "2026-03-02T10:30-10:00"


def test_mine_shows_the_teachers_own_times_when_their_zone_differs(client):
    person = teacher(school_zip=seattle_zip())
    workshop = workshop_in(30, time_zone="Pacific/Honolulu", title="Island WS")
    EnrollmentFactory(teacher=person, workshop=workshop)
    page = text(as_user(client, person).get(MINE))
    assert "9:00 AM - 3:00 PM HST" in page
    assert " for you" in page


def test_an_ended_workshops_roster_no_longer_changes(client):
    # Ended by the clock, still stored as published.
    workshop = workshop_on(timezone.localdate() - datetime.timedelta(days=5), sessions=2)
    row = EnrollmentFactory(workshop=workshop)
    client = as_user(client, manager_of(workshop.partner))
    page = text(client.get(roster_url(workshop)))
    assert "State: Ended." in page
    assert roster_url(workshop, "move", row.pk) not in page
    for name in ("move", "cancel"):
        response = client.get(roster_url(workshop, name, row.pk))
        assert response.status_code == 302 and response["Location"] == roster_url(workshop)
        assert "can no longer change" in text(client.get(response["Location"]))


def test_a_teacher_is_not_asked_to_confirm_a_cancel_that_would_be_refused(client):
    workshop = workshop_on(timezone.localdate() - datetime.timedelta(days=1), sessions=3)
    mine = EnrollmentFactory(workshop=workshop)
    client = as_user(client, mine.teacher)
    response = client.get(cancel_url(workshop))
    assert response.status_code == 302
    assert "can no longer be cancelled" in text(client.get(response["Location"]))
    mine.refresh_from_db()
    assert mine.status == EnrollmentStatus.ENROLLED
