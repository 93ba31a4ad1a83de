import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import PASSWORD
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def signup_data(**overrides):
    data = {
        "role": "teacher",
        "first_name": "Ada",
        "last_name": "Byron",
        "email": "Ada@Example.org",
        "password1": "a-long-test-password-42",
        "password2": "a-long-test-password-42",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teacher", "applicant"])
def test_teachers_and_applicants_sign_up_and_are_signed_in(client, role):
    response = client.post(SIGNUP, signup_data(role=role))
    assert response.status_code == 302
    user = User.objects.get(email="ada@example.org")
    assert user.role == role
    assert not user.is_staff
    assert client.get(reverse("accounts:home")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["program_admin", "regional_manager", "program_manager", "facilitator"]
)
def test_nobody_signs_up_into_a_staff_role(client, role):
    response = client.post(SIGNUP, signup_data(role=role))
    assert response.status_code == 200
    assert not User.objects.exists()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_signup_errors_sit_beside_fields_and_keep_what_was_typed(client):
    response = client.post(
        SIGNUP, signup_data(email="not-an-email", password2="something-else-entirely")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ada"' in html and 'value="Byron"' in html and 'value="not-an-email"' in html
    assert "Enter a valid email address." in html
    assert "The two passwords differ." in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_refuses_a_taken_email_in_any_case(client, teacher):
    response = client.post(SIGNUP, signup_data(email=teacher.email.upper()))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_weak_password_is_refused_beside_the_field(client):
    response = client.post(SIGNUP, signup_data(password1="password", password2="password"))
    assert "too common" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_follows_safe_next_only(client):
    response = client.post(SIGNUP, {**signup_data(), "next": "/educate/regional-partner/apply/"})
    assert response["Location"] == "/educate/regional-partner/apply/"
    client.logout()
    response = client.post(
        SIGNUP, {**signup_data(email="b@example.org"), "next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("accounts:home")


@pytest.mark.django_db
def test_sign_in_with_email_in_any_case(client, teacher):
    response = client.post(LOGIN, {"username": teacher.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


@pytest.mark.django_db
def test_wrong_password_says_so_and_keeps_the_email(client, teacher):
    response = client.post(LOGIN, {"username": teacher.email, "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct email address and password" in html
    assert f'value="{teacher.email}"' in html


@pytest.mark.django_db
def test_password_reset_by_email(client, teacher):
    response = client.post("/accounts/password/reset/", {"email": teacher.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "another-long-password-7", "new_password2": "another-long-password-7"},
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("another-long-password-7")


@pytest.mark.django_db
def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_home_requires_sign_in(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_navigation_shows_each_role_its_places(client, make_user):
    admin_link = reverse("admin:index")
    for role in Role.values:
        user = make_user(role=role)
        client.force_login(user)
        html = client.get(reverse("accounts:home")).content.decode()
        assert ("Administration" in html) == (role == Role.PROGRAM_ADMIN), role
        assert (f'href="{admin_link}"' in html) == (role == Role.PROGRAM_ADMIN), role
        assert "My home" in html
        client.logout()
    html = client.get("/educate/regional-partner/").content.decode()
    assert "My home" not in html and "Sign in" in html


@pytest.mark.django_db
def test_only_program_admins_reach_the_django_admin(client, make_user):
    for role in Role.values:
        client.force_login(make_user(role=role))
        response = client.get("/admin/")
        assert (response.status_code == 200) == (role == Role.PROGRAM_ADMIN), role
        client.logout()


@pytest.mark.django_db
def test_demoting_a_program_admin_removes_admin_access(program_admin):
    assert program_admin.is_staff and program_admin.is_superuser
    program_admin.role = Role.TEACHER
    program_admin.save()
    program_admin.refresh_from_db()
    assert not program_admin.is_staff and not program_admin.is_superuser


@pytest.mark.django_db
def test_program_manager_home_lists_only_their_partners(client, program_manager):
    mine = ProgramManagerFactory(user=program_manager, partner=PartnerFactory(name="Mine Collab"))
    PartnerFactory(name="Someone Else Collab")
    client.force_login(program_manager)
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Mine Collab" in html
    assert "Someone Else Collab" not in html
    assert str(mine.fte_share) in html


@pytest.mark.django_db
def test_regional_manager_home_lists_only_assigned_partners(client, regional_manager):
    PartnerFactory(name="Coached Collab", regional_manager=regional_manager)
    PartnerFactory(name="Uncoached Collab")
    client.force_login(regional_manager)
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Coached Collab" in html
    assert "Uncoached Collab" not in html


@pytest.mark.django_db
def test_profile_edit_keeps_input_on_error(client, teacher):
    client.force_login(teacher)
    response = client.post("/accounts/profile/", {"first_name": "x" * 151, "last_name": "Lovelace"})
    assert response.status_code == 200
    assert 'value="Lovelace"' in response.content.decode()
    response = client.post("/accounts/profile/", {"first_name": "Ada", "last_name": "Lovelace"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.last_name == "Lovelace"


@pytest.mark.django_db
def test_forms_carry_csrf_protection(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(SIGNUP, signup_data())
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()
    assert not User.objects.exists()
    assert "csrfmiddlewaretoken" in client.get(SIGNUP).content.decode()


@pytest.mark.django_db
def test_navigation_leads_partner_people_to_their_workspaces(client, make_user):
    workspaces = f'href="{reverse("workspace:list")}"'
    facilitators = f'href="{reverse("facilitators:accreditations")}"'
    for role in Role.values:
        client.force_login(make_user(role=role))
        html = client.get(reverse("accounts:home")).content.decode()
        in_office = role in (Role.PROGRAM_ADMIN, Role.REGIONAL_MANAGER)
        assert (workspaces in html) == (in_office or role == Role.PROGRAM_MANAGER), role
        assert (facilitators in html) == in_office, role
        assert f'href="{reverse("events:list")}"' in html
        client.logout()


@pytest.mark.django_db
def test_profile_keeps_the_school_zip_as_a_code(client, teacher, geography):
    client.force_login(teacher)
    data = {"first_name": "Ada", "last_name": "Lovelace", "school_zip": "0000"}
    response = client.post("/accounts/profile/", data)
    assert response.status_code == 200
    assert 'value="0000"' in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.school_zip is None

    response = client.post("/accounts/profile/", {**data, "school_zip": "98101-1234"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.school_zip.code == "98101"
    # Shown again as the code people typed, not the row id.
    assert 'value="98101"' in client.get("/accounts/profile/").content.decode()

    response = client.post("/accounts/profile/", {**data, "school_zip": ""})
    teacher.refresh_from_db()
    assert teacher.school_zip is None


@pytest.mark.django_db
def test_a_teacher_home_names_the_partner_of_their_school_zip(
    client, teacher, geography, committed
):
    from geography.models import RegionState, State, ZipCode
    from geography.tests.factories import RegionFactory

    client.force_login(teacher)
    html = client.get(reverse("accounts:home")).content.decode()
    assert "your school's ZIP code" in html

    with committed():
        region = RegionFactory(
            name="Washington", status="served", partner=PartnerFactory(name="Evergreen CS")
        )
        RegionState.objects.create(region=region, state=State.objects.get(code="WA"))
    teacher.school_zip = ZipCode.objects.get(code="98101")
    teacher.save()
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Your Regional Partner is" in html and "Evergreen CS" in html

    teacher.school_zip = ZipCode.objects.get(code="10001")
    teacher.save()
    html = client.get(reverse("accounts:home")).content.decode()
    assert "not in a Regional Partner's region" in html
