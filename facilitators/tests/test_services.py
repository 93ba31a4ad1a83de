import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from facilitators.models import Accreditation, RosterMember
from facilitators.services import (
    accreditation_set,
    accreditations_renew,
    roster_add,
    roster_remove,
)

from .factories import AccreditationFactory, FacilitatorFactory, RosterMemberFactory

pytestmark = pytest.mark.django_db


# --- accreditation_set --------------------------------------------------------------------


def test_admin_accredits_then_changes_the_same_row(program_admin, felix, courses, year):
    first = accreditation_set(
        facilitator=felix,
        course=courses[0],
        program_year=year,
        status="in_training",
        note="Summer cohort",
        user=program_admin,
    )
    again = accreditation_set(
        facilitator=felix,
        course=courses[0],
        program_year=year,
        status="accredited",
        user=program_admin,
    )
    assert again.pk == first.pk
    row = Accreditation.objects.get()
    assert (row.status, row.note, row.updated_by) == ("accredited", "", program_admin)
    entries = LogEntry.objects.get_for_object(row)
    assert entries.count() == 2
    assert {e.actor for e in entries} == {program_admin}


@pytest.mark.parametrize("role", ["program_manager", "regional_manager", "facilitator", "teacher"])
def test_only_program_admins_accredit(make_user, role, felix, courses, year):
    with pytest.raises(PermissionDenied):
        accreditation_set(
            facilitator=felix,
            course=courses[0],
            program_year=year,
            status="accredited",
            user=make_user(role=role),
        )
    assert not Accreditation.objects.exists()


def test_a_teacher_is_refused_and_keeps_their_role(program_admin, teacher, courses, year):
    with pytest.raises(ValidationError) as refused:
        accreditation_set(
            facilitator=teacher,
            course=courses[0],
            program_year=year,
            status="accredited",
            user=program_admin,
        )
    message = refused.value.message_dict["facilitator"][0]
    assert message.startswith("Make this person a facilitator first")
    teacher.refresh_from_db()
    assert teacher.role == "teacher"
    assert not Accreditation.objects.exists()


@pytest.mark.parametrize(
    ("year", "status", "field"),
    [("2026-28", "accredited", "program_year"), (None, "expert", "status")],
)
def test_bad_year_or_status_is_refused_by_field(program_admin, felix, courses, year, status, field):
    from facilitators.selectors import current_program_year

    with pytest.raises(ValidationError) as refused:
        accreditation_set(
            facilitator=felix,
            course=courses[0],
            program_year=year or current_program_year(),
            status=status,
            user=program_admin,
        )
    assert list(refused.value.message_dict) == [field]
    assert not Accreditation.objects.exists()


# --- accreditations_renew -----------------------------------------------------------------


def test_renew_copies_accredited_rows_once(program_admin, courses, last_year, year):
    ana, ben, cy = FacilitatorFactory.create_batch(3)
    AccreditationFactory(facilitator=ana, course=courses[0], program_year=last_year)
    AccreditationFactory(facilitator=ana, course=courses[1], program_year=last_year)
    AccreditationFactory(facilitator=ben, course=courses[0], program_year=last_year)
    # Not copied: not accredited last year.
    AccreditationFactory(
        facilitator=cy, course=courses[0], program_year=last_year, status="in_training"
    )
    AccreditationFactory(facilitator=cy, course=courses[1], program_year=last_year, status="lapsed")
    # Already decided for this year: left as it is.
    AccreditationFactory(facilitator=ben, course=courses[0], program_year=year, status="lapsed")

    report = accreditations_renew(from_year=last_year, to_year=year, user=program_admin)

    assert (report.copied, report.already_there, report.not_facilitators) == (2, 1, 0)
    this_year = Accreditation.objects.for_year(year)
    assert set(this_year.values_list("facilitator", "course", "status")) == {
        (ana.pk, courses[0].pk, "accredited"),
        (ana.pk, courses[1].pk, "accredited"),
        (ben.pk, courses[0].pk, "lapsed"),
    }
    assert LogEntry.objects.filter(actor=program_admin).count() == 2

    again = accreditations_renew(from_year=last_year, to_year=year, user=program_admin)
    assert (again.copied, again.already_there) == (0, 3)
    assert this_year.count() == 3


