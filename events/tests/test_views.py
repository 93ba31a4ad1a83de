"""The event pages: scope for everyone, forms that keep input, the report and its CSV."""

import csv
import datetime
import html
import io

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from partners.tests.factories import PartnerFactory

from ..models import Event, EventKind, EventRegistration, RegistrationStatus
from .factories import (
    ConferenceFactory,
    EventFactory,
    MeetupFactory,
    RegistrationFactory,
    in_days,
    manager_of,
    served_zip,
)

pytestmark = pytest.mark.django_db

LIST = reverse("events:list")
CREATE = reverse("events:create")
REPORT = reverse("events:report")
REPORT_CSV = reverse("events:report_csv")


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(name: str, event: Event) -> str:
    return reverse(f"events:{name}", args=[event.pk])


def as_user(client, user):
    client.force_login(user)
    return client


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- The list -------------------------------------------------------------------------------


def test_list_is_public_filters_and_defaults_to_upcoming(client, django_assert_max_num_queries):
    summit = EventFactory(name="Summit ahead")
    MeetupFactory(name="Meetup ahead")
    EventFactory(name="Summit gone", starts_on=in_days(-40))
    for _ in range(5):
        MeetupFactory()
    with django_assert_max_num_queries(5):
        response = client.get(LIST)
    assert response.status_code == 200
    body = text(response)
    assert "Summit ahead" in body and "Meetup ahead" in body
    assert "Summit gone" not in body
    body = text(client.get(LIST, {"kind": EventKind.SUMMIT}))
    assert "Summit ahead" in body and "Meetup ahead" not in body
    body = text(client.get(LIST, {"when": "past"}))
    assert "Summit gone" in body and "Summit ahead" not in body
    assert summit.get_absolute_url() in text(client.get(LIST, {"when": "all"}))


def test_list_query_count_does_not_grow_for_signed_in_people(client, django_assert_max_num_queries):
    pm = manager_of(PartnerFactory())
    for _ in range(8):
        RegistrationFactory(event=EventFactory(), user=pm)
    as_user(client, pm)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert text(response).count(">Registered<") == 8


@pytest.mark.parametrize(
    "query", [{"kind": "party"}, {"state": "ZZ"}, {"when": "soon"}, {"page": "x"}, {"page": "99"}]
)
def test_list_bad_query_strings_are_not_errors(client, query):
    EventFactory()
    assert client.get(LIST, query).status_code == 200


def test_list_escapes_names(client):
    EventFactory(name="<script>alert(1)</script>")
    body = client.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


# --- The detail and registering ---------------------------------------------------------


def test_detail_for_anonymous_offers_sign_in_with_next(client):
    event = EventFactory(capacity=50)
    body = text(client.get(event.get_absolute_url()))
    assert f"{reverse('accounts:login')}?next={event.get_absolute_url()}" in body
    assert ("CDT" in body or "CST" in body) and "America/Chicago" in body
    assert "50 left" in body


def test_detail_of_a_missing_event_is_404(client):
    assert client.get(reverse("events:detail", args=[999999])).status_code == 404


def test_online_link_only_for_registered_people(client):
    event = EventFactory(
        is_online=True, online_url="https://meet.example.org/secret", venue="", city=""
    )
    assert "meet.example.org/secret" not in text(client.get(event.get_absolute_url()))
    pm = manager_of(PartnerFactory())
    as_user(client, pm)
    body = text(client.get(event.get_absolute_url()))
    assert "Online" in body and "meet.example.org/secret" not in body
    RegistrationFactory(event=event, user=pm)
    assert "meet.example.org/secret" in text(client.get(event.get_absolute_url()))


def test_registration_list_only_for_admins_and_hosts(client, program_admin, regional_manager):
    host = PartnerFactory()
    meetup = MeetupFactory(host_partner=host)
    RegistrationFactory(event=meetup, user=UserFactory(email="guest@example.org"))
    for user, sees in (
        (program_admin, True),
        (manager_of(host), True),
        (manager_of(PartnerFactory()), False),
        (regional_manager, False),
        (UserFactory(role="teacher"), False),
    ):
        as_user(client, user)
        assert ("guest@example.org" in text(client.get(meetup.get_absolute_url()))) is sees


def test_teacher_sees_why_they_cannot_register_for_a_summit(client):
    as_user(client, UserFactory(role="teacher"))
    body = text(client.get(EventFactory().get_absolute_url()))
    assert "Summits are for the program managers" in body
    assert 'action="/events/' not in body


