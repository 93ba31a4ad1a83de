from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from applications.models import (
    TRANSITIONS,
    Application,
    ApplicationEvent,
    Invitation,
    RegionWaitlist,
    Review,
    Status,
)
from applications.selectors import region_is_open_for_applications, review_summary
from applications.services import (
    application_decide,
    application_save,
    application_submit,
    application_transition,
    application_withdraw,
    applications_decide_bulk,
    decision_email_default,
    invitation_accept,
    partner_activate,
    region_window_close,
    region_window_open,
    review_save,
    reviewer_assign,
    waitlist_join,
)
from applications.tests.factories import (
    BUDGET,
    ApplicationFactory,
    ApplicationRoundFactory,
    CriterionFactory,
    RegionReviewerFactory,
    RubricFactory,
    application_in,
    hawaii,
)
from funding.models import FundingAward, program_year_for
from geography.models import Region
from geography.tests.factories import RegionFactory
from pages.models import TermSheet
from partners.models import Partner, ProgramManager
from partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

GRID = [(a, b) for a in Status.values for b in Status.values]


# --- Transitions: the whole grid from the one table -------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), GRID)
def test_transition_grid(from_status, to_status, program_admin, committed):
    application = application_in(from_status)
    applicant_move = to_status in (Status.SUBMITTED, Status.WITHDRAWN)
    actor = application.applicant if applicant_move else program_admin
    events = application.events.count()
    if to_status in TRANSITIONS[from_status]:
        with committed():
            application_transition(
                application=application, user=actor, to_status=to_status, note="Moving on."
            )
        application.refresh_from_db()
        assert application.status == to_status
        event = application.events.latest("pk")
        assert (event.actor, event.from_status, event.to_status) == (actor, from_status, to_status)
        assert application.events.count() == events + 1
        if to_status != Status.SUBMITTED:
            assert event.note == "Moving on."
    else:
        with pytest.raises(ValidationError) as error:
            application_transition(application=application, user=actor, to_status=to_status)
        assert error.value.code == "invalid_transition"
        application.refresh_from_db()
        assert application.status == from_status
        assert application.events.count() == events


def test_transition_refuses_an_unknown_status(program_admin):
    application = application_in(Status.SUBMITTED)
    with pytest.raises(ValidationError, match="cannot move to 'approved'"):
        application_transition(application=application, user=program_admin, to_status="approved")


def test_review_moves_are_for_admins_and_the_regions_reviewers(make_user):
    application = application_in(Status.SUBMITTED)
    outsider = make_user(role="regional_manager")
    RegionReviewerFactory(user=outsider)  # reviews another region
    for user in (outsider, application.applicant, make_user(role="teacher")):
        with pytest.raises(PermissionDenied):
            application_transition(application=application, user=user, to_status="in_review")
    reviewer = RegionReviewerFactory(region=application.region).user
    application_transition(
        application=application, user=reviewer, to_status="in_review", note="Strong start."
    )
    event = application.events.latest("pk")
    assert application.status == Status.IN_REVIEW
    assert (event.actor, event.note, event.is_internal) == (reviewer, "Strong start.", True)


def test_only_the_applicant_submits_or_withdraws(program_admin):
    application = ApplicationFactory()
    for to_status in ("submitted", "withdrawn"):
        with pytest.raises(PermissionDenied):
            application_transition(application=application, user=program_admin, to_status=to_status)


# --- Drafting ---------------------------------------------------------------------------


