import pytest
from django.core import mail

from accounts.models import Role
from accounts.tests.factories import PASSWORD, UserFactory
from applications.models import Invitation
from partners.models import ProgramManager
from partners.tests.factories import PartnerFactory


@pytest.fixture
def invitation(db):
    return Invitation.objects.create(
        partner=PartnerFactory(name="Evergreen CS", status="onboarding"),
        email="lead@evergreen.example.org",
        fte_share="0.50",
    )


def url(invitation):
    return f"/educate/regional-partner/apply/invitation/{invitation.token}/"


@pytest.mark.django_db
def test_the_emailed_link_points_at_the_invitation_page(invitation, settings):
    from applications.services import invitation_url

    assert invitation_url(invitation) == settings.SITE_URL + url(invitation)


@pytest.mark.django_db
def test_anonymous_invitee_is_offered_sign_in_and_sign_up_with_their_address(client, invitation):
    html = client.get(url(invitation)).content.decode()
    assert "Evergreen CS" in html and "lead@evergreen.example.org" in html
    assert "email=lead%40evergreen.example.org" in html


@pytest.mark.django_db
def test_signing_up_from_the_invitation_links_the_account(client, invitation):
    response = client.post(
        "/accounts/signup/",
        {"role": "applicant", "first_name": "Lea", "last_name": "Dee",
         "email": "lead@evergreen.example.org", "password1": PASSWORD, "password2": PASSWORD,
         "next": url(invitation)},
    )  # fmt: skip
    assert response.status_code == 302
    manager = ProgramManager.objects.get(partner=invitation.partner)
    assert manager.user.email == "lead@evergreen.example.org"
    assert manager.user.role == Role.PROGRAM_MANAGER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


@pytest.mark.django_db
def test_signing_in_links_a_pending_invitation_once(client, invitation):
    user = UserFactory(email="lead@evergreen.example.org", role="teacher")
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    client.logout()
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert ProgramManager.objects.filter(user=user, partner=invitation.partner).count() == 1


@pytest.mark.django_db
def test_the_wrong_account_cannot_accept(client, invitation):
    other = UserFactory(email="someone@example.org", role="teacher")
    client.force_login(other)
    response = client.post(url(invitation))
    assert response.status_code == 200
    assert "Sign in with the address the invitation was sent to." in response.content.decode()
    assert not ProgramManager.objects.exists()


@pytest.mark.django_db
def test_accepting_on_the_page(client, invitation):
    user = UserFactory(email="lead@evergreen.example.org", role="applicant")
    client.force_login(user)  # force_login sends user_logged_in too: already linked
    assert ProgramManager.objects.filter(user=user).exists()
    html = client.get(url(invitation)).content.decode()
    assert "already been used by you" in html


@pytest.mark.django_db
def test_an_unknown_token_is_404(client, invitation):
    assert client.get("/educate/regional-partner/apply/invitation/nope/").status_code == 404
    assert mail.outbox == []
