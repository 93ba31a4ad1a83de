import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from applications.models import Invitation
from applications.services import invitation_accept
from partners.commitments import CommitmentState, partner_commitments
from partners.models import CheckInNote, ProgramManager
from partners.services import (
    check_in_note_create,
    check_in_note_delete,
    check_in_note_update,
    program_manager_invitation_cancel,
    program_manager_invitation_resend,
    program_manager_invite,
    program_manager_remove,
    program_manager_update,
)
from partners.tests.factories import CheckInNoteFactory, PartnerFactory, ProgramManagerFactory


@pytest.fixture
def partner(db, regional_manager):
    return PartnerFactory(name="Cascade Computing", regional_manager=regional_manager)


@pytest.fixture
def ana(partner):
    return ProgramManagerFactory(partner=partner, fte_share=Decimal("0.40"))


@pytest.fixture
def ben(partner):
    return ProgramManagerFactory(partner=partner, fte_share=Decimal("0.30"))


def fte_commitment(partner):
    today = timezone.localdate()
    from core.program_years import program_year_for

    rows = partner_commitments([partner], program_year=program_year_for(today), today=today)
    return next(c for c in rows[partner.pk] if c.key == "program_managers")


# --- Invitations ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_invite_creates_an_invitation_and_emails_the_link_on_commit(partner, ana, committed):
    with committed():
        invitation = program_manager_invite(
            partner=partner,
            user=ana.user,
            email="  Kim@Example.org ",
            name="Kim Lee",
            fte_share=Decimal("0.20"),
        )
    assert invitation.email == "kim@example.org"
    assert invitation.fte_share == Decimal("0.20")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kim@example.org"]
    assert "Hello Kim Lee," in mail.outbox[0].body
    assert invitation.token in mail.outbox[0].body
    assert LogEntry.objects.get_for_object(invitation).get().actor == ana.user


@pytest.mark.django_db
def test_invite_again_reuses_the_pending_invitation(partner, ana, committed):
    first = program_manager_invite(
        partner=partner, user=ana.user, email="kim@example.org", name="Kim", fte_share="0.20"
    )
    with committed():
        again = program_manager_invite(
            partner=partner, user=ana.user, email="KIM@example.org", name="Kim", fte_share="0.30"
        )
    assert again.pk == first.pk and again.token == first.token
    assert Invitation.objects.get(pk=first.pk).fte_share == Decimal("0.30")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_used_invitation_of_a_removed_manager_is_reset_with_a_fresh_token(
    partner, ana, make_user
):
    kim = make_user(email="kim@example.org", role="program_manager")
    invitation = program_manager_invite(
        partner=partner, user=ana.user, email=kim.email, name="Kim", fte_share="0.20"
    )
    manager = invitation_accept(token=invitation.token, user=kim)
    program_manager_remove(manager=manager, user=ana.user, confirm_below_minimum=True)
    old_token = invitation.token
    again = program_manager_invite(
        partner=partner, user=ana.user, email=kim.email, name="Kim", fte_share="0.10"
    )
    assert again.pk == invitation.pk
    assert again.token != old_token
    assert again.accepted_at is None and again.accepted_by is None
    assert invitation_accept(token=again.token, user=kim).fte_share == Decimal("0.10")


@pytest.mark.django_db
def test_inviting_someone_who_already_manages_is_refused_on_email(partner, ana):
    with pytest.raises(ValidationError) as error:
        program_manager_invite(
            partner=partner,
            user=ana.user,
            email=ana.user.email.upper(),
            name="Ana",
            fte_share="0.2",
        )
    assert "already manages" in error.value.message_dict["email"][0]
    assert not Invitation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "kwargs"),
    [("fte_share", {"fte_share": Decimal("1.50")}),
     ("fte_share", {"fte_share": Decimal("0.01")}),
     ("email", {"email": "not-an-address"}),
     ("name", {"name": "Kim\nBcc: x@example.org"})],
)  # fmt: skip
def test_invite_refuses_bad_input_on_its_field(partner, ana, field, kwargs):
    data = {"email": "kim@example.org", "name": "Kim", "fte_share": Decimal("0.2"), **kwargs}
    with pytest.raises(ValidationError) as error:
        program_manager_invite(partner=partner, user=ana.user, **data)
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_only_editors_invite(partner, ana, regional_manager, make_user):
    other_pm = ProgramManagerFactory().user
    for user in (regional_manager, other_pm, make_user(role="teacher")):
        with pytest.raises(PermissionDenied):
            program_manager_invite(
                partner=partner, user=user, email="kim@example.org", name="K", fte_share="0.2"
            )