def test_save_changes_only_the_sections_given(applicant):
    application = ApplicationFactory(complete=False, applicant=applicant)
    state, zip_code = hawaii()
    application_save(
        application=application,
        user=applicant,
        data={
            "legal_name": "Maui Makers",
            "zip_code": zip_code,
            "budget": {"food": "120.50", "venue": Decimal("80")},
            "program_managers": [{"name": "Kim", "email": "KIM@example.org", "fte_share": "0.5"}],
        },
    )
    assert application.legal_name == "Maui Makers"
    assert application.state == state  # from the ZIP
    assert application.city == ""
    lines = dict(application.budget_lines.values_list("category", "amount"))
    assert lines == {"food": Decimal("120.50"), "venue": Decimal("80.00")}
    assert list(application.program_managers.values_list("email", "fte_share")) == [
        ("kim@example.org", Decimal("0.50"))
    ]
    # A later partial save leaves the rest alone; None drops a budget line.
    application_save(application=application, user=applicant, data={"budget": {"venue": None}})
    assert list(application.budget_lines.values_list("category", flat=True)) == ["food"]
    assert application.program_managers.count() == 1
    assert application.legal_name == "Maui Makers"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "accepted"}, "__all__"),
        ({"term_sheet": None}, "__all__"),
        ({"budget": {"food": "-1"}}, "budget"),
        ({"budget": {"food": "1.005"}}, "budget"),
        ({"budget": {"caviar": "1"}}, "budget"),
        ({"tax_id": "123456789"}, "tax_id"),
        ({"workshop_venues": "x" * 3001}, "workshop_venues"),
        ({"teachers_year1": 0}, "teachers_year1"),
        (
            {
                "references": [
                    {"name": f"R{n}", "organization": "O", "email": f"r{n}@x.org", "phone": "1"}
                    for n in range(3)
                ]
            },
            "references",
        ),
        (
            {
                "program_managers": [
                    {"name": "A", "email": "a@x.org", "fte_share": "0.3"},
                    {"name": "B", "email": "A@x.org", "fte_share": "0.3"},
                ]
            },
            "program_managers",
        ),
        (
            {"program_managers": [{"name": "A", "email": "a@x.org", "fte_share": "1.5"}]},
            "program_managers",
        ),
    ],
)
def test_save_refuses_bad_or_forbidden_data(applicant, data, field):
    application = ApplicationFactory(complete=False, applicant=applicant)
    with pytest.raises(ValidationError) as error:
        application_save(application=application, user=applicant, data=data)
    assert field in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert not application.budget_lines.exists()
    assert not application.program_managers.exists()


def test_save_is_for_the_owner_only(applicant, program_admin):
    application = ApplicationFactory(complete=False)
    for user in (applicant, program_admin):
        with pytest.raises(PermissionDenied):
            application_save(application=application, user=user, data={"legal_name": "X"})


# --- Submit -----------------------------------------------------------------------------


def test_submit_records_the_terms_locks_and_confirms(committed):
    application = ApplicationFactory()
    applicant = application.applicant
    terms = TermSheet.objects.current()
    with committed():
        application_submit(application=application, user=applicant)
    assert application.status == Status.SUBMITTED
    assert application.term_sheet == terms
    assert application.terms_accepted_at is not None
    assert application.submitted_at == application.terms_accepted_at
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [applicant.email]
    assert terms.version in mail.outbox[0].body
    event = application.events.latest("pk")
    assert (event.actor, event.from_status, event.to_status, event.is_internal) == (
        applicant,
        "draft",
        "submitted",
        False,
    )
    # Locked: drafting services refuse, and so does a second submit.
    with pytest.raises(ValidationError, match="no longer be changed"):
        application_save(application=application, user=applicant, data={"legal_name": "New"})
    with pytest.raises(ValidationError, match="no longer be changed"):
        application_submit(application=application, user=applicant)
    assert len(mail.outbox) == 1


def test_submit_refuses_a_stale_draft_instance(committed):
    application = ApplicationFactory()
    stale = Application.objects.get(pk=application.pk)
    with committed():
        application_submit(application=application, user=application.applicant)
    with pytest.raises(ValidationError):
        application_save(application=stale, user=stale.applicant, data={"city": "Hilo"})
    application.refresh_from_db()
    assert application.city == "Honolulu"


def test_submit_lists_every_missing_section(committed):
    application = ApplicationFactory(complete=False)
    with committed(), pytest.raises(ValidationError) as error:
        application_submit(application=application, user=application.applicant)
    missing = set(error.value.message_dict)
    assert {
        "legal_name",
        "tax_id",
        "is_us_based",
        "zip_code",
        "program_managers",
        "courses",
        "metrics",
        "budget_lines",
        "references",
        "accepts_terms",
    } <= missing
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.term_sheet is None
    assert mail.outbox == []


def test_submit_needs_exactly_two_references():
    application = ApplicationFactory()
    application.references.first().delete()
    with pytest.raises(ValidationError) as error:
        application_submit(application=application, user=application.applicant)
    assert error.value.message_dict == {"references": ["Give exactly two references (you gave 1)."]}


