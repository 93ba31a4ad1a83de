"""/api/v1/applications/: scope, filters, drafting, the workflow actions, and no 500s."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core import mail
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from applications.api import review_summaries
from applications.models import Application, Review, Status
from applications.selectors import review_summary
from applications.services import application_transition, review_save, reviewer_assign
from applications.tests.factories import (
    ApplicationFactory,
    CourseFactory,
    CriterionFactory,
    RegionReviewerFactory,
    RubricFactory,
    application_in,
    current_terms,
    hawaii,
    open_region,
)
from geography.models import RegionState

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def detail(application) -> str:
    return f"{URL}{application.pk}/"


def act(application, name: str) -> str:
    return f"{URL}{application.pk}/{name}/"


@pytest.fixture
def api():
    return APIClient()


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user):
    """Two regions, each with its reviewer and an application; a second applicant."""
    mine = ApplicationFactory()
    theirs = ApplicationFactory()
    return {
        "mine": mine,
        "theirs": theirs,
        "applicant": mine.applicant,
        "other": theirs.applicant,
        "rm": RegionReviewerFactory(region=mine.region).user,
        "rm_theirs": RegionReviewerFactory(region=theirs.region).user,
        "admin": make_user(role="program_admin"),
    }


@pytest.fixture
def rubric():
    rubric = RubricFactory(scale_max=5)
    reach = CriterionFactory(rubric=rubric, name="Reach", weight=Decimal("2"))
    capacity = CriterionFactory(rubric=rubric, name="Capacity", weight=Decimal("1"))
    return rubric, reach, capacity


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- Scope -------------------------------------------------------------------------------


def test_applicant_reaches_only_their_own(world):
    client = as_user(world["applicant"])
    assert ids(client.get(URL)) == {world["mine"].pk}
    assert client.get(detail(world["mine"])).status_code == 200
    assert client.get(detail(world["theirs"])).status_code == 404
    assert client.post(act(world["theirs"], "submit")).status_code == 404
    assert client.patch(detail(world["theirs"]), {}, format="json").status_code == 404
    assert client.post(act(world["theirs"], "withdraw"), {}, format="json").status_code == 404


def test_regional_manager_reaches_the_regions_they_review(world):
    client = as_user(world["rm"])
    assert ids(client.get(URL)) == {world["mine"].pk}
    assert client.get(detail(world["mine"])).status_code == 200
    assert client.get(detail(world["theirs"])).status_code == 404
    # Out of scope is 404 for actions too, not 403.
    response = client.post(act(world["theirs"], "transition"), {"to_status": "in_review"})
    assert response.status_code == 404


def test_program_admin_reaches_all(world):
    assert ids(as_user(world["admin"]).get(URL)) == {world["mine"].pk, world["theirs"].pk}


@pytest.mark.parametrize("role", ["teacher", "facilitator", "program_manager"])
def test_other_roles_get_an_empty_list_not_a_403(world, make_user, role):
    """Anyone signed in may own an application (teachers do apply), so scope answers: none."""
    client = as_user(make_user(role=role))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert client.get(detail(world["mine"])).status_code == 404


def test_anonymous_is_refused_everywhere(api, world):
    application = world["mine"]
    assert api.get(URL).status_code == 403
    assert api.get(detail(application)).status_code == 403
    assert api.post(URL, {}, format="json").status_code == 403
    assert api.patch(detail(application), {}, format="json").status_code == 403
    for name in ("submit", "withdraw", "transition", "review"):
        assert api.post(act(application, name), {}, format="json").status_code == 403


def test_unknown_and_absurd_ids_are_404(world):
    client = as_user(world["admin"])
    assert client.get(f"{URL}999999/").status_code == 404
    assert client.get(f"{URL}{'9' * 30}/").status_code == 404
    assert client.get(f"{URL}abc/").status_code == 404


def test_put_and_delete_are_not_offered(world):
    client = as_user(world["applicant"])
    assert client.put(detail(world["mine"]), {}, format="json").status_code == 405
    assert client.delete(detail(world["mine"])).status_code == 405


# --- Filters -----------------------------------------------------------------------------


def test_filter_by_status_one_or_several(world, program_admin):
    submitted = application_in(Status.SUBMITTED)
    in_review = application_in(Status.IN_REVIEW)
    client = as_user(program_admin)
    assert ids(client.get(URL, {"status": "submitted"})) == {submitted.pk}
    both = client.get(f"{URL}?status=submitted&status=in_review")
    assert ids(both) == {submitted.pk, in_review.pk}
    assert ids(client.get(URL, {"status": "draft"})) == {world["mine"].pk, world["theirs"].pk}
    assert client.get(URL, {"status": "nonsense"}).status_code == 400


def test_filter_by_region_slug(world):
    client = as_user(world["admin"])
    assert ids(client.get(URL, {"region": world["theirs"].region.slug})) == {world["theirs"].pk}
    assert ids(client.get(URL, {"region": "no-such-region"})) == set()


def test_filter_by_state(world):
    """As in the queue: the organization is in the state, or its region has a part there."""
    hi, _ = hawaii()
    RegionState.objects.create(region=world["mine"].region, state=hi)
    Application.objects.filter(pk=world["mine"].pk).update(state=None, zip_code=None)
    elsewhere = ApplicationFactory()
    Application.objects.filter(pk=elsewhere.pk).update(state=None, zip_code=None)
    client = as_user(world["admin"])
    # `theirs` is a Honolulu organization applying for a region with no part in Hawaii.
    assert ids(client.get(URL, {"state": "HI"})) == {world["mine"].pk, world["theirs"].pk}
    assert client.get(URL, {"state": "ZZ"}).status_code == 400


def test_filter_by_round(world):
    window = world["mine"].region.application_windows.get()
    on_time = application_in(Status.SUBMITTED, region=world["mine"].region)
    # Submitted after the window closed: not part of that round; a draft is in no round yet.
    late = application_in(Status.SUBMITTED, region=world["mine"].region)
    Application.objects.filter(pk=late.pk).update(
        submitted_at=window.closes_at + datetime.timedelta(days=1)
    )
    client = as_user(world["admin"])
    assert ids(client.get(URL, {"round": window.round_id})) == {on_time.pk}
    assert client.get(URL, {"round": 999999}).status_code == 400
    assert client.get(URL, {"round": "x"}).status_code == 400


def test_filter_by_reviewer(world, rubric, make_user):
    _, reach, _ = rubric
    assigned = application_in(Status.SUBMITTED, region=world["mine"].region)
    reviewed = application_in(Status.SUBMITTED, region=world["mine"].region)
    reviewer_assign(application=assigned, reviewer=world["rm"], user=world["admin"])
    review_save(application=reviewed, reviewer=world["rm"], scores={reach.pk: 3})
    client = as_user(world["admin"])
    assert ids(client.get(URL, {"reviewer": world["rm"].pk})) == {assigned.pk, reviewed.pk}
    assert ids(client.get(URL, {"reviewer": world["admin"].pk})) == set()
    for bad in ("x", "1.5", "0", "9" * 30, str(world["applicant"].pk)):
        assert client.get(URL, {"reviewer": bad}).status_code == 400


def test_search_by_organization_name(world):
    Application.objects.filter(pk=world["theirs"].pk).update(legal_name="Maui Code Collective")
    client = as_user(world["admin"])
    assert ids(client.get(URL, {"search": "code coll"})) == {world["theirs"].pk}
    Application.objects.filter(pk=world["mine"].pk).update(city="Hilo")
    assert ids(client.get(URL, {"search": "hilo"})) == {world["mine"].pk}
    assert ids(client.get(URL, {"search": "nothing like it"})) == set()


def test_filters_never_widen_scope(world):
    client = as_user(world["applicant"])
    assert ids(client.get(URL, {"region": world["theirs"].region.slug})) == set()


# --- Create and save a draft ---------------------------------------------------------------


def test_applicant_starts_a_draft(applicant):
    region = open_region()
    client = as_user(applicant)
    response = client.post(URL, {"region": region.slug}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["region"] == {"slug": region.slug, "name": region.name}
    assert body["applicant"] == applicant.email
    assert [e["to_status"] for e in body["timeline"]] == ["draft"]
    assert Application.objects.get(pk=body["id"]).applicant == applicant
    empty = client.post(URL, {}, format="json")
    assert empty.status_code == 201
    assert empty.json()["region"] is None


def test_create_refuses_unknown_region_and_fields(applicant):
    client = as_user(applicant)
    response = client.post(URL, {"region": "atlantis"}, format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    response = client.post(URL, {"status": "accepted"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"status": ["Unknown field."]}
    assert not Application.objects.exists()


@pytest.mark.parametrize("role", ["program_admin", "regional_manager"])
def test_staff_do_not_start_applications(make_user, role):
    response = as_user(make_user(role=role)).post(URL, {}, format="json")
    assert response.status_code == 403


def test_owner_saves_sections_of_a_draft(applicant):
    hi, honolulu = hawaii()
    course = CourseFactory()
    application = ApplicationFactory(complete=False, applicant=applicant)
    client = as_user(applicant)
    response = client.patch(
        detail(application),
        {
            "legal_name": "Aloha Code",
            "organization_type": "nonprofit",
            "tax_id": "12-3456789",
            "is_us_based": True,
            "zip_code": honolulu.code,
            "courses": [course.slug],
            "teachers_year1": 10,
            "summits_sept_feb": True,
            "budget": {"food": "100.50", "venue": "0"},
            "program_managers": [
                {"name": "Ana", "email": "Ana@Example.org", "fte_share": "0.50"},
            ],
            "district_relationships": [{"district_name": "HIDOE", "relationship": "PD"}],
            "references": [
                {"name": "R", "organization": "O", "email": "r@example.org", "phone": "1"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["legal_name"] == "Aloha Code"
    assert (body["state"], body["zip_code"]) == ("HI", "96813")  # state follows the ZIP
    assert body["courses"] == [course.slug]
    assert body["budget_lines"] == [
        {"category": "food", "amount": "100.50"},
        {"category": "venue", "amount": "0.00"},
    ]
    assert body["program_managers"] == [
        {"name": "Ana", "email": "ana@example.org", "fte_share": "0.50"}
    ]
    assert body["program_manager_fte"] == "0.50"
    assert len(body["district_relationships"]) == len(body["references"]) == 1
    assert body["review_summary"] is None

    # Only the keys sent change; a section sent replaces itself; a null budget line goes.
    response = client.patch(
        detail(application),
        {"program_managers": [], "budget": {"food": None}},
        format="json",
    )
    body = response.json()
    assert body["legal_name"] == "Aloha Code"
    assert body["program_managers"] == []
    assert body["budget_lines"] == [{"category": "venue", "amount": "0.00"}]
    assert hi.code == body["state"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"tax_id": "123"}, "tax_id"),
        ({"teachers_year1": 0}, "teachers_year1"),
        ({"teachers_year1": "many"}, "teachers_year1"),
        ({"website": "not a url"}, "website"),
        ({"organization_type": "cult"}, "organization_type"),
        ({"state": "ZZ"}, "state"),
        ({"courses": ["no-such-course"]}, "courses"),
        ({"courses": "middle-school-cs"}, "courses"),
        ({"budget": {"food": "-1"}}, "budget"),
        ({"budget": {"yacht": "1"}}, "budget"),
        ({"budget": ["food"]}, "budget"),
        ({"program_managers": [{"name": "A", "email": "a@x.org", "fte_share": "1.5"}]},
         "program_managers"),
        ({"program_managers": [{"name": "A", "email": "a@x.org"}]}, "program_managers"),
        ({"program_managers": [{"name": "A", "email": "a@x.org", "fte_share": "0.5",
                                "role": "boss"}]}, "program_managers"),
        ({"program_managers": [{"name": "A", "email": "a@x.org", "fte_share": "0.5"},
                               {"name": "B", "email": "A@x.org", "fte_share": "0.5"}]},
         "program_managers"),
        ({"references": [{"name": "R", "organization": "O", "email": "r@x.org", "phone": "1"}] * 3},
         "references"),
        ({"status": "accepted"}, "status"),
        ({"applicant": 1}, "applicant"),
        ({"legal_name": "x" * 201}, "legal_name"),
        ({"workshop_venues": "x" * 3001}, "workshop_venues"),
        ({"is_us_based": "perhaps"}, "is_us_based"),
    ],
)  # fmt: skip
def test_draft_save_refusals_are_400_with_the_field(applicant, payload, field):
    application = ApplicationFactory(applicant=applicant)
    response = as_user(applicant).patch(detail(application), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    application.refresh_from_db()
    assert application.program_managers.count() == 2  # nothing half-saved


def test_only_the_owner_saves_and_only_while_draft(world):
    application = world["mine"]
    response = as_user(world["admin"]).patch(detail(application), {"city": "X"}, format="json")
    assert response.status_code == 403
    submitted = application_in(Status.SUBMITTED, applicant=world["applicant"])
    response = as_user(world["applicant"]).patch(detail(submitted), {"city": "X"}, format="json")
    assert response.status_code == 400
    assert "can no longer be changed" in response.json()["non_field_errors"][0]


# --- Submit, withdraw ----------------------------------------------------------------------


def test_submit_lists_what_is_missing(applicant, committed):
    application = ApplicationFactory(complete=False, applicant=applicant)
    current_terms()
    with committed():
        response = as_user(applicant).post(act(application, "submit"))
    assert response.status_code == 400
    problems = response.json()
    assert {"legal_name", "references", "program_managers", "accepts_terms"} <= set(problems)
    assert problems["references"] == ["Give exactly two references (you gave 0)."]
    assert mail.outbox == []
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_submit_a_complete_draft(applicant, committed):
    application = ApplicationFactory(applicant=applicant)
    terms = current_terms()
    with committed():
        response = as_user(applicant).post(act(application, "submit"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["term_sheet_version"] == terms.version
    assert body["submitted_at"] is not None
    assert [(e["from_status"], e["to_status"]) for e in body["timeline"]][-1] == (
        "draft",
        "submitted",
    )
    (message,) = mail.outbox
    assert message.to == [applicant.email]
    assert application.region.name in message.subject
    # Twice is refused, not a second email.
    with committed():
        again = as_user(applicant).post(act(application, "submit"))
    assert again.status_code == 400
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("name", ["submit", "withdraw", "transition", "review"])
def test_actions_answer_with_a_format_suffix_too(world, name):
    """The router also serves `<pk>/<action>.json`: an action must take the `format` keyword
    (it raised TypeError, a 500, before)."""
    url = f"{URL}{world['mine'].pk}/{name}.json"
    response = as_user(world["admin"]).post(url, {}, format="json")
    assert response.status_code in (400, 403), response.content
    response = as_user(world["other"]).post(url, {}, format="json")
    assert response.status_code in (403, 404), response.content


def test_staff_cannot_submit_for_the_applicant(world):
    current_terms()
    response = as_user(world["admin"]).post(act(world["mine"], "submit"))
    assert response.status_code == 403


def test_withdraw_with_a_note(world):
    application = application_in(Status.SUBMITTED, applicant=world["applicant"])
    client = as_user(world["applicant"])
    response = client.post(act(application, "withdraw"), {"note": "Other plans."}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["timeline"][-1]["note"] == "Other plans."
    again = client.post(act(application, "withdraw"), {}, format="json")
    assert again.status_code == 400


def test_withdraw_refusals(world):
    decided = application_in(Status.DECLINED, applicant=world["applicant"])
    client = as_user(world["applicant"])
    response = client.post(act(decided, "withdraw"), {}, format="json")
    assert response.status_code == 400
    assert "decision has been made" in response.json()["non_field_errors"][0]
    staff = as_user(world["admin"]).post(act(world["mine"], "withdraw"), {}, format="json")
    assert staff.status_code == 403
    too_long = client.post(act(world["mine"], "withdraw"), {"note": "x" * 3001}, format="json")
    assert too_long.status_code == 400


# --- Transition ----------------------------------------------------------------------------


def test_regional_manager_moves_an_application_through_review(world):
    application = application_in(Status.SUBMITTED, region=world["mine"].region)
    response = as_user(world["rm"]).post(
        act(application, "transition"),
        {"to_status": "in_review", "note": "Strong start."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_review"
    event = body["timeline"][-1]
    assert (event["actor"], event["note"], event["is_internal"]) == (
        world["rm"].email,
        "Strong start.",
        True,
    )


def test_transition_refusals(world):
    application = application_in(Status.SUBMITTED, region=world["mine"].region)
    rm = as_user(world["rm"])
    # Decisions are for program admins.
    response = rm.post(
        act(application, "transition"), {"to_status": "declined", "note": "No."}, format="json"
    )
    assert response.status_code == 403
    # Not along TRANSITIONS.
    response = rm.post(act(world["mine"], "transition"), {"to_status": "interview"}, format="json")
    assert response.status_code == 400
    assert "cannot move to interview" in response.json()["non_field_errors"][0]
    # Submitting and withdrawing have their own endpoints.
    response = rm.post(act(application, "transition"), {"to_status": "withdrawn"}, format="json")
    assert response.status_code == 400
    assert "to_status" in response.json()
    # Applicants do not move their application through review.
    applicant = as_user(world["applicant"])
    response = applicant.post(
        act(world["mine"], "transition"), {"to_status": "in_review"}, format="json"
    )
    assert response.status_code == 403
    # A decision needs its reason, asked for under the input's own name.
    admin = as_user(world["admin"])
    response = admin.post(act(application, "transition"), {"to_status": "declined"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"note": ["Give the reason for the decision."]}
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_program_admin_decides(world, committed):
    application = application_in(Status.IN_REVIEW, region=world["mine"].region)
    with committed():
        response = as_user(world["admin"]).post(
            act(application, "transition"),
            {"to_status": "accepted", "note": "Excellent plan."},
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    assert body["partner"] is not None
    assert body["decided_at"] is not None
    assert application.applicant.email in {to for m in mail.outbox for to in m.to}


# --- Review --------------------------------------------------------------------------------


def test_reviewer_creates_then_edits_their_review(world, rubric):
    _, reach, capacity = rubric
    application = application_in(Status.SUBMITTED, region=world["mine"].region)
    client = as_user(world["rm"])
    response = client.post(
        act(application, "review"),
        {"scores": {str(reach.pk): 4}, "comment": "Promising."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reviewer"] == world["rm"].email
    assert body["scores"] == [{"criterion": reach.pk, "criterion_name": "Reach", "value": 4}]
    assert body["weighted_total"] == "4.00"
    response = client.post(
        act(application, "review"), {"scores": {str(capacity.pk): 1}}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert [s["value"] for s in body["scores"]] == [4, 1]  # Reach kept, Capacity added
    assert body["weighted_total"] == "3.00"  # (2*4 + 1*1) / 3
    assert body["comment_internal"] == ""
    assert Review.objects.filter(application=application).count() == 1


@pytest.mark.parametrize(
    ("scores", "field"),
    [({"REACH": 6}, "scores"), ({"REACH": -1}, "scores"), ({"REACH": "high"}, "scores"),
     ({"999999": 1}, "scores"), ({"reach": 1}, "scores"), ({"REACH": 10**40}, "scores"),
     ([1, 2], "scores")],
)  # fmt: skip
def test_review_refusals_are_400(world, rubric, scores, field):
    _, reach, _ = rubric
    if isinstance(scores, dict):
        scores = {k.replace("REACH", str(reach.pk)): v for k, v in scores.items()}
    application = application_in(Status.SUBMITTED, region=world["mine"].region)
    response = as_user(world["rm"]).post(
        act(application, "review"), {"scores": scores}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Review.objects.exists()


def test_out_of_range_score_says_the_scale(world, rubric):
    _, reach, _ = rubric
    application = application_in(Status.SUBMITTED, region=world["mine"].region)
    response = as_user(world["admin"]).post(
        act(application, "review"), {"scores": {str(reach.pk): 6}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"scores": ["Reach: Scores run from 0 to 5."]}


def test_review_is_for_reviewers_while_under_review(world, rubric):
    _, reach, _ = rubric
    body = {"scores": {str(reach.pk): 3}}
    applicant = as_user(world["applicant"])
    assert applicant.post(act(world["mine"], "review"), body, format="json").status_code == 403
    draft = as_user(world["rm"]).post(act(world["mine"], "review"), body, format="json")
    assert draft.status_code == 400
    assert "not open for review" in draft.json()["non_field_errors"][0]
    other = application_in(Status.SUBMITTED, region=world["theirs"].region)
    assert as_user(world["rm"]).post(act(other, "review"), body, format="json").status_code == 404


def test_review_without_an_active_rubric(world):
    application = application_in(Status.SUBMITTED, region=world["mine"].region)
    response = as_user(world["rm"]).post(act(application, "review"), {}, format="json")
    assert response.status_code == 400
    assert "No rubric is active" in response.json()["non_field_errors"][0]


# --- What applicants never see -------------------------------------------------------------


def test_internal_notes_and_reviews_stay_with_staff(world, rubric):
    _, reach, _ = rubric
    application = application_in(Status.SUBMITTED, applicant=world["applicant"])
    application_transition(
        application=application,
        user=world["admin"],
        to_status=Status.IN_REVIEW,
        note="Budget looks padded.",
    )
    review_save(
        application=application,
        reviewer=world["admin"],
        scores={reach.pk: 2},
        comment="Secret comment.",
    )
    mine = as_user(world["applicant"])
    for response in (mine.get(detail(application)), mine.get(URL)):
        text = response.content.decode()
        assert response.status_code == 200
        assert "Budget looks padded." not in text
        assert "Secret comment." not in text
        assert world["admin"].email not in text
    body = mine.get(detail(application)).json()
    assert body["review_summary"] is None
    assert body["timeline"][-1] == {
        "at": body["timeline"][-1]["at"],
        "from_status": "submitted",
        "to_status": "in_review",
        "note": "",
        "actor": None,
        "is_internal": None,
    }
    staff = as_user(world["admin"]).get(detail(application)).json()
    assert staff["timeline"][-1]["note"] == "Budget looks padded."
    assert staff["review_summary"] == {
        "count": 1,
        "mean": "2.00",
        "median": "2.00",
        "pending_reviewers": [],
    }


def test_list_review_summaries_match_the_selector(world, rubric, make_user):
    _, reach, capacity = rubric
    applications = [application_in(Status.IN_REVIEW) for _ in range(3)]
    admins = [make_user(role="program_admin") for _ in range(3)]
    for n, application in enumerate(applications):
        for reviewer in admins:
            reviewer_assign(application=application, reviewer=reviewer, user=admins[0])
        for reviewer, (a, b) in zip(admins[: n + 1], [(5, 5), (4, 1), (2, 4)], strict=False):
            review_save(
                application=application, reviewer=reviewer, scores={reach.pk: a, capacity.pk: b}
            )
    review_save(application=applications[0], reviewer=admins[1], scores={})  # nothing scored
    bulk = review_summaries([*applications, world["mine"]])
    for application in [*applications, world["mine"]]:
        assert bulk[application.pk] == review_summary(application)
    rows = as_user(world["admin"]).get(URL, {"status": "in_review"}).json()["results"]
    by_id = {row["id"]: row["review_summary"] for row in rows}
    assert by_id[applications[2].pk] == {
        "count": 3, "mean": "3.56", "median": "3.00", "pending_reviewers": [],
    }  # fmt: skip
    assert by_id[applications[0].pk]["pending_reviewers"] == [admins[2].email]


# --- Query count ---------------------------------------------------------------------------


def _populate(n: int, rubric, reviewer, admin) -> None:
    _, reach, _ = rubric
    for _ in range(n):
        application = application_in(Status.IN_REVIEW)
        reviewer_assign(application=application, reviewer=reviewer, user=admin)
        review_save(application=application, reviewer=admin, scores={reach.pk: 3})


def test_list_runs_a_fixed_number_of_queries(
    rubric, program_admin, make_user, django_assert_num_queries
):
    reviewer = make_user(role="program_admin")
    client = as_user(program_admin)
    _populate(3, rubric, reviewer, program_admin)
    with django_assert_num_queries(12) as few:  # session, user, count, page, 5 sections, 3 reviews
        assert client.get(URL).json()["count"] == 3
    _populate(27, rubric, reviewer, program_admin)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 30


def test_regional_manager_list_is_fixed_too(rubric, program_admin, django_assert_num_queries):
    region = open_region()
    rm = RegionReviewerFactory(region=region).user
    client = as_user(rm)
    for _ in range(3):
        application_in(Status.SUBMITTED, region=region)
    with django_assert_num_queries(11) as few:  # no reviews, so no query for their scores
        assert client.get(URL).json()["count"] == 3
    for _ in range(27):
        application_in(Status.SUBMITTED, region=region)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 30


# --- Never a 500 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"{", b"", b"null", b"[]", b"[1, 2]", b'"text"', b"42", b"true", b"NaN",
        b'{"legal_name": NaN}', b'{"legal_name": "\\ud800"}', b'{"\\udfff": 1}',
        b"[" * 50000 + b"]" * 50000, b"\xff\xfe", b'{"teachers_year1": 1e400}',
        b'{"budget": {"food": 1e400}}', b'{"courses": [{"slug": "x"}]}',
        b'{"region": {"slug": "x"}}', b'{"zip_code": 96813}', b'{"legal_name": null}',
        b'{"program_managers": {"name": "A"}}', b'{"program_managers": [null]}',
        b'{"references": "two"}', b'{"legal_name": "a\\u0000b"}',
    ],
)  # fmt: skip
def test_malformed_bodies_are_400_never_500(applicant, raw):
    application = ApplicationFactory(applicant=applicant)
    client = as_user(applicant)
    response = client.generic("PATCH", detail(application), raw, content_type="application/json")
    assert response.status_code in (200, 400), (raw[:60], response.content[:300])
    if raw in (b"{", b"[]", b"NaN", b'{"legal_name": "\\ud800"}'):
        assert response.status_code == 400
    for name in ("withdraw", "submit"):
        response = client.generic(
            "POST", act(application, name), raw, content_type="application/json"
        )
        assert response.status_code in (200, 400), (name, raw[:60], response.content[:300])
        application.refresh_from_db()
        if application.status != Status.DRAFT:
            break


def test_only_json_is_accepted(applicant):
    application = ApplicationFactory(applicant=applicant)
    response = as_user(applicant).patch(detail(application), {"city": "X"})  # multipart
    assert response.status_code == 415


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["legal_name", "tax_id", "is_us_based", "state", "zip_code", "website", "teachers_year2",
     "courses", "budget", "program_managers", "references", "region", "accepts_terms",
     "organization_type", "status"]
)  # fmt: skip
PM = st.fixed_dictionaries(
    {"name": st.text(max_size=10), "email": st.emails(), "fte_share": st.decimals(0, 2, places=2)}
).map(lambda d: {**d, "fte_share": str(d["fte_share"])})
BODIES = st.dictionaries(KEYS | st.text(max_size=8), JSON, max_size=4) | st.dictionaries(
    st.just("program_managers"), st.lists(PM, max_size=3), min_size=1
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES)
def test_any_patch_body_is_200_or_400(applicant, body):
    application = Application.objects.filter(applicant=applicant).first() or ApplicationFactory(
        applicant=applicant
    )
    client = as_user(applicant)
    response = client.generic(
        "PATCH", detail(application), json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (200, 400), (body, response.content[:300])
    event(f"status {response.status_code}")
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


# --- Schema ------------------------------------------------------------------------------


def test_schema_documents_every_endpoint(client):
    text = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/applications/", "/api/v1/applications/{id}/"):
        assert f"{path}:" in text
    for name in ("submit", "withdraw", "transition", "review"):
        assert f"/api/v1/applications/{{id}}/{name}/:" in text
        assert f"operationId: applications_{name}\n" in text