@pytest.mark.django_db
def test_resend_and_cancel_a_pending_invitation(partner, ana, committed):
    invitation = program_manager_invite(
        partner=partner, user=ana.user, email="kim@example.org", name="Kim", fte_share="0.2"
    )
    with committed():
        program_manager_invitation_resend(invitation=invitation, user=ana.user)
    assert invitation.token in mail.outbox[0].body
    program_manager_invitation_cancel(invitation=invitation, user=ana.user)
    assert not Invitation.objects.exists()
    with pytest.raises(ValidationError):
        program_manager_invitation_cancel(invitation=invitation, user=ana.user)


# --- The FTE rule ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_removal_below_the_minimum_needs_confirmation_then_shows_missed(partner, ana, ben):
    assert fte_commitment(partner).state == CommitmentState.MET  # 0.70
    with pytest.raises(ValidationError) as error:
        program_manager_remove(manager=ana, user=ben.user, confirm_below_minimum=False)
    assert "0.30 FTE" in error.value.message_dict["confirm_below_minimum"][0]
    assert ProgramManager.objects.filter(pk=ana.pk).exists()

    after = program_manager_remove(manager=ana, user=ben.user, confirm_below_minimum=True)
    assert after == Decimal("0.30")
    assert not ProgramManager.objects.filter(pk=ana.pk).exists()
    assert fte_commitment(partner).state == CommitmentState.MISSED
    entry = LogEntry.objects.filter(object_pk=str(ana.pk)).latest("timestamp")
    assert entry.action == LogEntry.Action.DELETE and entry.actor == ben.user


@pytest.mark.django_db
def test_removal_that_keeps_the_minimum_needs_no_confirmation(partner, ana, ben):
    ProgramManagerFactory(partner=partner, fte_share=Decimal("0.50"))
    assert program_manager_remove(manager=ana, user=ben.user, confirm_below_minimum=False) == (
        Decimal("0.80")
    )


@pytest.mark.django_db
def test_the_last_manager_cannot_be_removed(partner, ana, program_admin):
    with pytest.raises(ValidationError) as error:
        program_manager_remove(manager=ana, user=program_admin, confirm_below_minimum=True)
    assert error.value.code == "last_manager"
    assert ProgramManager.objects.filter(pk=ana.pk).exists()


@pytest.mark.django_db
def test_the_last_active_manager_cannot_be_removed_either(partner, ana, ben):
    ben.user.is_active = False
    ben.user.save()
    with pytest.raises(ValidationError):
        program_manager_remove(manager=ana, user=ana.user, confirm_below_minimum=True)
    # A deactivated account's row can go: it changes nothing.
    program_manager_remove(manager=ben, user=ana.user, confirm_below_minimum=False)
    assert list(partner.program_managers.all()) == [ana]


@pytest.mark.django_db
def test_a_manager_may_remove_themselves(partner, ana, ben):
    program_manager_remove(manager=ben, user=ben.user, confirm_below_minimum=True)
    assert list(partner.program_managers.all()) == [ana]


@pytest.mark.django_db
def test_regional_manager_and_other_partners_managers_cannot_remove(partner, ana, ben):
    for user in (partner.regional_manager, ProgramManagerFactory().user):
        with pytest.raises(PermissionDenied):
            program_manager_remove(manager=ben, user=user, confirm_below_minimum=True)