def test_submit_refuses_an_ineligible_application():
    application = ApplicationFactory(organization_type="other", is_us_based=False)
    with pytest.raises(ValidationError) as error:
        application_submit(application=application, user=application.applicant)
    assert set(error.value.message_dict) == {"organization_type", "is_us_based"}


def test_submit_refuses_when_the_zip_is_in_another_state(geography):
    from geography.models import State

    application = ApplicationFactory(state=State.objects.get(code="WA"))
    with pytest.raises(ValidationError) as error:
        application_submit(application=application, user=application.applicant)
    assert set(error.value.message_dict) == {"zip_code"}


# --- Withdraw ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", ["draft", "submitted", "in_review", "interview", "reference_check"]
)
def test_withdraw_before_a_decision(status):
    application = application_in(status)
    application_withdraw(application=application, user=application.applicant, note="Not now.")
    assert application.status == Status.WITHDRAWN
    event = application.events.latest("pk")
    assert (event.from_status, event.note, event.is_internal) == (status, "Not now.", False)


@pytest.mark.parametrize("status", ["accepted", "declined", "waitlisted"])
def test_no_withdrawal_after_a_decision(status):
    application = application_in(status)
    with pytest.raises(ValidationError, match="decision has been made"):
        application_withdraw(application=application, user=application.applicant)
    application.refresh_from_db()
    assert application.status == status


