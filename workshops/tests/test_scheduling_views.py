import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.tests.factories import UserFactory
from core.program_years import program_year_for
from facilitators.tests.factories import FacilitatorFactory
from geography.models import ZipCode
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import Workshop, WorkshopState

from .factories import CourseFactory, WorkshopFactory, WorkshopKindFactory, accredit, enroll

SOON = timezone.localdate() + datetime.timedelta(days=30)
PAST = timezone.localdate() - datetime.timedelta(days=30)


@pytest.fixture
def pm(db):
    return ProgramManagerFactory()


@pytest.fixture
def partner(pm, regional_manager):
    partner = pm.partner
    partner.regional_manager = regional_manager
    partner.save()
    return partner


def manage_url(name, partner, *args):
    return reverse(f"partner_workshops:{name}", args=[partner.slug, *args])


def honolulu_workshop(**kwargs):
    zip_code = ZipCode.objects.get(code="96813")
    return WorkshopFactory(
        is_online=False,
        online_url="",
        venue="Ala Moana Learning Center",
        city="Honolulu",
        zip_code=zip_code,
        time_zone="Pacific/Honolulu",
        **kwargs,
    )


# --- Public list ---------------------------------------------------------------------------


def test_the_list_shows_open_workshops_with_zone_and_places(
    client, db, django_assert_max_num_queries
):
    winter = datetime.date(SOON.year + 1, 1, 11)
    open_one = WorkshopFactory(
        title="Block coding <b>basics</b>", starts_on=winter, time_zone="Pacific/Honolulu"
    )
    enroll(open_one)
    WorkshopFactory(title="Old one", starts_on=PAST)
    WorkshopFactory(title="Secret draft", state=WorkshopState.DRAFT)
    for _ in range(5):
        WorkshopFactory(starts_on=SOON, sessions=2)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("workshops:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Block coding &lt;b&gt;basics&lt;/b&gt;" in body
    assert "9:00 AM - 3:00 PM HST" in body
    assert "19 of 20 left" in body
    assert "Old one" not in body
    assert "Secret draft" not in body


def test_visitors_get_the_list_from_the_cache_until_something_on_it_changes(
    client, db, django_assert_num_queries, monkeypatch
):
    now = timezone.now()  # one minute of the clock throughout, until it is moved on below
    monkeypatch.setattr(timezone, "now", lambda: now)
    workshop = WorkshopFactory(title="Cached coding", starts_on=SOON)
    first = client.get(reverse("workshops:list")).content
    assert "20 of 20 left" in first.decode()
    with django_assert_num_queries(1):  # the fingerprint only
        assert client.get(reverse("workshops:list")).content == first
    enroll(workshop)  # an enrollment the app makes: its audit entry changes the fingerprint
    assert "19 of 20 left" in client.get(reverse("workshops:list")).content.decode()
    # Once its first session has started it is no longer open, within the minute.
    started = now + datetime.timedelta(days=(SOON - timezone.localdate()).days + 1)
    monkeypatch.setattr(timezone, "now", lambda: started)
    assert "Cached coding" not in client.get(reverse("workshops:list")).content.decode()


def test_signed_in_people_are_not_served_the_visitors_copy(client, db):
    WorkshopFactory(title="Cached coding", starts_on=SOON)
    client.get(reverse("workshops:list"))
    client.force_login(UserFactory(role="teacher"))
    body = client.get(reverse("workshops:list")).content.decode()
    assert "Sign out" in body


def test_the_list_filters_by_state_and_course(client, db):
    course = CourseFactory(name="CS Principles")
    WorkshopFactory(title="Principles upcoming", course=course)
    WorkshopFactory(title="Other upcoming")
    WorkshopFactory(title="Principles past", course=course, starts_on=PAST)
    body = client.get(reverse("workshops:list"), {"course": course.slug}).content.decode()
    assert "Principles upcoming" in body and "Other upcoming" not in body
    body = client.get(reverse("workshops:list"), {"state": "ended"}).content.decode()
    assert "Principles past" in body and "Principles upcoming" not in body


def test_the_list_by_distance_from_a_zip(client, geography):
    honolulu_workshop(title="On Oahu")
    WorkshopFactory(title="Online one")
    response = client.get(reverse("workshops:list"), {"zip": "96815", "miles": "25"})
    body = response.content.decode()
    assert "On Oahu" in body and "Online one" not in body
    assert "miles away" in body


def test_an_unknown_zip_is_a_clear_error_not_a_500(client, geography):
    response = client.get(reverse("workshops:list"), {"zip": "00001", "miles": "25"})
    assert response.status_code == 200
    assert "We do not know the ZIP code 00001" in response.content.decode()
    response = client.get(reverse("workshops:list"), {"zip": "banana", "miles": "x", "page": "z"})
    assert response.status_code == 200
    assert "is not a ZIP code" in response.content.decode()


def test_bad_query_strings_are_harmless(client, db):
    for params in ({"date_from": "yesterday"}, {"course": "nope"}, {"state": "zzz"}, {"page": 9}):
        assert client.get(reverse("workshops:list"), params).status_code == 200


# --- Public page ---------------------------------------------------------------------------


def test_the_page_shows_sessions_in_the_workshops_zone(client, geography):
    winter = datetime.date(SOON.year + 1, 1, 11)
    workshop = honolulu_workshop(starts_on=winter)
    person = FacilitatorFactory(first_name="Ada", last_name="Lovelace")
    workshop.facilitators.add(person)
    body = client.get(workshop.get_absolute_url()).content.decode()
    assert "9:00 AM - 3:00 PM HST" in body
    assert "for you" not in body
    assert "Ada Lovelace" in body
    assert "Ala Moana Learning Center" in body
    assert "20 teachers" in body


def test_a_viewer_in_another_zone_also_sees_their_time(client, geography):
    winter = datetime.date(SOON.year + 1, 1, 11)
    workshop = honolulu_workshop(starts_on=winter)
    teacher = UserFactory(role="teacher", school_zip=ZipCode.objects.get(code="98101"))
    client.force_login(teacher)
    body = client.get(workshop.get_absolute_url()).content.decode()
    assert "9:00 AM - 3:00 PM HST" in body
    assert "11:00 AM - 5:00 PM PST for you" in body


def test_drafts_and_cancelled_are_404_publicly_but_not_for_the_partner(
    client, partner, pm, regional_manager, make_user
):
    for state in (WorkshopState.DRAFT, WorkshopState.CANCELLED):
        workshop = WorkshopFactory(partner=partner, state=state)
        url = workshop.get_absolute_url()
        assert client.get(url).status_code == 404
        client.force_login(ProgramManagerFactory().user)
        assert client.get(url).status_code == 404
        client.force_login(make_user(role="regional_manager"))
        assert client.get(url).status_code == 404
        for person in (pm.user, regional_manager, make_user(role="program_admin")):
            client.force_login(person)
            assert client.get(url).status_code == 200
        client.logout()


def test_a_missing_workshop_is_404(client, db):
    assert client.get(reverse("workshops:detail", args=[99999])).status_code == 404


# --- Calendars -----------------------------------------------------------------------------


def test_one_workshops_calendar_has_a_vevent_per_session_with_tzid(client, geography):
    workshop = honolulu_workshop(sessions=3)
    response = client.get(reverse("workshops:workshop_calendar", args=[workshop.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    assert "TZID=Pacific/Honolulu" in response.content.decode()
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Pacific/Honolulu"]
    first = events[0]
    assert first.decoded("dtstart").hour == 9
    assert str(first["summary"]).endswith("(session 1 of 3)")
    assert "Ala Moana Learning Center" in str(first["location"])


def test_the_calendar_of_all_and_of_a_partner(client, db):
    mine = WorkshopFactory(title="Mine")
    WorkshopFactory(title="Theirs")
    WorkshopFactory(title="Draft", partner=mine.partner, state=WorkshopState.DRAFT)
    WorkshopFactory(title="Long gone", starts_on=PAST)
    every = client.get(reverse("workshops:calendar")).content.decode()
    assert "Mine" in every and "Theirs" in every
    assert "Draft" not in every and "Long gone" not in every
    response = client.get(reverse("workshops:partner_calendar", args=[mine.partner.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "Mine" in body and "Theirs" not in body and "Draft" not in body
    assert client.get(reverse("workshops:partner_calendar", args=["nobody"])).status_code == 404


def test_a_drafts_calendar_is_404_publicly(client, db):
    draft = WorkshopFactory(state=WorkshopState.DRAFT)
    assert client.get(reverse("workshops:workshop_calendar", args=[draft.pk])).status_code == 404


# --- Workspace: scope ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "new", "detail", "edit", "cancel"])
def test_workspace_pages_scope(client, partner, pm, regional_manager, make_user, name):
    workshop = WorkshopFactory(partner=partner, state=WorkshopState.DRAFT)
    args = [] if name in ("list", "new") else [workshop.pk]
    url = manage_url(name, partner, *args)
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(ProgramManagerFactory().user)
    assert client.get(url).status_code == 404
    client.force_login(make_user(role="regional_manager"))
    assert client.get(url).status_code == 404
    client.force_login(regional_manager)
    # The partner's regional manager reads, and never reaches a page that changes things.
    assert client.get(url).status_code == (200 if name in ("list", "detail") else 404)
    client.force_login(pm.user)
    assert client.get(url).status_code == 200


def test_another_partners_workshop_is_404_in_my_workspace(client, partner, pm):
    theirs = WorkshopFactory()
    client.force_login(pm.user)
    assert client.get(manage_url("detail", partner, theirs.pk)).status_code == 404
    assert client.post(manage_url("publish", partner, theirs.pk)).status_code == 404


def test_publish_is_post_only_and_404_for_the_regional_manager(client, partner, regional_manager):
    workshop = WorkshopFactory(partner=partner, state=WorkshopState.DRAFT)
    client.force_login(regional_manager)
    assert client.post(manage_url("publish", partner, workshop.pk)).status_code == 404
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.DRAFT


def test_the_workspace_list_by_year_with_counts(client, partner, pm, django_assert_max_num_queries):
    workshop = WorkshopFactory(partner=partner, title="Summer <intensive>", sessions=2)
    enroll(workshop)
    enroll(workshop, status="waitlisted")
    WorkshopFactory(partner=partner, title="A draft one", state=WorkshopState.DRAFT)
    for _ in range(4):
        WorkshopFactory(partner=partner)
    WorkshopFactory(title="Not ours")
    client.force_login(pm.user)
    with django_assert_max_num_queries(14):
        response = client.get(manage_url("list", partner), {"year": workshop.program_year})
    body = response.content.decode()
    assert "Summer &lt;intensive&gt;" in body
    assert "1 of 20" in body
    assert "A draft one" in body and "Not ours" not in body
    assert client.get(manage_url("list", partner), {"year": "junk"}).status_code == 200


# --- Workspace: scheduling -----------------------------------------------------------------


def form_data(course, kind, sessions, **extra) -> dict:
    data = {
        "course": course.pk,
        "kind": kind.pk,
        "title": "",
        "description": "",
        "is_online": "on",
        "time_zone": "America/Chicago",
        "online_url": "https://meet.example.org/x",
        "capacity": "24",
        "sessions-TOTAL_FORMS": str(len(sessions) + 1),
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "30",
    }
    for number, (day, start, end) in enumerate(sessions):
        data[f"sessions-{number}-date"] = day.isoformat()
        data[f"sessions-{number}-start_time"] = start
        data[f"sessions-{number}-end_time"] = end
    data.update(extra)
    return data


@pytest.fixture
def offered(partner):
    course = CourseFactory(name="CS Explorations")
    kind = WorkshopKindFactory(course=course, name="One-day introduction")
    partner.courses.add(course)
    return course, kind


def test_a_program_manager_schedules_and_publishes_a_workshop(client, partner, pm, offered):
    course, kind = offered
    client.force_login(pm.user)
    response = client.post(
        manage_url("new", partner), form_data(course, kind, [(SOON, "09:00", "15:00")])
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == manage_url("detail", partner, workshop.pk)
    assert workshop.state == WorkshopState.DRAFT and workshop.time_zone == "America/Chicago"
    response = client.post(manage_url("publish", partner, workshop.pk), follow=True)
    assert "is published" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.PUBLISHED
    response = client.post(manage_url("publish", partner, workshop.pk), follow=True)
    assert "Only a draft can be published" in response.content.decode()


def test_errors_are_shown_and_what_was_typed_is_kept(client, partner, pm, offered):
    course, kind = offered
    person = FacilitatorFactory(first_name="Ada", last_name="Lovelace")
    partner.roster.create(facilitator=person, since=SOON)
    client.force_login(pm.user)
    data = form_data(
        course,
        kind,
        [(SOON, "09:00", "12:00"), (SOON, "11:00", "14:00")],
        title="Keep this title",
        facilitators=[person.pk],
    )
    response = client.post(manage_url("new", partner), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "overlap" in body
    assert "Ada Lovelace is not accredited for CS Explorations" in body
    assert 'value="Keep this title"' in body
    assert 'value="11:00"' in body
    assert not Workshop.objects.exists()


def test_editing_adds_and_removes_sessions(client, partner, pm, offered):
    course, kind = offered
    person = FacilitatorFactory()
    accredit(person, course, program_year_for(SOON))
    partner.roster.create(facilitator=person, since=SOON)
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind, sessions=2)
    first, second = workshop.sessions.all()
    client.force_login(pm.user)
    page = client.get(manage_url("edit", partner, workshop.pk)).content.decode()
    assert 'value="https://meet.example.org/workshop"' in page
    data = form_data(
        course,
        kind,
        [(first.date, "09:00", "15:00"), (second.date, "09:00", "15:00")],
        **{
            "sessions-INITIAL_FORMS": "2",
            "sessions-0-id": str(first.pk),
            "sessions-1-id": str(second.pk),
            "sessions-1-DELETE": "on",
            "sessions-2-date": (SOON + datetime.timedelta(days=7)).isoformat(),
            "sessions-2-start_time": "13:00",
            "sessions-2-end_time": "16:00",
            "facilitators": [person.pk],
        },
    )
    data["sessions-TOTAL_FORMS"] = "3"
    response = client.post(manage_url("edit", partner, workshop.pk), data)
    assert response.status_code == 302, response.content.decode()
    dates = list(workshop.sessions.values_list("date", flat=True))
    assert dates == [first.date, SOON + datetime.timedelta(days=7)]
    assert list(workshop.facilitators.all()) == [person]


def test_cancel_asks_first_then_emails(client, partner, pm, committed):
    workshop = WorkshopFactory(partner=partner)
    enroll(workshop)
    client.force_login(pm.user)
    page = client.get(manage_url("cancel", partner, workshop.pk)).content.decode()
    assert "1 enrolled" in page
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.PUBLISHED
    with committed():
        response = client.post(manage_url("cancel", partner, workshop.pk), {"reason": "Snow day."})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.CANCELLED
    assert len(mail.outbox) == 1 and "Snow day." in mail.outbox[0].body
    # A second submit says so instead of failing.
    response = client.post(manage_url("cancel", partner, workshop.pk), follow=True)
    assert "already cancelled" in response.content.decode()


def test_an_ended_workshop_cannot_be_edited(client, partner, pm):
    workshop = WorkshopFactory(partner=partner, starts_on=PAST)
    client.force_login(pm.user)
    response = client.get(manage_url("edit", partner, workshop.pk), follow=True)
    assert "can no longer change" in response.content.decode()


def test_other_partners_courses_are_not_offered_in_the_form(client, partner, pm, offered):
    other = CourseFactory(name="Not offered here")
    PartnerFactory().courses.add(other)
    client.force_login(pm.user)
    body = client.get(manage_url("new", partner)).content.decode()
    assert "CS Explorations" in body and "Not offered here" not in body


# --- Review fixes: one pass of errors, cancelling, the window, the filter -------------------


class BrokenMailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server is down.")


def test_the_new_form_reports_field_and_cross_field_errors_in_one_pass(
    client, partner, pm, offered
):
    course, kind = offered
    person = FacilitatorFactory(first_name="Ada", last_name="Lovelace")
    partner.roster.create(facilitator=person, since=SOON)
    client.force_login(pm.user)
    data = form_data(
        course,
        kind,
        [(SOON, "09:00", "12:00"), (SOON, "11:00", "14:00")],
        capacity="0",  # a field error of its own
        facilitators=[person.pk],
    )
    response = client.post(manage_url("new", partner), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "greater than or equal to 1" in body
    assert "overlap" in body
    assert "Ada Lovelace is not accredited for CS Explorations" in body
    assert not Workshop.objects.exists()


def test_the_edit_form_reports_field_and_cross_field_errors_in_one_pass(
    client, partner, pm, offered
):
    course, kind = offered
    workshop = WorkshopFactory(partner=partner, course=course, kind=kind, sessions=0)
    client.force_login(pm.user)
    data = form_data(
        course,
        kind,
        [(SOON, "09:00", "12:00"), (SOON, "11:00", "14:00")],
        capacity="lots",
        enrollment_closes_at=f"{(SOON + datetime.timedelta(days=9)).isoformat()}T09:00",
    )
    response = client.post(manage_url("edit", partner, workshop.pk), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole number" in body
    assert "overlap" in body
    assert "Enrollment must close by the end of the last session" in body
    assert not workshop.sessions.exists()


def test_a_broken_session_row_does_not_hide_the_other_problems(client, partner, pm, offered):
    course, kind = offered
    client.force_login(pm.user)
    data = form_data(course, kind, [(SOON, "09:00", "12:00")], time_zone="")
    data |= {"sessions-1-date": SOON.isoformat(), "sessions-1-start_time": "25:00"}
    body = client.post(manage_url("new", partner), data).content.decode()
    assert "Enter a valid time" in body
    assert "Choose the time zone of an online workshop" in body
    assert "Add at least one session" not in body


def test_cancelling_emails_through_tasks_and_a_mail_failure_is_not_a_500(
    client, partner, pm, committed, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailBackend"
    workshop = WorkshopFactory(partner=partner)
    enroll(workshop)
    enroll(workshop, status="waitlisted")
    client.force_login(pm.user)
    with committed():
        response = client.post(manage_url("cancel", partner, workshop.pk), {"reason": "Snow."})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.CANCELLED


@pytest.mark.parametrize("days_ago", [0, 30])
def test_get_cancel_of_a_started_or_ended_workshop_redirects_with_the_reason(
    client, partner, pm, days_ago
):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    # Started at midnight today (still running) or a month ago (ended).
    workshop = WorkshopFactory(
        partner=partner,
        starts_on=day,
        start_time=datetime.time(0, 0),
        end_time=datetime.time(23, 59),
        time_zone=timezone.get_default_timezone_name(),  # the zone of localdate()
        sessions=2,
    )
    client.force_login(pm.user)
    response = client.get(manage_url("cancel", partner, workshop.pk))
    assert response.status_code == 302
    assert response["Location"] == manage_url("detail", partner, workshop.pk)
    page = client.get(response["Location"]).content.decode()
    assert "it can no longer be cancelled" in page
    assert "A note for enrolled teachers" not in page


def test_the_workspace_page_shows_the_real_enrollment_window(client, partner, pm):
    day = datetime.date(SOON.year + 1, 1, 11)
    published = WorkshopFactory(partner=partner, starts_on=day, time_zone="Pacific/Honolulu")
    cancelled = WorkshopFactory(partner=partner, state=WorkshopState.CANCELLED)
    client.force_login(pm.user)
    page = client.get(manage_url("detail", partner, published.pk)).content.decode()
    assert "open when published" not in page.lower()
    assert f"Open now, until {day:%b} {day.day}, {day.year}, 9:00 AM HST." in page
    page = client.get(manage_url("detail", partner, cancelled.pk)).content.decode()
    assert "Closed: the workshop is cancelled." in page


def test_capacity_of_one_is_one_teacher(client, db):
    workshop = WorkshopFactory(capacity=1)
    body = client.get(workshop.get_absolute_url()).content.decode()
    assert "1 teacher<" in body and "1 teachers" not in body


def test_from_after_to_is_said_next_to_the_date_fields(client, db):
    response = client.get(
        reverse("workshops:list"), {"date_from": "2027-03-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "must not be after" in body
    errors = response.context["filter"].form.errors
    assert set(errors) == {"date_from", "date_to"}
