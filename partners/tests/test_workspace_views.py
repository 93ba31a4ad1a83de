import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from applications.models import Invitation
from partners.forms_workspace import SECTIONS
from partners.models import CheckInNote, ProgramManager
from partners.tests.factories import CheckInNoteFactory, PartnerFactory, ProgramManagerFactory

LIST = "/manage/partners/"


def home(partner):
    return f"/manage/partners/{partner.slug}/"


def managers(partner):
    return f"/manage/partners/{partner.slug}/managers/"


def check_ins(partner):
    return f"/manage/partners/{partner.slug}/check-ins/"


@pytest.fixture
def world(db, make_user):
    """Partner A with two program managers and a coach; partner B with its own people."""
    rm_a = make_user(role="regional_manager", first_name="Rhea", last_name="Coach")
    rm_b = make_user(role="regional_manager")
    a = PartnerFactory(name="Alpha Computing", regional_manager=rm_a)
    b = PartnerFactory(name="Beta Coding", regional_manager=rm_b)
    pm_a = ProgramManagerFactory(partner=a, fte_share=Decimal("0.40"))
    pm_a2 = ProgramManagerFactory(partner=a, fte_share=Decimal("0.30"))
    pm_b = ProgramManagerFactory(partner=b, fte_share=Decimal("0.50"))
    return {
        "a": a,
        "b": b,
        "rm_a": rm_a,
        "rm_b": rm_b,
        "pm_a": pm_a.user,
        "manager_a": pm_a,
        "manager_a2": pm_a2,
        "pm_b": pm_b.user,
        "admin": make_user(role="program_admin"),
    }


def as_user(client, user):
    client.force_login(user)
    return client


# --- The partner list --------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_needs_sign_in_and_a_workspace_role(client, world, make_user):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert as_user(client, make_user(role="teacher")).get(LIST).status_code == 404


@pytest.mark.django_db
def test_admin_sees_every_partner_with_commitment_states_in_words(client, world):
    html = as_user(client, world["admin"]).get(LIST).content.decode()
    assert "Alpha Computing" in html and "Beta Coding" in html
    assert 'class="state state-met"' in html and ">Met</a>" in html
    assert 'class="state state-at_risk"' in html and ">At risk</a>" in html
    assert home(world["a"]) in html


@pytest.mark.django_db
def test_regional_manager_sees_only_assigned_partners(client, world):
    html = as_user(client, world["rm_a"]).get(LIST).content.decode()
    assert "Alpha Computing" in html and "Beta Coding" not in html
    assert 'name="regional_manager"' not in html  # the admins' filter only


@pytest.mark.django_db
def test_program_manager_of_one_partner_goes_to_its_overview(client, world):
    response = as_user(client, world["pm_a"]).get(LIST)
    assert response.status_code == 302 and response["Location"] == home(world["a"])


@pytest.mark.django_db
def test_program_manager_of_several_partners_picks_one(client, world):
    ProgramManagerFactory(partner=world["b"], user=world["pm_a"], fte_share=Decimal("0.10"))
    html = as_user(client, world["pm_a"]).get(LIST).content.decode()
    assert "Alpha Computing" in html and "Beta Coding" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [({"q": "alph"}, "Alpha Computing", "Beta Coding"),
     ({"status": "onboarding"}, "Gamma Onboarding", "Alpha Computing")],
)  # fmt: skip
def test_list_filters(client, world, params, shown, hidden):
    PartnerFactory(name="Gamma Onboarding", status="onboarding")
    html = as_user(client, world["admin"]).get(LIST, params).content.decode()
    assert shown in html and hidden not in html


@pytest.mark.django_db
def test_list_filters_by_regional_manager(client, world):
    response = as_user(client, world["admin"]).get(LIST, {"regional_manager": world["rm_b"].pk})
    html = response.content.decode()
    assert "Beta Coding" in html and "Alpha Computing" not in html


@pytest.mark.django_db
def test_list_says_us_state_and_captions_every_cell_for_phones(client, world):
    html = as_user(client, world["admin"]).get(LIST).content.decode()
    assert '<label for="id_state">US state:</label>' in html
    assert '<th scope="col" role="columnheader">US state</th>' in html
    assert 'data-label="US state"' in html
    assert 'data-label="Community meetup"' in html and 'data-label="September summit"' in html
    assert 'class="table-scroll partner-table-wrap"' in html


@pytest.mark.django_db
def test_bad_filter_values_and_pages_are_not_errors(client, world):
    client = as_user(client, world["admin"])
    assert client.get(LIST, {"regional_manager": "nope", "state": "ZZ"}).status_code == 200
    assert client.get(LIST, {"page": "999"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 20])