def test_withdraw_is_for_the_applicant(program_admin):
    application = application_in(Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        application_withdraw(application=application, user=program_admin)


# --- Review -----------------------------------------------------------------------------


@pytest.fixture
def rubric():
    rubric = RubricFactory(scale_max=5)
    first = CriterionFactory(rubric=rubric, name="Reach", weight=Decimal("2"))
    second = CriterionFactory(rubric=rubric, name="Capacity", weight=Decimal("1"))
    return rubric, first, second


def test_review_summary_worked_by_hand(rubric, make_user):
    _, reach, capacity = rubric
    application = application_in(Status.IN_REVIEW)
    rm = RegionReviewerFactory(region=application.region).user
    admins = [make_user(role="program_admin") for _ in range(3)]
    reviewers = [rm, admins[0], admins[1]]
    for reviewer in [*reviewers, admins[2]]:
        reviewer_assign(application=application, reviewer=reviewer, user=admins[0])
    # (2*5 + 1*5) / 3 = 5.00;  (2*4 + 1*1) / 3 = 3.00;  (2*2 + 1*4) / 3 = 2.666… = 2.67
    for reviewer, (a, b) in zip(reviewers, [(5, 5), (4, 1), (2, 4)], strict=True):
        review_save(
            application=application,
            reviewer=reviewer,
            scores={reach.pk: a, capacity.pk: b},
            comment="Internal view.",
        )
    summary = review_summary(application)
    assert summary.count == 3
    assert summary.totals == [Decimal("5.00"), Decimal("3.00"), Decimal("2.67")]
    assert summary.mean == Decimal("3.56")  # 10.67 / 3
    assert summary.median == Decimal("3.00")
    assert summary.pending_reviewers == [admins[2]]


def test_review_summary_even_count_and_partial_scores(rubric, program_admin, make_user):
    _, reach, capacity = rubric
    application = application_in(Status.INTERVIEW)
    other = make_user(role="program_admin")
    # Only "Reach" scored: the total counts only the criteria scored.
    review_save(application=application, reviewer=program_admin, scores={reach.pk: 4})
    review_save(application=application, reviewer=other, scores={reach.pk: 1, capacity.pk: 2})
    summary = review_summary(application)
    assert summary.totals == [Decimal("4.00"), Decimal("1.33")]
    assert summary.median == Decimal("2.67")  # (4.00 + 1.33) / 2 = 2.665, half up
    assert summary.mean == Decimal("2.67")
    assert summary.pending_reviewers == []


def test_review_save_edits_the_reviewers_own_review(rubric, program_admin):
    _, reach, capacity = rubric
    application = application_in(Status.SUBMITTED)
    review_save(application=application, reviewer=program_admin, scores={reach.pk: 1}, comment="a")
    review = review_save(
        application=application,
        reviewer=program_admin,
        scores={reach.pk: 3, capacity.pk: 0},
        comment="b",
    )
    assert Review.objects.filter(application=application).count() == 1
    assert review.comment_internal == "b"
    assert dict(review.scores.values_list("criterion__name", "value")) == {
        "Reach": 3,
        "Capacity": 0,
    }
    assert review.weighted_total() == Decimal("2.00")


def test_review_refuses_out_of_scale_and_foreign_criteria(rubric, program_admin):
    _, reach, _ = rubric
    foreign = CriterionFactory(rubric__is_active=False)
    application = application_in(Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="0 to 5"):
        review_save(application=application, reviewer=program_admin, scores={reach.pk: 6})
    with pytest.raises(ValidationError, match="criteria of the rubric"):
        review_save(application=application, reviewer=program_admin, scores={foreign.pk: 1})


def test_review_scope(rubric, make_user):
    _, reach, _ = rubric
    application = application_in(Status.IN_REVIEW)
    outsider = RegionReviewerFactory().user  # a regional manager of another region
    for user in (outsider, application.applicant, make_user(role="program_manager")):
        with pytest.raises(PermissionDenied):
            review_save(application=application, reviewer=user, scores={reach.pk: 3})
    assert not Review.objects.exists()
    with pytest.raises(ValidationError, match="does not review"):
        reviewer_assign(
            application=application, reviewer=outsider, user=make_user(role="program_admin")
        )


@pytest.mark.parametrize("status", ["draft", "accepted", "declined", "waitlisted", "withdrawn"])
def test_review_only_while_under_review(rubric, program_admin, status):
    _, reach, _ = rubric
    application = application_in(status)
    with pytest.raises(ValidationError, match="not open for review"):
        review_save(application=application, reviewer=program_admin, scores={reach.pk: 3})


def test_review_needs_an_active_rubric(program_admin):
    application = application_in(Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="No rubric is active"):
        review_save(application=application, reviewer=program_admin, scores={})


# --- Decisions and onboarding -----------------------------------------------------------


def _accept(application, user, committed):
    with committed():
        return application_decide(
            application=application, user=user, decision="accepted", reason="Best plan."
        )


def test_accept_onboards_the_partner(program_admin, committed):
    application = application_in(Status.REFERENCE_CHECK)
    coach = RegionReviewerFactory(region=application.region).user
    partner = _accept(application, program_admin, committed)

    assert application.status == Status.ACCEPTED
    assert application.partner == partner
    assert application.decided_at is not None
    assert partner.name == application.legal_name
    assert partner.status == Partner.Status.ONBOARDING
    assert (partner.organization_type, partner.website) == ("nonprofit", "https://example.org")
    assert (partner.city, partner.state, partner.zip_code) == (
        "Honolulu",
        application.state,
        application.zip_code,
    )
    assert partner.terms_version == application.term_sheet
    assert partner.regional_manager == coach
    assert list(partner.courses.all()) == list(application.courses.all())

    region = Region.objects.get(pk=application.region_id)
    assert (region.status, region.partner) == (Region.Status.ONBOARDING, partner)

    award = FundingAward.objects.get(partner=partner)
    assert award.status == FundingAward.Status.DRAFT
    assert award.program_year == program_year_for(timezone.localdate())
    assert award.created_from == application
    assert award.need_justification == application.need_justification
    assert dict(award.lines.values_list("category", "requested")) == BUDGET
    assert award.total_requested() == Decimal("17835.05")
    assert all(line.awarded is None for line in award.lines.all())

    invitations = Invitation.objects.filter(partner=partner).order_by("email")
    assert [(i.email, i.fte_share) for i in invitations] == [
        ("ana@example.org", Decimal("0.30")),
        ("ben@example.org", Decimal("0.25")),
    ]
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(
        ["ana@example.org", "ben@example.org", application.applicant.email]
    )
    invite = next(m for m in mail.outbox if m.to == ["ana@example.org"])
    assert invitations[0].token in invite.body

    event = application.events.latest("pk")
    assert (event.to_status, event.note, event.is_internal, event.actor) == (
        "accepted",
        "Best plan.",
        True,
        program_admin,
    )


def test_accept_twice_creates_one_partner(program_admin, committed):
    application = application_in(Status.IN_REVIEW)
    stale = Application.objects.get(pk=application.pk)  # still "in review" in memory
    _accept(application, program_admin, committed)
    for again in (application, stale, Application.objects.get(pk=application.pk)):
        with committed(), pytest.raises(ValidationError) as error:
            application_decide(
                application=again, user=program_admin, decision="accepted", reason="Again."
            )
        assert error.value.code == "already_decided"
    assert Partner.objects.count() == 1
    assert FundingAward.objects.count() == 1
    assert Invitation.objects.count() == 2
    assert application.events.filter(to_status="accepted").count() == 1
    assert len(mail.outbox) == 3  # no second round of emails


def test_accept_refuses_a_region_that_already_has_a_partner(program_admin):
    served = RegionFactory(status="served", partner=PartnerFactory())
    application = application_in(Status.IN_REVIEW, region=served)
    with pytest.raises(ValidationError, match="already has a partner"):
        application_decide(
            application=application, user=program_admin, decision="accepted", reason="Yes."
        )
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    assert Partner.objects.count() == 1  # the served region's, nothing new
    assert not FundingAward.objects.exists()


def test_accept_makes_the_partner_name_unique_and_leaves_the_coach_empty(program_admin, committed):
    application = application_in(Status.IN_REVIEW)
    PartnerFactory(name=application.legal_name)
    partner = _accept(application, program_admin, committed)
    assert partner.name == f"{application.legal_name} ({application.region.name})"
    assert partner.regional_manager is None


def test_decline_sends_the_edited_email_with_placeholders_filled(program_admin, committed):
    application = application_in(Status.INTERVIEW)
    with committed():
        result = application_decide(
            application=application,
            user=program_admin,
            decision="declined",
            reason="Capacity too thin.",
            email_subject="About {region}",
            email_body="Dear {organization}, not this time.",
        )
    assert result is None
    assert application.status == Status.DECLINED
    assert not Partner.objects.exists()
    (message,) = mail.outbox
    assert message.subject == f"About {application.region.name}"
    assert message.body == f"Dear {application.legal_name}, not this time."
    assert "Capacity too thin." not in message.body
    assert application.events.latest("pk").note == "Capacity too thin."


@pytest.mark.parametrize("decision", ["accepted", "declined", "waitlisted"])
def test_default_decision_emails_name_the_organization_and_region(decision):
    application = ApplicationFactory()
    subject, body = decision_email_default(application, decision)
    assert "{" not in subject + body
    assert application.region.name in subject + body
    assert application.legal_name in body


def test_decide_is_for_program_admins_with_a_reason(program_admin):
    application = application_in(Status.IN_REVIEW)
    coach = RegionReviewerFactory(region=application.region).user
    with pytest.raises(PermissionDenied):
        application_decide(application=application, user=coach, decision="declined", reason="x")
    with pytest.raises(ValidationError, match="reason"):
        application_decide(
            application=application, user=program_admin, decision="declined", reason=" "
        )
    with pytest.raises(ValidationError):
        application_decide(
            application=application, user=program_admin, decision="withdrawn", reason="x"
        )
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


def test_bulk_decisions_continue_past_an_error(program_admin, committed):
    first = application_in(Status.IN_REVIEW)
    draft = application_in(Status.DRAFT)
    last = application_in(Status.REFERENCE_CHECK)
    with committed():
        results = applications_decide_bulk(
            applications=[first, draft, last],
            user=program_admin,
            decision="waitlisted",
            reason="No funding this round.",
        )
    assert [r.ok for r in results] == [True, False, True]
    assert "cannot move to waitlisted" in results[1].error
    for application, status in ((first, "waitlisted"), (draft, "draft"), (last, "waitlisted")):
        application.refresh_from_db()
        assert application.status == status
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.applicant.email, last.applicant.email]
    )


