"""Bad input on the visitor's forms and lookups (issue 9): sign-up, sign-in, password reset,
contact, notify-me, the find page, the API lookup, and the list filters.

The list of every form and where it is tested is in test_fuzz_forms.py.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from accounts.tests.factories import UserFactory
from events.tests.factories import EventFactory, served_zip, zip_code
from geography.models import Region, RegionZip
from geography.services import regions_reindex
from partners.tests.factories import PartnerFactory, ProgramManagerFactory
from workshops.tests.factories import CourseFactory, WorkshopFactory

from .fuzz_support import (
    FUZZ,
    IMG,
    SCRIPT,
    assert_field_errors,
    assert_refused,
    fuzz_client,
    hostile_value,
    mixed,
    rolled_back,
    send,
    shown_escaped,
    typed_values_kept,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_limits")]

PASSWORD = "correct horse battery staple 7"


@pytest.fixture
def place(db):
    """A served ZIP (98101, partner Cascade) and one in an open region (98102)."""
    partner = PartnerFactory(name="Cascade Computing", city="Seattle")
    ProgramManagerFactory(partner=partner, user__email="pm@cascade.example.org")
    served = served_zip(partner, "98101")
    opened = zip_code("98102")
    region = Region.objects.create(name="Open Sound", status=Region.Status.OPEN)
    RegionZip.objects.create(region=region, zip_code=opened)
    regions_reindex(state_ids=[opened.state_id])
    for code in (served, opened):
        code.latitude, code.longitude = Decimal("47.61"), Decimal("-122.33")
        code.save()
    course = CourseFactory(name="CS Discoveries", slug="csd")
    WorkshopFactory(partner=partner, course=course, zip_code=served)
    EventFactory(name="Summit")
    return partner


# --- Sign-up, sign-in, password reset -------------------------------------------------------

SIGN_UP = {
    "role": "teacher",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@FUZZ
@given(data=mixed(SIGN_UP, first_name=SCRIPT, last_name=IMG))
@example(data={**SIGN_UP, "first_name": SCRIPT}).via("stored markup")
@example(data={**SIGN_UP, "email": "a\x00@example.org"}).via("NUL byte")
@example(data={**SIGN_UP, "role": "program_admin"}).via("a role not offered")
@example(data={**SIGN_UP, "email": "x" * 250 + "@example.org"}).via("too long")
@example(data={**SIGN_UP, "first_name": "x" * 10_000}).via("10k characters")
def test_sign_up(db, data):
    with rolled_back():
        before = User.objects.count()
        client = fuzz_client()
        outcome = send(client, "post", reverse("accounts:signup"), data)
        if not outcome.accepted:
            assert_refused(outcome, data)
            assert User.objects.count() == before
            return
        assert User.objects.count() == before + 1
        home = send(client, "get", reverse("accounts:home")).html
        user = User.objects.get(email=data["email"].strip().lower())
        if user.first_name:
            assert shown_escaped(home, user.first_name)


@FUZZ
@given(data=mixed({"username": "teacher@example.org", "password": PASSWORD}))
@example(data={"username": "teacher@example.org\x00", "password": PASSWORD})
@example(data={"username": "' OR 1=1 --", "password": "' OR 1=1 --"})
def test_sign_in(db, data):
    with rolled_back():
        UserFactory(email="teacher@example.org", password=PASSWORD, role="teacher")
        outcome = send(fuzz_client(), "post", reverse("accounts:login"), data)
        if outcome.accepted:
            assert data == {"username": "teacher@example.org", "password": PASSWORD}
            return
        assert_refused(outcome, data)


@FUZZ
@given(data=mixed({"email": "teacher@example.org"}))
@example(data={"email": "teacher@example.org\x00"})
@example(data={"email": ["teacher@example.org", "other@example.org"]})
def test_password_reset_request(db, data):
    with rolled_back():
        UserFactory(email="teacher@example.org", role="teacher")
        outcome = send(fuzz_client(), "post", reverse("accounts:password_reset"), data)
        if not outcome.accepted:
            assert_refused(outcome, data)
            return
        # Accepted: only the account's own address gets a link, whatever else was typed.
        assert all(message.to == ["teacher@example.org"] for message in mail.outbox)


@FUZZ
@given(data=mixed({"new_password1": PASSWORD, "new_password2": PASSWORD}))
@example(data={"new_password1": "\x00" * 12, "new_password2": "\x00" * 12})
@example(data={"new_password1": "x" * 10_000, "new_password2": "x" * 10_000})
def test_password_reset_confirm(db, data):
    with rolled_back():
        user = UserFactory(email="teacher@example.org", role="teacher")
        client = fuzz_client()
        link = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        form_url = client.get(link)["Location"]  # the token moves into the session
        outcome = send(client, "post", form_url, data)
        if outcome.accepted:
            user.refresh_from_db()
            typed = data["new_password1"]
            assert user.check_password(typed[-1] if isinstance(typed, list) else typed)
            return
        assert_refused(outcome, data)
        user.refresh_from_db()
        typed = data.get("new_password1", "")
        assert not user.check_password(typed[-1] if isinstance(typed, list) else typed)


@pytest.mark.parametrize(
    "uidb64, token",
    [("%00", "x"), ("MQ", "\x00"), ("A" * 500, "1-1"), ("-1", "' OR 1=1 --")],
)
def test_password_reset_confirm_link_garbled(db, uidb64, token):
    url = f"/accounts/password/reset/{uidb64}/{token}/"
    outcome = send(fuzz_client(), "get", url)
    assert outcome.response.status_code in (200, 404)


# --- Contact and notify-me ------------------------------------------------------------------

CONTACT = {
    "name": "Grace Hopper",
    "email": "grace@example.org",
    "message": "Where are the workshops?",
    "partner": "cascade-computing",
    "zip": "98101",
}


@FUZZ
@given(data=mixed(CONTACT))
@example(data={**CONTACT, "name": "Grace\r\nBcc: everyone@example.org"}).via("header injection")
@example(data={**CONTACT, "message": "x" * 10_000})
@example(data={**CONTACT, "partner": "no-such-partner"})
@example(data={**CONTACT, "partner": "<b>", "zip": "\x00"}).via("hidden fields tampered")
@example(data={**CONTACT, "message": "a\x00b"})
def test_contact(place, data):
    with rolled_back():
        outcome = send(fuzz_client(), "post", reverse("pages:contact"), data)
        if outcome.accepted:
            assert len(mail.outbox) == 1
            assert "\n" not in mail.outbox[0].subject
            return
        assert_refused(outcome, data)


@FUZZ
@given(data=mixed({"email": "ada@example.org", "role": "teacher", "zip": "98102"}))
@example(data={"email": "ada@example.org", "role": "teacher", "zip": "00000"})
@example(data={"email": "ada@example.org", "role": "<b>", "zip": "98102"})
@example(data={"email": "ada@example.org", "role": "teacher", "zip": "%00"})
def test_notify(place, data):
    with rolled_back():
        outcome = send(fuzz_client(), "post", reverse("pages:notify"), data)
        if outcome.accepted:
            return
        assert_refused(outcome, data)


# --- Lookups and filters (GET) --------------------------------------------------------------


@FUZZ
@given(code=hostile_value)
@example(code="%00").via("a NUL typed as text")
@example(code="\x00")
@example(code="98101\n")
@example(code="\uff19\uff18\uff11\uff10\uff11").via("full-width digits")
@example(code="\u0669\u0668\u0661\u0660\u0661").via("Arabic-Indic digits")
def test_find_page_lookup(place, code):
    outcome = send(fuzz_client(), "get", reverse("pages:find"), {"zip": code})
    response = outcome.response
    assert response.status_code in (200, 400, 404)
    if response.status_code != 200:
        assert not outcome.writes
        assert_refused(outcome, {"zip": code})


@FUZZ
@given(code=hostile_value)
@example(code="\x00")
@example(code="98101 1234")
@example(code="\u0669\u0668\u0661\u0660\u0661")
def test_api_lookup(place, code):
    outcome = send(fuzz_client(), "get", reverse("api:regions-lookup"), {"zip": code})
    response = outcome.response
    assert response.status_code in (200, 400, 404)
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json() or "zip" in response.json()
    assert not outcome.writes


def _assert_filter_page(outcome, data: dict, form) -> None:
    """A list filter: refused values are said next to their field, typed text kept."""
    assert outcome.response.status_code == 200
    assert not outcome.writes
    if form.is_bound and form.errors:
        assert_field_errors(form, outcome.html)
        assert not typed_values_kept(form, data, outcome.html)


WORKSHOP_FILTER = {
    "course": "csd",
    "state": "published",
    "partner": "cascade-computing",
    "date_from": "2026-01-01",
    "date_to": "2027-01-01",
    "zip": "98101",
    "miles": "50",
    "page": "1",
}


@FUZZ
@given(data=mixed(WORKSHOP_FILTER))
@example(data={"zip": "98101", "miles": "1e309"})
@example(data={"date_from": "2026-02-30", "date_to": "0000-00-00"})
@example(data={"page": "99999999999999999999"})
@example(data={"zip": "\x00"})
def test_workshop_list_filters(place, data):
    cache.clear()  # the list is cached for visitors: each example renders it
    outcome = send(fuzz_client(), "get", reverse("workshops:list"), data)
    _assert_filter_page(outcome, data, outcome.response.context["filter"].form)


@FUZZ
@given(data=mixed({"kind": "summit", "state": "WA", "when": "past", "page": "2"}))
@example(data={"state": "\x00", "when": "<b>"})
def test_event_list_filters(place, data):
    outcome = send(fuzz_client(), "get", reverse("events:list"), data)
    _assert_filter_page(outcome, data, outcome.response.context["filter"].form)


@FUZZ
@given(
    data=mixed(
        {
            "q": "Seattle",
            "state": "WA",
            "course": "csd",
            "organization_type": "nonprofit",
            "page": "1",
        }
    )
)
@example(data={"q": "\x00"})
@example(data={"q": "%"})
@example(data={"q": "' OR 1=1 --", "page": "-1"})
def test_partner_directory_filters(place, data):
    cache.clear()  # the directory is cached for visitors: each example renders it
    outcome = send(fuzz_client(), "get", reverse("partners:directory"), data)
    _assert_filter_page(outcome, data, outcome.response.context["filter"].form)


@FUZZ
@given(code=st.one_of(st.uuids().map(str), hostile_value.filter(lambda v: isinstance(v, str))))
def test_certificate_verification(db, code):
    """The code is in the path: anything that is not a known certificate's is a plain 404."""
    from urllib.parse import quote

    outcome = send(fuzz_client(), "get", f"/workshops/certificates/{quote(code, safe='')}/")
    assert outcome.response.status_code == 404
    assert not outcome.writes


def test_stored_markup_is_escaped_on_the_partner_page(place):
    """What a visitor's search echoes and a partner's stored name are escaped."""
    place.name = SCRIPT
    place.save()
    html = send(fuzz_client(), "get", reverse("partners:directory"), {"q": SCRIPT}).html
    assert escape(SCRIPT) in html