def test_manager_of_several_partners_chooses_and_errors_show_by_the_field(client):
    first, second = PartnerFactory(name="Alpha Partner"), PartnerFactory(name="Beta Partner")
    pm = manager_of(first, second)
    summit = EventFactory()
    as_user(client, pm)
    body = text(client.get(summit.get_absolute_url()))
    assert 'name="partner"' in body and "Alpha Partner" in body and "Beta Partner" in body
    response = client.post(url("register", summit), {})
    assert response.status_code == 200
    assert response.context["form"].errors["partner"]
    assert not EventRegistration.objects.exists()
    response = client.post(url("register", summit), {"partner": second.pk}, follow=True)
    assert "You are registered" in text(response)
    assert EventRegistration.objects.get().partner == second
    # A double submit answers with a message, never an error page.
    response = client.post(url("register", summit), {"partner": second.pk}, follow=True)
    assert response.status_code == 200
    assert "You are registered" in text(response)
    assert EventRegistration.objects.count() == 1


def test_teacher_without_zip_gives_one_and_input_is_kept(client):
    partner = PartnerFactory()
    served_zip(partner, "98101")
    teacher = UserFactory(role="teacher")
    conference = ConferenceFactory()
    as_user(client, teacher)
    assert 'name="zip_code"' in text(client.get(conference.get_absolute_url()))
    response = client.post(url("register", conference), {"zip_code": "9810x"})
    assert response.status_code == 200
    assert response.context["form"].errors["zip_code"]
    assert 'value="9810x"' in text(response)
    response = client.post(url("register", conference), {"zip_code": "98999"})
    assert response.context["form"].errors["zip_code"]
    response = client.post(url("register", conference), {"zip_code": "98101"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.school_zip.code == "98101"
    assert EventRegistration.objects.get().partner == partner


def test_register_needs_sign_in_and_post(client):
    summit = EventFactory()
    assert_login_redirect(client.post(url("register", summit)))
    as_user(client, manager_of(PartnerFactory()))
    assert client.get(url("register", summit)).status_code == 405


def test_not_eligible_post_gives_a_message_not_an_error(client):
    summit = EventFactory()
    as_user(client, UserFactory(role="teacher"))
    response = client.post(url("register", summit), follow=True)
    assert response.status_code == 200
    assert "Summits are for the program managers" in text(response)
    assert not EventRegistration.objects.exists()


def test_full_event_says_waitlist(client):
    summit = EventFactory(capacity=1)
    RegistrationFactory(event=summit)
    as_user(client, manager_of(PartnerFactory()))
    assert "Join the waitlist" in text(client.get(summit.get_absolute_url()))
    response = client.post(url("register", summit), follow=True)
    assert "waitlist" in text(response)
    assert EventRegistration.objects.filter(status=RegistrationStatus.WAITLISTED).count() == 1


def test_cancel_asks_first_then_cancels(client):
    pm = manager_of(PartnerFactory())
    summit = EventFactory()
    registration = RegistrationFactory(event=summit, user=pm)
    assert_login_redirect(client.get(url("cancel", summit)))
    as_user(client, pm)
    response = client.get(url("cancel", summit))
    assert response.status_code == 200 and "Cancel your registration?" in text(response)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
    response = client.post(url("cancel", summit), follow=True)
    assert "is cancelled" in text(response)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    # Nothing left to cancel: a message, not an error.
    response = client.post(url("cancel", summit), follow=True)
    assert response.status_code == 200 and "no registration" in text(response)


# --- Creating and editing ----------------------------------------------------------------


def event_post(**overrides):
    data = {
        "kind": EventKind.SUMMIT,
        "name": "Regional Partner Summit, September",
        "starts_on": in_days(40).isoformat(),
        "ends_on": in_days(41).isoformat(),
        "start_time": "09:00",
        "end_time": "16:30",
        "time_zone": "America/Chicago",
        "venue": "Lakeside Conference Center",
        "city": "Chicago",
        "capacity": "",
        "registration_closes_on": "",
    }
    return {**data, **overrides}


def test_create_scope(client, regional_manager):
    assert_login_redirect(client.get(CREATE))
    for user in (
        UserFactory(role="teacher"),
        regional_manager,
        UserFactory(role="program_manager"),
    ):
        as_user(client, user)
        assert client.get(CREATE).status_code == 404
        assert client.post(CREATE, event_post()).status_code == 404
    assert not Event.objects.exists()


def test_admin_creates_and_errors_keep_input_next_to_the_field(client, program_admin):
    as_user(client, program_admin)
    response = client.post(CREATE, event_post(ends_on=in_days(2).isoformat(), name="Kept name"))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"]
    assert 'value="Kept name"' in text(response)
    response = client.post(CREATE, event_post())
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.created_by == program_admin


def test_program_manager_creates_a_meetup_for_their_partner_only(client):
    host, other = PartnerFactory(), PartnerFactory()
    as_user(client, manager_of(host))
    response = client.get(CREATE, {"partner": host.slug})
    assert response.status_code == 200
    form = response.context["form"]
    assert "kind" not in form.fields
    assert list(form.fields["host_partner"].queryset) == [host]
    response = client.post(CREATE, event_post(host_partner=other.pk))
    assert response.status_code == 200 and response.context["form"].errors["host_partner"]
    response = client.post(CREATE, event_post(host_partner=host.pk, kind=EventKind.SUMMIT))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.kind == EventKind.MEETUP and event.host_partner == host


def test_edit_scope(client, program_admin, regional_manager):
    host = PartnerFactory()
    meetup = MeetupFactory(host_partner=host)
    summit = EventFactory()
    assert_login_redirect(client.get(url("update", meetup)))
    for user in (
        UserFactory(role="teacher"),
        regional_manager,
        manager_of(PartnerFactory()),
    ):
        as_user(client, user)
        assert client.get(url("update", meetup)).status_code == 404
        assert client.get(url("delete", meetup)).status_code == 404
        assert client.get(url("attendance", meetup)).status_code == 404
    as_user(client, manager_of(host))
    assert client.get(url("update", meetup)).status_code == 200
    assert client.get(url("update", summit)).status_code == 404
    as_user(client, program_admin)
    assert client.get(url("update", summit)).status_code == 200


def test_edit_saves_and_service_errors_show_by_the_field(client, program_admin):
    summit = EventFactory(capacity=2)
    RegistrationFactory(event=summit)
    RegistrationFactory(event=summit)
    as_user(client, program_admin)
    data = event_post(
        name=summit.name,
        starts_on=summit.starts_on.isoformat(),
        ends_on=summit.ends_on.isoformat(),
        capacity="1",
    )
    response = client.post(url("update", summit), data)
    assert response.status_code == 200
    assert "capacity cannot be less" in " ".join(response.context["form"].errors["capacity"])
    response = client.post(url("update", summit), {**data, "capacity": "3", "name": "Renamed"})
    assert response.status_code == 302
    summit.refresh_from_db()
    assert summit.name == "Renamed" and summit.capacity == 3


def test_a_capacity_of_zero_is_refused_next_to_the_field(client, program_admin):
    as_user(client, program_admin)
    response = client.post(CREATE, event_post(capacity="0"))
    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "Give at least 1 place, or leave it empty for no limit."
    ]
    assert 'min="1"' in str(response.context["form"]["capacity"])
    assert not Event.objects.exists()


def test_delete_confirms_and_refuses_with_registrations(client, program_admin):
    summit = EventFactory()
    RegistrationFactory(event=summit)
    empty = EventFactory()
    as_user(client, program_admin)
    assert "cannot be deleted" in text(client.get(url("delete", summit)))
    response = client.post(url("delete", summit), follow=True)
    assert "cannot be deleted" in text(response)
    assert Event.objects.filter(pk=summit.pk).exists()
    assert "Delete the event" in text(client.get(url("delete", empty)))
    assert client.post(url("delete", empty)).status_code == 302
    assert not Event.objects.filter(pk=empty.pk).exists()


# --- Attendance --------------------------------------------------------------------------


def test_host_takes_attendance_from_the_first_day(client):
    host = PartnerFactory()
    pm = manager_of(host)
    later = MeetupFactory(host_partner=host)
    as_user(client, pm)
    assert "from the first day" in text(client.get(url("attendance", later)))
    today = MeetupFactory(host_partner=host, starts_on=in_days(0))
    came = RegistrationFactory(event=today, partner=host)
    absent = RegistrationFactory(event=today, partner=host)
    RegistrationFactory(event=today, partner=host, status=RegistrationStatus.WAITLISTED)
    response = client.get(url("attendance", today))
    assert len(response.context["form"].fields["attended"].choices) == 2
    response = client.post(url("attendance", today), {"attended": [str(came.pk)]})
    assert response.status_code == 302
    came.refresh_from_db()
    absent.refresh_from_db()
    assert came.attended and not absent.attended
    response = client.post(url("attendance", today), {"attended": ["999999"]})
    assert response.status_code == 200 and response.context["form"].errors["attended"]


# --- The office's report -------------------------------------------------------------------


def report_world():
    summit = EventFactory(starts_on=in_days(-30), name="Past summit")
    assigned, other = PartnerFactory(name="Assigned Partner"), PartnerFactory(name="Other Partner")
    gone = PartnerFactory(name="Gone Partner", status="inactive")
    rm = UserFactory(role="regional_manager")
    assigned.regional_manager = rm
    assigned.save()
    pm = manager_of(assigned)
    RegistrationFactory(event=summit, user=pm, partner=assigned, attended=True)
    return rm, assigned, other, gone


def test_report_scope(client, program_admin):
    rm, assigned, _other, _gone = report_world()
    assert_login_redirect(client.get(REPORT))
    for user in (UserFactory(role="teacher"), manager_of(assigned)):
        as_user(client, user)
        assert client.get(REPORT).status_code == 404
        assert client.get(REPORT_CSV).status_code == 404
    as_user(client, rm)
    body = text(client.get(REPORT))
    assert "Assigned Partner" in body and "Other Partner" not in body
    as_user(client, program_admin)
    body = text(client.get(REPORT))
    assert "Assigned Partner" in body and "Other Partner" in body and "Gone Partner" not in body


def test_report_query_count_is_pinned(client, program_admin, django_assert_max_num_queries):
    report_world()
    for _ in range(10):
        RegistrationFactory(event=EventFactory(starts_on=in_days(-20)))
    as_user(client, program_admin)
    with django_assert_max_num_queries(6):
        response = client.get(REPORT)
    assert response.status_code == 200
    # Two active partners of report_world (not the inactive one) and the ten others.
    assert len(response.context["report"].rows) == 12


def test_report_program_year_choice_and_bad_values(client, program_admin):
    report_world()
    as_user(client, program_admin)
    response = client.get(REPORT, {"program_year": "1999-00"})
    assert response.status_code == 200
    assert response.context["form"].errors["program_year"]
    assert response.context["report"].summits  # the current year instead
    last_year = response.context["form"].fields["program_year"].choices[0][0]
    response = client.get(REPORT, {"program_year": last_year})
    assert response.context["report"].program_year == last_year


def test_report_csv_is_the_same_table(client, program_admin):
    _rm, _assigned, other, _gone = report_world()
    other.name = "=HYPERLINK(1)"
    other.save()
    as_user(client, program_admin)
    response = client.get(REPORT_CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Partner"
    assert any("Past summit" in h and "program manager attended" in h for h in rows[0])
    by_name = {row[0]: row for row in rows[1:]}
    column = next(i for i, h in enumerate(rows[0]) if "Past summit" in h)
    assert by_name["Assigned Partner"][column] == "Yes"
    assert by_name["'=HYPERLINK(1)"][column] == "No"


# --- The partner workspace --------------------------------------------------------------


def workspace_url(partner) -> str:
    return reverse("partner_events:list", args=[partner.slug])


def test_workspace_scope(client, program_admin):
    partner = PartnerFactory()
    rm_elsewhere = UserFactory(role="regional_manager")
    PartnerFactory(regional_manager=rm_elsewhere)
    assert_login_redirect(client.get(workspace_url(partner)))
    for user in (
        UserFactory(role="teacher"),
        manager_of(PartnerFactory()),
        rm_elsewhere,
    ):
        as_user(client, user)
        assert client.get(workspace_url(partner)).status_code == 404
    as_user(client, program_admin)
    assert client.get(workspace_url(partner)).status_code == 200


def test_workspace_lists_registrations_meetups_and_open_events(client):
    partner = PartnerFactory()
    pm = manager_of(partner, first_name="Priya", last_name="Castellano")
    summit = EventFactory(name="September summit")
    RegistrationFactory(event=summit, user=pm, partner=partner)
    MeetupFactory(host_partner=partner, name="Our meetup")
    MeetupFactory(name="Their meetup")
    EventFactory(name="Last year's summit", starts_on=datetime.date(2020, 9, 10))
    as_user(client, pm)
    body = text(client.get(workspace_url(partner)))
    assert "Priya Castellano" in body and "September summit" in body
    assert "Our meetup" in body and "Their meetup" not in body
    assert "Last year's summit" not in body
    assert "New meetup" in body


def test_workspace_is_read_only_for_the_partners_regional_manager(client):
    rm = UserFactory(role="regional_manager")
    partner = PartnerFactory(regional_manager=rm)
    MeetupFactory(host_partner=partner, name="Our meetup")
    as_user(client, rm)
    response = client.get(workspace_url(partner))
    assert response.status_code == 200
    body = text(response)
    assert "Our meetup" in body
    assert "New meetup" not in body and "/edit/" not in body