def test_bulk_acceptance_onboards_each(program_admin, committed):
    applications = [application_in(Status.IN_REVIEW) for _ in range(2)]
    with committed():
        results = applications_decide_bulk(
            applications=applications, user=program_admin, decision="accepted", reason="Both."
        )
    assert all(r.ok for r in results)
    assert {r.partner.pk for r in results} == set(Partner.objects.values_list("pk", flat=True))
    assert FundingAward.objects.count() == 2


# --- Invitations and activation ---------------------------------------------------------


@pytest.fixture
def accepted(program_admin, committed):
    application = application_in(Status.IN_REVIEW)
    _accept(application, program_admin, committed)
    return application


def test_invitation_accept_links_the_account(accepted, make_user):
    invitation = Invitation.objects.get(email="ana@example.org")
    user = make_user(email="ana@example.org", role="applicant")
    manager = invitation_accept(token=invitation.token, user=user)
    assert (manager.partner, manager.user, manager.fte_share) == (
        accepted.partner,
        user,
        Decimal("0.30"),
    )
    user.refresh_from_db()
    invitation.refresh_from_db()
    assert user.role == "program_manager"
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(token=invitation.token, user=user)
    assert ProgramManager.objects.count() == 1


def test_invitation_accept_needs_the_invited_address_and_a_real_token(accepted, make_user):
    invitation = Invitation.objects.get(email="ben@example.org")
    eve = make_user(email="eve@example.org")
    with pytest.raises(PermissionDenied):
        invitation_accept(token=invitation.token, user=eve)
    with pytest.raises(ValidationError, match="not valid"):
        invitation_accept(token="nope", user=eve)
    coach = make_user(email="BEN@example.org", role="regional_manager")
    invitation_accept(token=invitation.token, user=coach)
    coach.refresh_from_db()
    assert coach.role == "regional_manager"  # staff roles are not downgraded