def test_renew_leaves_out_people_no_longer_facilitators(program_admin, courses, last_year, year):
    gone = AccreditationFactory(course=courses[0], program_year=last_year).facilitator
    gone.role = "teacher"
    gone.save()
    report = accreditations_renew(from_year=last_year, to_year=year, user=program_admin)
    assert (report.copied, report.not_facilitators) == (0, 1)
    assert not Accreditation.objects.for_year(year).exists()


def test_renew_only_into_the_next_year(program_admin, last_year, next_year):
    with pytest.raises(ValidationError) as refused:
        accreditations_renew(from_year=last_year, to_year=next_year, user=program_admin)
    assert "to_year" in refused.value.message_dict
    with pytest.raises(ValidationError) as malformed:
        accreditations_renew(from_year="last year", to_year=next_year, user=program_admin)
    assert "from_year" in malformed.value.message_dict


def test_renew_is_for_program_admins(regional_manager, last_year, year):
    with pytest.raises(PermissionDenied):
        accreditations_renew(from_year=last_year, to_year=year, user=regional_manager)


# --- roster_add / roster_remove -----------------------------------------------------------


def test_program_manager_adds_an_accredited_facilitator(pm, partner, felix, courses, year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    member = roster_add(partner=partner, facilitator=felix, user=pm)
    assert (member.partner, member.facilitator, member.added_by) == (partner, felix, pm)
    assert LogEntry.objects.get_for_object(member).get().actor == pm


def test_a_candidate_for_next_year_may_join(program_admin, partner, felix, courses, next_year):
    AccreditationFactory(
        facilitator=felix, course=courses[0], program_year=next_year, status="candidate"
    )
    roster_add(partner=partner, facilitator=felix, user=program_admin)
    assert RosterMember.objects.filter(partner=partner, facilitator=felix).exists()


@pytest.mark.parametrize(
    ("status", "which_year"),
    [("lapsed", "year"), ("accredited", "last_year"), (None, None)],
)
def test_no_standing_no_roster(pm, partner, felix, courses, status, which_year, request):
    if status:
        AccreditationFactory(
            facilitator=felix,
            course=courses[0],
            program_year=request.getfixturevalue(which_year),
            status=status,
        )
    with pytest.raises(ValidationError) as refused:
        roster_add(partner=partner, facilitator=felix, user=pm)
    assert "other than lapsed" in refused.value.message_dict["facilitator"][0]
    assert not RosterMember.objects.exists()


def test_only_facilitators_join_a_roster(pm, partner, teacher, courses, year):
    with pytest.raises(ValidationError) as refused:
        roster_add(partner=partner, facilitator=teacher, user=pm)
    assert refused.value.message_dict["facilitator"][0].startswith("Make this person")


def test_adding_twice_is_a_clear_refusal(pm, partner, felix, courses, year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    roster_add(partner=partner, facilitator=felix, user=pm)
    with pytest.raises(ValidationError) as refused:
        roster_add(partner=partner, facilitator=felix, user=pm)
    assert "already on the roster" in refused.value.message_dict["facilitator"][0]
    assert RosterMember.objects.count() == 1


@pytest.mark.parametrize("who", ["other_pm", "regional_manager", "felix"])
def test_only_the_partners_people_change_its_roster(partner, felix, courses, year, who, request):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        roster_add(partner=partner, facilitator=felix, user=user)
    member = RosterMemberFactory(partner=partner, facilitator=felix)
    with pytest.raises(PermissionDenied):
        roster_remove(member=member, user=user)
    assert RosterMember.objects.filter(pk=member.pk).exists()


def test_removing_keeps_accreditations(pm, partner, felix, courses, year):
    AccreditationFactory(facilitator=felix, course=courses[0], program_year=year)
    member = RosterMemberFactory(partner=partner, facilitator=felix)
    roster_remove(member=member, user=pm)
    assert not RosterMember.objects.exists()
    assert Accreditation.objects.filter(facilitator=felix).count() == 1
    removed = LogEntry.objects.get(action=LogEntry.Action.DELETE)
    assert removed.actor == pm
