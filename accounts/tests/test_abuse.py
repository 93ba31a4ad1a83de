"""Abuse limits: rate limits on the forms, the sign-in lock-out, and the security headers."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from applications.models import Application, Status
from applications.tests.factories import ApplicationFactory, hawaii, open_region
from geography.models import InterestSignup

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
HOME = reverse("accounts:home")
HERE = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def html_of(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def sign_in(client, email, password, ip=HERE):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


# --- Sign-in rate limits -------------------------------------------------------------------


@override_settings(RATE_SIGN_IN_PER_EMAIL="3/10m", AXES_FAILURE_LIMIT=100)
def test_sign_in_is_limited_per_email_even_with_the_right_password(client):
    user = UserFactory(email="ada@example.org")
    # From three addresses, so neither the per-IP limit nor the lock-out is what refuses.
    for n in range(3):
        assert sign_in(client, "Ada@Example.org", "wrong", ip=f"10.1.0.{n}").status_code == 200
    response = sign_in(client, user.email, PASSWORD, ip="10.1.0.9")
    assert response.status_code == 429
    html = html_of(response)
    assert "Too many sign-in attempts in a short time" in html
    assert 'value="ada@example.org"' in html
    assert not signed_in(client)
    # Another person is not held up by it.
    other = UserFactory()
    assert sign_in(client, other.email, PASSWORD, ip="10.1.0.9").status_code == 302


@override_settings(RATE_SIGN_IN_PER_IP="3/10m")
def test_sign_in_is_limited_per_address(client):
    for n in range(3):
        assert sign_in(client, f"guess{n}@example.org", "wrong").status_code == 200
    user = UserFactory()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts in a short time" in html_of(response)
    assert not signed_in(client)
    assert sign_in(client, user.email, PASSWORD, ip=ELSEWHERE).status_code == 302


@override_settings(RATE_SIGN_IN_PER_IP="3/10m", RATE_SIGN_IN_PER_EMAIL="3/10m")
def test_only_failed_sign_ins_count_so_a_room_of_teachers_is_not_refused(client):
    teachers = [UserFactory() for _ in range(6)]
    for teacher in teachers:  # six people, one address, twice each: more than the rate
        for _ in range(2):
            client.logout()
            assert sign_in(client, teacher.email, PASSWORD).status_code == 302
    # Failures still count: three from here, and the next attempt is refused.
    client.logout()
    for n in range(3):
        assert sign_in(client, f"guess{n}@example.org", "wrong").status_code == 200
    assert sign_in(client, teachers[0].email, PASSWORD).status_code == 429


@override_settings(RATE_SIGN_IN_PER_IP="2/10m")
def test_showing_the_sign_in_page_is_never_limited(client):
    for _ in range(5):
        assert client.get(LOGIN, REMOTE_ADDR=HERE).status_code == 200


def test_sign_in_rates_are_settings():
    from django.conf import settings

    assert settings.RATE_SIGN_IN_PER_IP == "40/10m"
    assert settings.RATE_SIGN_IN_PER_EMAIL == "10/10m"
    assert settings.RATE_PASSWORD_RESET_PER_IP == "10/h"
    assert settings.RATE_PASSWORD_RESET_PER_EMAIL == "5/h"


# --- Lock-out (django-axes) ----------------------------------------------------------------


def lock_out(client, email, ip=HERE):
    """Fail five times; the fifth already answers with the lock-out page."""
    responses = [sign_in(client, email, "wrong-password", ip=ip) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    return responses[-1]


def test_five_failures_lock_that_email_from_that_address(client):
    user = UserFactory(email="grace@example.org")
    response = lock_out(client, user.email)
    assert response.status_code == 429
    html = html_of(response)
    assert "Too many failed sign-in attempts for this email address" in html
    assert "paused for 15 minutes" in html
    assert 'value="grace@example.org"' in html
    assert "<h1>Sign in</h1>" in html  # the sign-in page, not a bare error page
    # The right password is refused too, while the lock lasts.
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "paused for 15 minutes" in html_of(response)
    assert not signed_in(client)


def test_the_locked_person_still_signs_in_from_elsewhere(client):
    user = UserFactory()
    lock_out(client, user.email)
    assert sign_in(client, user.email, PASSWORD, ip=ELSEWHERE).status_code == 302
    assert signed_in(client)


def test_other_people_at_the_same_address_are_not_locked(client):
    user = UserFactory()
    lock_out(client, "someone-else@example.org")
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_the_email_counts_whatever_its_case(client):
    user = UserFactory(email="ada@example.org")
    for email in ("Ada@Example.org", "ADA@EXAMPLE.ORG", " ada@example.org", "ada@example.ORG"):
        assert sign_in(client, email, "wrong").status_code == 200
    assert sign_in(client, "ada@example.org", "wrong").status_code == 429
    assert sign_in(client, user.email, PASSWORD).status_code == 429


def test_the_lock_out_reads_the_same_for_an_unknown_address(client):
    known = UserFactory(email="known@example.org")
    locked_known = html_of(lock_out(client, known.email))
    locked_unknown = html_of(lock_out(client, "nobody@example.org", ip=ELSEWHERE))
    message = re.compile(r'<div class="form-errors" role="alert">\s*<p>(.*?)</p>', re.S)
    assert message.search(locked_known).group(1) == message.search(locked_unknown).group(1)


def test_the_lock_clears_after_the_cool_off(client):
    user = UserFactory()
    lock_out(client, user.email)
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    # Sixteen minutes later (cool-off: 15).
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_attempts_during_the_lock_do_not_extend_it(client):
    user = UserFactory()
    lock_out(client, user.email)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=14))
    assert sign_in(client, user.email, "wrong-again").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_a_success_forgets_earlier_failures(client):
    user = UserFactory()
    for _ in range(4):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert sign_in(client, user.email, "wrong").status_code == 200
    assert sign_in(client, user.email, PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_load_balancer_the_lock_is_on_the_client_s_address(client):
    user = UserFactory()
    balancer = "10.9.9.9"

    def through_balancer(password, client_ip, sent=""):
        forwarded = f"{sent}, {client_ip}" if sent else client_ip
        return client.post(
            LOGIN,
            {"username": user.email, "password": password},
            REMOTE_ADDR=balancer,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # An attacker forges X-Forwarded-For: only the address the balancer saw counts.
    for n in range(5):
        through_balancer("wrong", "203.0.113.5", sent=f"198.51.100.{n}")
    assert through_balancer(PASSWORD, "203.0.113.5").status_code == 429
    # The account's owner comes through the same balancer from another address.
    assert through_balancer(PASSWORD, "203.0.113.77").status_code == 302


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client):
    user = UserFactory()
    for n in range(5):
        client.post(
            LOGIN,
            {"username": user.email, "password": "wrong"},
            REMOTE_ADDR=HERE,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert sign_in(client, user.email, PASSWORD).status_code == 429


def test_an_admin_clears_a_lock(client):
    user = UserFactory()
    lock_out(client, user.email)
    assert admin.site.is_registered(AccessAttempt)
    call_command("axes_reset_username", user.email)
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_a_program_admin_sees_and_deletes_locks_in_the_admin(client):
    user = UserFactory()
    lock_out(client, user.email)
    staff = UserFactory(role="program_admin", is_staff=True, is_superuser=True)
    client.force_login(staff)
    changelist = reverse("admin:axes_accessattempt_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    assert user.email in html_of(response)
    attempt = AccessAttempt.objects.get()
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_test_client_logins_still_work(client):
    user = UserFactory()
    assert client.login(email=user.email, password=PASSWORD)
    assert signed_in(client)
    client.logout()
    assert not client.login(email=user.email, password="wrong")
    client.force_login(user)
    assert signed_in(client)


def test_sign_up_still_signs_the_new_person_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "role": "teacher",
            "first_name": "Ada",
            "last_name": "Byron",
            "email": "ada@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert signed_in(client)


# --- Password reset ------------------------------------------------------------------------


@override_settings(RATE_PASSWORD_RESET_PER_EMAIL="2/h")
def test_password_reset_is_limited_per_email_and_says_the_same_for_any_address(client):
    user = UserFactory(email="lin@example.org")
    for n in range(2):
        response = client.post(RESET, {"email": user.email}, REMOTE_ADDR=f"10.2.0.{n}")
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    refused = client.post(RESET, {"email": "Lin@Example.org"}, REMOTE_ADDR="10.2.0.9")
    assert refused.status_code == 429
    html = html_of(refused)
    assert "Too many password-reset requests in a short time. Nothing was sent" in html
    assert 'value="Lin@Example.org"' in html
    assert len(mail.outbox) == 2
    # An address with no account is refused alike: the limit tells nobody which ones exist.
    for n in range(2):
        client.post(RESET, {"email": "ghost@example.org"}, REMOTE_ADDR=f"10.3.0.{n}")
    ghost = client.post(RESET, {"email": "ghost@example.org"}, REMOTE_ADDR="10.3.0.9")
    assert ghost.status_code == 429
    message = re.compile(r'<div class="form-errors" role="alert">\s*<p>(.*?)</p>', re.S)
    assert message.search(html_of(ghost)).group(1) == message.search(html).group(1)
    assert len(mail.outbox) == 2


@override_settings(RATE_PASSWORD_RESET_PER_IP="2/h")
def test_password_reset_is_limited_per_address(client):
    user = UserFactory()
    for n in range(2):
        client.post(RESET, {"email": f"other{n}@example.org"}, REMOTE_ADDR=HERE)
    response = client.post(RESET, {"email": user.email}, REMOTE_ADDR=HERE)
    assert response.status_code == 429
    assert mail.outbox == []
    assert client.post(RESET, {"email": user.email}, REMOTE_ADDR=ELSEWHERE).status_code == 302
    assert len(mail.outbox) == 1


# --- The application -----------------------------------------------------------------------


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


@override_settings(RATE_APPLICATION_START_PER_USER="1/h")
def test_starting_drafts_is_limited_per_applicant(applicant_client, applicant):
    region = open_region(name="Open Plains")
    start = reverse("apply:start")
    assert applicant_client.post(start, {"region": region.slug}).status_code == 302
    Application.objects.filter(applicant=applicant).update(status=Status.WITHDRAWN)
    response = applicant_client.post(start, {"region": region.slug})
    assert response.status_code == 429
    html = html_of(response)
    assert "You have started several applications in a short time" in html
    # The landing page again, with the region chosen.
    assert f'<input type="hidden" name="region" value="{region.slug}">' in html
    assert Application.objects.filter(applicant=applicant).count() == 1


@override_settings(RATE_APPLICATION_START_PER_USER="1/h")
def test_continuing_a_draft_is_never_limited(applicant_client, applicant):
    start = reverse("apply:start")
    applicant_client.post(start)
    draft = Application.objects.get(applicant=applicant)
    for _ in range(3):
        response = applicant_client.post(start)
        assert response.url == reverse("apply:detail", kwargs={"pk": draft.pk})


@override_settings(RATE_APPLICATION_SUBMIT_PER_USER="1/h")
def test_submitting_is_limited_per_applicant(applicant_client, applicant):
    incomplete = ApplicationFactory(complete=False, applicant=applicant)
    url = reverse("apply:review", kwargs={"pk": incomplete.pk})
    assert applicant_client.post(url).status_code == 400
    Application.objects.filter(pk=incomplete.pk).update(status=Status.WITHDRAWN)
    application = ApplicationFactory(applicant=applicant)
    url = reverse("apply:review", kwargs={"pk": application.pk})
    response = applicant_client.post(url)
    assert response.status_code == 429
    assert "your application was not submitted" in html_of(response)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert mail.outbox == []


def test_application_rates_are_settings():
    from django.conf import settings

    assert settings.RATE_APPLICATION_START_PER_USER == "10/h"
    assert settings.RATE_APPLICATION_SUBMIT_PER_USER == "20/h"


# --- Contact and notify-me (pages) ---------------------------------------------------------


def test_contact_refused_for_the_limit_is_429_and_keeps_the_message(client):
    data = {"name": "Ada", "email": "ada@example.org", "message": "Hello there"}
    for _ in range(5):
        assert client.post(reverse("pages:contact"), data).status_code == 302
    response = client.post(reverse("pages:contact"), {**data, "message": "Keep me"})
    assert response.status_code == 429
    html = html_of(response)
    assert "try again in an hour" in html and "Keep me" in html
    assert len(mail.outbox) == 5


def test_notify_refused_for_the_limit_is_429_and_stores_nothing(client):
    _, zip_code = hawaii()
    for n in range(10):
        data = {"email": f"t{n}@example.org", "role": "teacher", "zip": zip_code.code}
        assert client.post(reverse("pages:notify"), data).status_code == 302
    data = {"email": "late@example.org", "role": "teacher", "zip": zip_code.code}
    response = client.post(reverse("pages:notify"), data)
    assert response.status_code == 429
    html = html_of(response)
    assert "Please try again in an hour" in html and 'value="late@example.org"' in html
    assert not InterestSignup.objects.filter(email="late@example.org").exists()


# --- Security headers ----------------------------------------------------------------------

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy_of(response) -> dict[str, set[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: set(words[1:]) for words in directives if words}


@pytest.mark.parametrize(
    "url",
    [
        reverse("pages:program"),
        reverse("pages:apply"),
        reverse("pages:find"),
        LOGIN,
        RESET,
        reverse("api:docs"),
        "/no/such/page/",
    ],
)
def test_every_page_has_the_strict_policy_and_headers(client, url):
    response = client.get(url)
    assert policy_of(response) == POLICY
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_a_limited_or_locked_page_has_the_policy_too(client):
    response = lock_out(client, "x@example.org")
    assert response.status_code == 429
    assert policy_of(response) == POLICY


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)


@pytest.mark.parametrize(
    "url", [reverse("pages:program"), reverse("pages:apply"), LOGIN, reverse("api:docs")]
)
def test_pages_carry_no_inline_script_or_style(client, url):
    html = html_of(client.get(url))
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert "<style" not in html
    assert " style=" not in html


def test_htmx_is_told_not_to_inject_styles_or_eval(client):
    html = html_of(client.get(LOGIN))
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, '
        '"allowEval": false}\'>' in html
    )


def test_the_api_docs_load_their_styles_from_a_file(client):
    html = html_of(client.get(reverse("api:docs")))
    assert 'href="/static/css/api-docs.css"' in html
    assert 'src="/api/v1/docs/?script="' in html or "docs/?script=" in html