def test_list_query_count_is_fixed(client, world, extra, django_assert_max_num_queries):
    for _ in range(extra):
        ProgramManagerFactory(partner=PartnerFactory(regional_manager=world["rm_a"]))
    client = as_user(client, world["admin"])
    with django_assert_max_num_queries(14):
        assert client.get(LIST).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("notes", [0, 10])
def test_overview_query_count_is_fixed(client, world, notes, django_assert_max_num_queries):
    from partners.tests.factories import event_registration, program_event
    from workshops.tests.factories import WorkshopFactory

    for n in range(notes):
        CheckInNoteFactory(partner=world["a"])
        WorkshopFactory(partner=world["a"])
        soon = timezone.localdate() + datetime.timedelta(days=n + 1)
        event_registration(program_event("summit", soon), world["a"], "program_manager")
    client = as_user(client, world["rm_a"])
    with django_assert_max_num_queries(20):  # incl. the next workshops and their prefetches
        assert client.get(home(world["a"])).status_code == 200


# --- Switching partners ---------------------------------------------------------------------


@pytest.mark.django_db
def test_switch_goes_to_the_same_section_of_a_partner_in_scope(client, world):
    ProgramManagerFactory(partner=world["b"], user=world["pm_a"], fte_share=Decimal("0.10"))
    client = as_user(client, world["pm_a"])
    response = client.get(
        "/manage/partners/switch/", {"partner": "beta-coding", "section": "managers"}
    )
    assert response.status_code == 302 and response["Location"] == managers(world["b"])
    response = client.get("/manage/partners/switch/", {"partner": "beta-coding"})
    assert response["Location"] == home(world["b"])


@pytest.mark.django_db
@pytest.mark.parametrize("section", SECTIONS)
def test_switch_reaches_every_section_of_the_workspace(client, world, section):
    """Every section the switcher offers has a page for the other partner (never a 404)."""
    client = as_user(client, world["admin"])
    response = client.get(
        "/manage/partners/switch/", {"partner": "beta-coding", "section": section}
    )
    assert response.status_code == 302
    assert "/beta-coding/" in response["Location"]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"partner": "beta-coding", "section": "home"},
     {"partner": "alpha-computing", "section": "nonsense"},
     {"partner": "no-such-partner"},
     {}],
)  # fmt: skip
def test_switch_out_of_scope_or_malformed_is_404(client, world, params):
    assert as_user(client, world["pm_a"]).get("/manage/partners/switch/", params).status_code == 404


# --- Scope of every partner page -------------------------------------------------------------

PAGES = [home, managers]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("pm_a", 200), ("rm_a", 200), ("admin", 200), ("pm_b", 404), ("rm_b", 404)],
)
def test_partner_pages_scope(client, world, page, who, status):
    assert as_user(client, world[who]).get(page(world["a"])).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("page", [*PAGES, check_ins])
