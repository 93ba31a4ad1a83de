import pytest
from django.core import mail
from django.core.cache import cache

from geography.models import InterestSignup, RegionState, State
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.models import Course

FIND = "/educate/regional-partner/find/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters


@pytest.fixture
def program(geography, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        partner = PartnerFactory(name="Evergreen CS", contact_email="hello@evergreen.example.org")
        partner.courses.add(Course.objects.create(name="CS Principles", grade_band="high"))
        ProgramManagerFactory(partner=partner, user__email="pm@evergreen.example.org")
        wa = RegionFactory(name="Washington", status="served", partner=partner)
        RegionState.objects.create(region=wa, state=State.objects.get(code="WA"))
        ny = RegionFactory(name="New York", status="open")
        RegionState.objects.create(region=ny, state=State.objects.get(code="NY"))
    return {"partner": partner, "open": ny}


@pytest.mark.django_db
def test_find_shows_the_partner_and_its_programs(client, program):
    response = client.get(FIND, {"zip": "98101-1234"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "98101: Seattle, Washington" in html
    assert "Evergreen CS" in html and "CS Principles" in html
    assert "Tell me when a partner serves my area" not in html


@pytest.mark.django_db
def test_find_in_an_open_region_offers_notify_and_apply(client, program):
    html = client.get(FIND, {"zip": "10001"}).content.decode()
    assert "This region needs a partner" in html
    assert "?region=new-york" in html
    assert "Tell me when a partner serves my area" in html


@pytest.mark.django_db
def test_find_without_a_zip_shows_the_form(client, program):
    response = client.get(FIND)
    assert response.status_code == 200
    assert 'name="zip"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["", "123", "abcde", "<b>hi</b>"])
def test_find_malformed_zip_is_400_with_message_beside_the_field(client, program, raw):
    response = client.get(FIND, {"zip": raw})
    assert response.status_code == 400
    html = response.content.decode()
    assert "five digits" in html
    assert "<b>hi</b>" not in html


@pytest.mark.django_db
def test_find_unknown_zip_is_404_saying_so(client, program):
    response = client.get(FIND, {"zip": "00000"})
    assert response.status_code == 404
    assert "There is no ZIP code 00000" in response.content.decode()


@pytest.mark.django_db
def test_find_runs_a_fixed_number_of_queries(client, program, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as few:
        client.get(FIND, {"zip": "98101"})
    for n in range(20):
        RegionFactory(name=f"Extra {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(FIND, {"zip": "98101"})


@pytest.mark.django_db
def test_contact_goes_to_the_partners_program_managers(client, program):
    response = client.post(
        "/educate/regional-partner/contact/",
        {"name": "Ada", "email": "ada@school.example.org", "message": "Workshops?",
         "partner": "evergreen-cs", "zip": "98101"},
    )  # fmt: skip
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pm@evergreen.example.org"]
    assert mail.outbox[0].reply_to == ["ada@school.example.org"]
    assert "Workshops?" in mail.outbox[0].body


@pytest.mark.django_db
def test_contact_without_partner_goes_to_the_program_office(client, program, settings):
    client.post(
        "/educate/regional-partner/contact/",
        {"name": "Ada", "email": "ada@school.example.org", "message": "Hello", "zip": "10001"},
    )
    assert mail.outbox[0].to == [settings.PROGRAM_OFFICE_EMAIL]


@pytest.mark.django_db
def test_contact_errors_keep_the_message_and_send_nothing(client, program):
    response = client.post(
        "/educate/regional-partner/contact/",
        {"name": "Ada\nBcc: x@evil.example", "email": "nope", "message": "Keep me",
         "partner": "evergreen-cs"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "Keep me" in html and "Enter a valid email address." in html
    assert "Enter your name on one line." in html
    assert mail.outbox == []


@pytest.mark.django_db
def test_contact_is_rate_limited_with_a_clear_message(client, program):
    data = {"name": "Ada", "email": "ada@example.org", "message": "Hi", "partner": "evergreen-cs"}
    for _ in range(5):
        assert client.post("/educate/regional-partner/contact/", data).status_code == 302
    response = client.post("/educate/regional-partner/contact/", data)
    assert response.status_code == 429
    assert "try again in an hour" in response.content.decode()
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_notify_me_records_demand_once_per_address(client, program):
    data = {"email": "Ada@School.example.org", "role": "teacher", "zip": "10001"}
    assert client.post("/educate/regional-partner/notify/", data).status_code == 302
    assert client.post("/educate/regional-partner/notify/", data).status_code == 302
    signup = InterestSignup.objects.get()
    assert signup.email == "ada@school.example.org"
    assert signup.region == program["open"]


@pytest.mark.django_db
def test_notify_me_refuses_bad_input_and_keeps_it(client, program):
    response = client.post(
        "/educate/regional-partner/notify/",
        {"email": "ada@example.org", "role": "boss", "zip": "99999"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and 'value="ada@example.org"' in html
    assert not InterestSignup.objects.exists()