@pytest.mark.django_db
def test_lowering_a_share_below_the_minimum_needs_confirmation(partner, ana, ben):
    with pytest.raises(ValidationError) as error:
        program_manager_update(manager=ana, user=ana.user, fte_share=Decimal("0.10"))
    assert "0.40 FTE" in error.value.message_dict["confirm_below_minimum"][0]
    assert ProgramManager.objects.get(pk=ana.pk).fte_share == Decimal("0.40")
    program_manager_update(
        manager=ana, user=ana.user, fte_share=Decimal("0.10"), confirm_below_minimum=True
    )
    assert ProgramManager.objects.get(pk=ana.pk).fte_share == Decimal("0.10")
    assert fte_commitment(partner).state == CommitmentState.MISSED
    # Raising it again, even while still below, needs no confirmation.
    program_manager_update(manager=ana, user=ana.user, fte_share=Decimal("0.15"))
    assert ProgramManager.objects.get(pk=ana.pk).fte_share == Decimal("0.15")


@pytest.mark.django_db
def test_share_out_of_range_is_refused(partner, ana):
    with pytest.raises(ValidationError) as error:
        program_manager_update(manager=ana, user=ana.user, fte_share=Decimal("1.20"))
    assert "fte_share" in error.value.message_dict


# --- Check-in notes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_regional_manager_records_a_check_in(partner, regional_manager):
    note = check_in_note_create(
        partner=partner,
        user=regional_manager,
        happened_on=datetime.date(2026, 9, 1),
        body="  Planned the summer workshops. ",
    )
    assert note.author == regional_manager and note.body == "Planned the summer workshops."
    assert LogEntry.objects.get_for_object(note).get().actor == regional_manager


@pytest.mark.django_db
def test_check_in_notes_are_for_the_partners_office_only(partner, ana, make_user):
    other_rm = make_user(role="regional_manager")
    for user in (ana.user, other_rm):
        with pytest.raises(PermissionDenied):
            check_in_note_create(
                partner=partner, user=user, happened_on=datetime.date(2026, 9, 1), body="x"
            )


@pytest.mark.django_db
def test_a_check_in_cannot_be_dated_in_the_future_or_be_empty(partner, regional_manager):
    with pytest.raises(ValidationError) as error:
        check_in_note_create(
            partner=partner,
            user=regional_manager,
            happened_on=timezone.localdate() + datetime.timedelta(days=1),
            body="   ",
        )
    assert {"happened_on", "body"} <= set(error.value.message_dict)


@pytest.mark.django_db
def test_only_the_author_or_an_admin_changes_a_note(partner, regional_manager, program_admin):
    note = CheckInNoteFactory(partner=partner, author=program_admin)
    with pytest.raises(PermissionDenied):
        check_in_note_update(
            note=note, user=regional_manager, happened_on=note.happened_on, body="Mine now"
        )
    with pytest.raises(PermissionDenied):
        check_in_note_delete(note=note, user=regional_manager)
    mine = CheckInNoteFactory(partner=partner)
    check_in_note_update(
        note=mine, user=regional_manager, happened_on=mine.happened_on, body="Corrected"
    )
    assert CheckInNote.objects.get(pk=mine.pk).body == "Corrected"
    check_in_note_delete(note=mine, user=program_admin)
    assert not CheckInNote.objects.filter(pk=mine.pk).exists()


# --- Demo check-in notes --------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_checkins_are_deterministic_and_by_the_regional_manager(make_user):
    import random

    from partners.demo_checkins import demo_checkins

    rm = make_user(role="regional_manager")
    active = [PartnerFactory(regional_manager=rm) for _ in range(5)]
    skipped = [
        PartnerFactory(regional_manager=rm, status="onboarding"),
        PartnerFactory(regional_manager=None),
    ]
    today = datetime.date(2026, 11, 1)

    def run():
        CheckInNote.objects.all().delete()
        created = demo_checkins(rng=random.Random(7), partners=active + skipped, today=today)
        rows = list(
            CheckInNote.objects.order_by("partner_id", "happened_on", "body").values_list(
                "partner_id", "author_id", "happened_on", "body"
            )
        )
        return created, rows

    created, rows = run()
    assert created == len(rows) and run() == (created, rows)
    per_partner = {p.pk: sum(1 for row in rows if row[0] == p.pk) for p in active}
    assert all(1 <= n <= 4 for n in per_partner.values())
    assert not CheckInNote.objects.filter(partner__in=skipped).exists()
    assert {row[1] for row in rows} == {rm.pk}
    assert all(row[2] < today for row in rows)