def test_partner_pages_need_sign_in(client, world, page):
    response = client.get(page(world["a"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("pm_a", 404), ("pm_b", 404), ("rm_b", 404), ("rm_a", 200), ("admin", 200)],
)
def test_check_ins_are_program_office_only(client, world, who, status):
    assert as_user(client, world[who]).get(check_ins(world["a"])).status_code == status


# --- Overview ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overview_shows_commitments_tasks_and_the_coach(client, world):
    html = as_user(client, world["pm_a"]).get(home(world["a"])).content.decode()
    assert "Program managers (0.5 FTE)" in html and "0.70 FTE" in html
    assert "Schedule a community meetup" in html
    assert "Complete the public profile" in html
    assert "Rhea Coach" in html and world["rm_a"].email in html
    assert "Latest check-in" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("office", ["rm_a", "admin"])
def test_office_staff_read_the_partners_open_tasks_without_links(client, world, office):
    html = as_user(client, world[office]).get(home(world["a"])).content.decode()
    assert "The partner's open tasks" in html
    assert ">Open tasks<" not in html
    assert "<li>Schedule a community meetup</li>" in html
    assert ">Schedule a community meetup</a>" not in html  # nor in the commitments table
    profile_edit = f"/educate/regional-partner/partners/{world['a'].slug}/edit/"
    assert f'href="{profile_edit}"' not in html


@pytest.mark.django_db
def test_program_managers_get_their_open_tasks_as_links(client, world):
    html = as_user(client, world["pm_a"]).get(home(world["a"])).content.decode()
    assert ">Open tasks<" in html and "The partner's open tasks" not in html
    assert ">Schedule a community meetup</a>" in html


@pytest.mark.django_db
def test_overview_without_a_coach_says_so(client, world):
    world["a"].regional_manager = None
    world["a"].save()
    html = as_user(client, world["pm_a"]).get(home(world["a"])).content.decode()
    assert "Not assigned yet" in html


@pytest.mark.django_db
def test_overview_lists_upcoming_events_with_the_managers_registration(client, world):
    from partners.tests.factories import event_registration, program_event

    soon = timezone.localdate() + datetime.timedelta(days=20)
    summit = program_event("summit", soon, name="Winter Summit")
    program_event("meetup", soon, name="Alpha Meetup", host=world["a"])
    program_event("meetup", soon, name="Beta Meetup", host=world["b"])
    event_registration(summit, world["a"], "program_manager")
    html = as_user(client, world["pm_a"]).get(home(world["a"])).content.decode()
    assert "Winter Summit" in html and "Alpha Meetup" in html and "Beta Meetup" not in html
    assert "Registered" in html


@pytest.mark.django_db
def test_overview_lists_the_partners_next_workshops(client, world):
    from workshops.tests.factories import WorkshopFactory, enroll

    today = timezone.localdate()
    soon = WorkshopFactory(
        partner=world["a"], title="Spring intensive", starts_on=today + datetime.timedelta(7)
    )
    enroll(soon)
    WorkshopFactory(partner=world["a"], title="Draft follow-up", state="draft")
    WorkshopFactory(partner=world["a"], title="Called off", state="cancelled")
    WorkshopFactory(
        partner=world["a"], title="Last month", starts_on=today - datetime.timedelta(30)
    )
    WorkshopFactory(partner=world["b"], title="Beta's own")
    html = as_user(client, world["pm_a"]).get(home(world["a"])).content.decode()
    assert "Spring intensive" in html and "Draft follow-up" in html
    assert "1 of 20" in html
    for absent in ("Called off", "Last month", "Beta&#x27;s own"):
        assert absent not in html


@pytest.mark.django_db
def test_check_in_notes_show_to_the_office_never_to_program_managers(client, world):
    CheckInNoteFactory(partner=world["a"], body="Worried about <b>staffing</b>")
    office = as_user(client, world["rm_a"]).get(home(world["a"])).content.decode()
    assert "Worried about &lt;b&gt;staffing&lt;/b&gt;" in office
    for page in (home, managers):
        html = as_user(client, world["pm_a"]).get(page(world["a"])).content.decode()
        assert "Worried about" not in html and "Check-ins" not in html


@pytest.mark.django_db
def test_overview_year_selector(client, world):
    from core.program_years import program_year_choices

    last_year = program_year_choices(timezone.localdate(), before=1, after=0)[0][0]
    client = as_user(client, world["pm_a"])
    html = client.get(home(world["a"]), {"year": last_year}).content.decode()
    assert f"Commitments, {last_year}" in html and "A past program year" in html
    assert client.get(home(world["a"]), {"year": "1999-00"}).status_code == 200


# --- Program managers page --------------------------------------------------------------------


@pytest.mark.django_db
def test_managers_page_shows_shares_total_and_state(client, world):
    Invitation.objects.create(partner=world["a"], email="kim@example.org", fte_share="0.20")
    html = as_user(client, world["pm_a"]).get(managers(world["a"])).content.decode()
    assert "0.70 FTE" in html and ">Met</span>" in html
    assert "kim@example.org" in html
    assert "Send the invitation" in html and "Change share" in html and "Resend" in html


@pytest.mark.django_db
def test_regional_manager_reads_managers_without_change_buttons(client, world):
    invitation = Invitation.objects.create(
        partner=world["a"], email="kim@example.org", fte_share="0.20"
    )
    client = as_user(client, world["rm_a"])
    html = client.get(managers(world["a"])).content.decode()
    assert world["pm_a"].email in html
    for word in ("Send the invitation", "Change share", "Remove", "Resend", "Cancel"):
        assert word not in html
    base = managers(world["a"])
    manager = world["manager_a"]
    invite = {"name": "K", "email": "k@example.org", "fte_share": "0.2"}
    assert client.post(base + "invite/", invite).status_code == 404
    assert client.get(f"{base}{manager.pk}/edit/").status_code == 404
    assert client.get(f"{base}{manager.pk}/remove/").status_code == 404
    assert client.post(f"{base}{manager.pk}/remove/").status_code == 404
    assert client.post(f"{base}invitations/{invitation.pk}/resend/").status_code == 404
    assert client.post(f"{base}invitations/{invitation.pk}/cancel/").status_code == 404
    assert ProgramManager.objects.filter(pk=manager.pk).exists()
    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.django_db
def test_another_partners_manager_cannot_reach_change_pages(client, world):
    client = as_user(client, world["pm_b"])
    manager = world["manager_a"]
    assert client.get(f"{managers(world['a'])}{manager.pk}/edit/").status_code == 404
    # Nor a manager of partner A through partner B's address.
    assert client.get(f"{managers(world['b'])}{manager.pk}/edit/").status_code == 404


@pytest.mark.django_db
def test_invite_from_the_page_emails_the_link(client, world, committed):
    client = as_user(client, world["pm_a"])
    with committed():
        response = client.post(
            managers(world["a"]) + "invite/",
            {"name": "Kim Lee", "email": "kim@example.org", "fte_share": "0.25"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(partner=world["a"])
    assert invitation.fte_share == Decimal("0.25")
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body


@pytest.mark.django_db
def test_inviting_a_current_manager_is_a_field_error_keeping_the_input(client, world):
    response = as_user(client, world["pm_a"]).post(
        managers(world["a"]) + "invite/",
        {"name": "Again", "email": world["manager_a2"].user.email, "fte_share": "0.25"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "already manages" in html and 'value="Again"' in html
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_invite_with_a_bad_share_is_explained(client, world):
    response = as_user(client, world["pm_a"]).post(
        managers(world["a"]) + "invite/", {"name": "K", "email": "k@example.org", "fte_share": "7"}
    )
    assert response.status_code == 200 and "less than or equal to 1" in response.content.decode()


@pytest.mark.django_db
def test_reloading_the_invite_address_goes_back_to_the_managers_page(client, world):
    response = as_user(client, world["pm_a"]).get(managers(world["a"]) + "invite/")
    assert response.status_code == 302 and response["Location"] == managers(world["a"])
    # Still not a page for anyone who cannot invite.
    assert as_user(client, world["rm_a"]).get(managers(world["a"]) + "invite/").status_code == 404
    assert as_user(client, world["pm_b"]).get(managers(world["a"]) + "invite/").status_code == 404


@pytest.mark.django_db
def test_resend_and_cancel_from_the_page(client, world, committed):
    invitation = Invitation.objects.create(
        partner=world["a"], email="kim@example.org", fte_share="0.20"
    )
    client = as_user(client, world["pm_a"])
    base = managers(world["a"])
    with committed():
        assert client.post(f"{base}invitations/{invitation.pk}/resend/").status_code == 302
    assert len(mail.outbox) == 1
    page = client.get(f"{base}invitations/{invitation.pk}/cancel/").content.decode()
    assert "Cancel the invitation to kim@example.org?" in page
    assert client.post(f"{base}invitations/{invitation.pk}/cancel/").status_code == 302
    assert not Invitation.objects.exists()
    # Twice (a double submit) is a 404 for a link that no longer exists, not an error.
    assert client.post(f"{base}invitations/{invitation.pk}/cancel/").status_code == 404


@pytest.mark.django_db
def test_lowering_a_share_below_the_minimum_asks_to_confirm(client, world):
    client = as_user(client, world["pm_a"])
    url = f"{managers(world['a'])}{world['manager_a'].pk}/edit/"
    response = client.post(url, {"fte_share": "0.10"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "will show as missed" in html and 'type="checkbox"' in html
    assert ProgramManager.objects.get(pk=world["manager_a"].pk).fte_share == Decimal("0.40")
    response = client.post(url, {"fte_share": "0.10", "confirm_below_minimum": "on"})
    assert response.status_code == 302
    assert ProgramManager.objects.get(pk=world["manager_a"].pk).fte_share == Decimal("0.10")


@pytest.mark.django_db
def test_removal_confirmation_states_the_resulting_total_and_needs_the_box(client, world):
    client = as_user(client, world["pm_a"])
    url = f"{managers(world['a'])}{world['manager_a2'].pk}/remove/"
    html = client.get(url).content.decode()
    assert "0.40 FTE" in html and "missed" in html and 'type="checkbox"' in html
    response = client.post(url, {})
    assert response.status_code == 200 and "Confirm to go ahead" in response.content.decode()
    assert ProgramManager.objects.filter(pk=world["manager_a2"].pk).exists()
    assert client.post(url, {"confirm_below_minimum": "on"}).status_code == 302
    assert not ProgramManager.objects.filter(pk=world["manager_a2"].pk).exists()
    # The commitment now shows missed on the overview.
    html = client.get(home(world["a"])).content.decode()
    assert "0.40 FTE of the 0.5 required" in html


@pytest.mark.django_db
def test_removal_that_keeps_the_minimum_needs_no_box(client, world):
    ProgramManagerFactory(partner=world["a"], fte_share=Decimal("0.50"))
    client = as_user(client, world["admin"])
    url = f"{managers(world['a'])}{world['manager_a2'].pk}/remove/"
    assert 'type="checkbox"' not in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 302


@pytest.mark.django_db
def test_a_manager_removing_themselves_goes_home(client, world):
    ProgramManagerFactory(partner=world["a"], fte_share=Decimal("0.50"))
    client = as_user(client, world["pm_a"])
    url = f"{managers(world['a'])}{world['manager_a'].pk}/remove/"
    assert "Remove yourself" in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 302 and response["Location"] == "/accounts/home/"


@pytest.mark.django_db
def test_the_last_manager_page_refuses(client, world):
    client = as_user(client, world["admin"])
    url = f"{managers(world['b'])}{ProgramManager.objects.get(partner=world['b']).pk}/remove/"
    html = client.get(url).content.decode()
    assert "last program manager" in html and "button danger" not in html
    response = client.post(url, {"confirm_below_minimum": "on"})
    assert response.status_code == 200 and "last program manager" in response.content.decode()
    assert ProgramManager.objects.filter(partner=world["b"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["999999"])
def test_unknown_manager_is_404(client, world, pk):
    response = as_user(client, world["pm_a"]).get(f"{managers(world['a'])}{pk}/edit/")
    assert response.status_code == 404


# --- Check-in notes ------------------------------------------------------------------------


@pytest.mark.django_db
def test_regional_manager_adds_a_note(client, world):
    client = as_user(client, world["rm_a"])
    response = client.post(
        check_ins(world["a"]),
        {"happened_on": "2026-09-10", "body": "Discussed <script>alert(1)</script> plans"},
    )
    assert response.status_code == 302
    note = CheckInNote.objects.get(partner=world["a"])
    assert note.author == world["rm_a"]
    html = client.get(check_ins(world["a"])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


@pytest.mark.django_db
def test_a_future_dated_note_is_explained_next_to_the_field(client, world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = as_user(client, world["rm_a"]).post(
        check_ins(world["a"]), {"happened_on": tomorrow.isoformat(), "body": "Typed text"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "today or before" in html and "Typed text" in html
    assert not CheckInNote.objects.exists()


@pytest.mark.django_db
def test_program_managers_cannot_post_notes(client, world):
    response = as_user(client, world["pm_a"]).post(
        check_ins(world["a"]), {"happened_on": "2026-09-10", "body": "x"}
    )
    assert response.status_code == 404 and not CheckInNote.objects.exists()


@pytest.mark.django_db
def test_notes_edit_and_delete_for_their_author_or_admins(client, world):
    theirs = CheckInNoteFactory(partner=world["a"], author=world["admin"], body="Admin's note")
    mine = CheckInNoteFactory(partner=world["a"], body="Rhea's note")
    client = as_user(client, world["rm_a"])
    base = check_ins(world["a"])
    html = client.get(base).content.decode()
    assert f"{base}{mine.pk}/edit/" in html and f"{base}{theirs.pk}/edit/" not in html
    assert client.get(f"{base}{theirs.pk}/edit/").status_code == 404
    assert client.post(f"{base}{theirs.pk}/delete/").status_code == 404
    response = client.post(f"{base}{mine.pk}/edit/", {"happened_on": "2026-09-01", "body": "Fixed"})
    assert response.status_code == 302 and CheckInNote.objects.get(pk=mine.pk).body == "Fixed"
    assert "Delete the check-in note" in client.get(f"{base}{mine.pk}/delete/").content.decode()
    assert client.post(f"{base}{mine.pk}/delete/").status_code == 302
    assert not CheckInNote.objects.filter(pk=mine.pk).exists()
    admin = as_user(client, world["admin"])
    assert admin.post(f"{base}{theirs.pk}/delete/").status_code == 302


@pytest.mark.django_db
def test_a_note_of_another_partner_is_404_through_this_partner(client, world):
    note = CheckInNoteFactory(partner=world["b"], author=world["admin"])
    client = as_user(client, world["admin"])
    assert client.get(f"{check_ins(world['a'])}{note.pk}/edit/").status_code == 404