def test_partner_activate_serves_the_region(accepted, program_admin, committed):
    with committed():
        partner = partner_activate(partner=accepted.partner, user=program_admin)
    assert partner.status == Partner.Status.ACTIVE
    assert partner.active_since == timezone.localdate()
    region = Region.objects.get(pk=accepted.region_id)
    assert (region.status, region.partner) == (Region.Status.SERVED, partner)
    with pytest.raises(ValidationError, match="Only an onboarding partner"):
        partner_activate(partner=partner, user=program_admin)


def test_partner_activate_is_for_program_admins(accepted):
    coach = RegionReviewerFactory(region=accepted.region).user
    with pytest.raises(PermissionDenied):
        partner_activate(partner=accepted.partner, user=coach)
    accepted.partner.refresh_from_db()
    assert accepted.partner.status == Partner.Status.ONBOARDING


# --- Waitlist and windows ---------------------------------------------------------------


def test_waitlist_join_for_a_served_region(applicant):
    region = RegionFactory(status="served", partner=PartnerFactory())
    application = ApplicationFactory(applicant=applicant, region=region)
    entry = waitlist_join(region=region, user=applicant, application=application)
    assert entry.organization_name == application.legal_name
    assert waitlist_join(region=region, user=applicant, application=application) == entry
    assert RegionWaitlist.objects.count() == 1


def test_waitlist_refuses_an_open_region(applicant):
    application = ApplicationFactory(applicant=applicant)
    with pytest.raises(ValidationError, match="apply instead"):
        waitlist_join(region=application.region, user=applicant, application=application)


def test_program_admins_open_and_close_windows(program_admin, regional_manager):
    region = RegionFactory()
    round_ = ApplicationRoundFactory()
    assert not region_is_open_for_applications(region)
    with pytest.raises(PermissionDenied):
        region_window_open(round=round_, region=region, user=regional_manager)
    window = region_window_open(round=round_, region=region, user=program_admin)
    assert region_is_open_for_applications(region)
    assert window.closes_at == round_.closes_at
    region_window_close(window=window, user=program_admin)
    assert not region_is_open_for_applications(region)
    assert ApplicationEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_term_sheet_published_after_acceptance_must_be_accepted_again():
    from django.core.exceptions import ValidationError

    from applications.services import application_save, application_submit
    from applications.tests.factories import ApplicationFactory
    from pages.models import TermSheet
    from pages.services import termsheet_publish

    application = ApplicationFactory()
    user = application.applicant
    first = TermSheet.objects.current()
    application_save(application=application, user=user, data={"accepts_terms": True})
    application.refresh_from_db()
    assert application.term_sheet == first
    newer = termsheet_publish(termsheet=TermSheet.objects.create(version="2099.1", body="New"))
    with pytest.raises(ValidationError) as refused:
        application_submit(application=application, user=user)
    assert "version 2099.1" in str(refused.value)
    application_save(application=application, user=user, data={"accepts_terms": True})
    application_submit(application=application, user=user)
    application.refresh_from_db()
    assert application.term_sheet == newer
