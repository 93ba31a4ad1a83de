import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from partners.tests.factories import ProgramManagerFactory
from surveys.models import QuestionKind, SurveyQuestion, SurveyResponse
from surveys.selectors import survey_questions_for
from surveys.services import survey_questions_ensure_defaults
from workshops.tests.factories import WorkshopFactory

from .factories import attendee, ended_workshop, enroll

pytestmark = pytest.mark.django_db

RESULTS = "/api/v1/surveys/results/"
RESPONSES = "/api/v1/surveys/responses/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        assert client.login(email=user.email, password=PASSWORD)
    return client


def _labels(response) -> set[str]:
    return {row["label"] for row in response.json()["results"]}


# --- Results -------------------------------------------------------------------------------


def test_results_need_a_login():
    assert api().get(RESULTS).status_code == 403


@pytest.mark.parametrize("role", ["teacher", "applicant"])
def test_results_are_404_without_results(program, make_user, role):
    assert api(make_user(role=role)).get(RESULTS).status_code == 404


def test_results_scope(program, program_admin, django_assert_max_num_queries):
    p = program
    client = api(program_admin)
    with django_assert_max_num_queries(10):
        admin = client.get(RESULTS)
    assert {"Alpha One Intensive", "Alpha Two Follow-up", "Bravo Intensive"} <= _labels(admin)
    assert _labels(api(p["pm_a"]).get(RESULTS)) == {"Alpha One Intensive", "Alpha Two Follow-up"}
    assert _labels(api(p["f1"]).get(RESULTS)) == {"Alpha One Intensive"}
    assert _labels(api(ProgramManagerFactory().user).get(RESULTS)) == set()


def test_results_figures(program):
    body = api(program["f1"]).get(RESULTS).json()
    assert body["group"] == "workshop"
    row = body["results"][0]
    assert row["id"] == program["a1"].pk
    assert (row["responses"], row["attendees"], row["response_rate"]) == (2, 4, 0.5)
    assert row["means"]["overall_quality"] == 4.0
    assert row["distributions"]["overall_quality"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert row["partner_means"]["overall_quality"] == pytest.approx(10 / 3)
    assert row["program_means"]["overall_quality"] == 3.5
    assert "overall_quality" in [q["key"] for q in body["questions"]]


@pytest.mark.parametrize("group", ["partner", "facilitator", "course"])
def test_results_groups(program, group):
    body = api(program["pm_a"]).get(RESULTS, {"group": group}).json()
    assert body["group"] == group
    expected = {
        "partner": {program["a"].name},
        "facilitator": {str(program["f1"]), str(program["f2"])},
        "course": {program["course"].name},
    }[group]
    assert _labels_of(body) == expected


def _labels_of(body):
    return {row["label"] for row in body["results"]}


def test_results_program_year_filter(program, program_admin):
    year = program["a1"].program_year
    start = int(year[:4])
    assert _labels(api(program_admin).get(RESULTS, {"program_year": year}))
    earlier = f"{start - 1}-{start % 100:02d}"
    assert _labels(api(program_admin).get(RESULTS, {"program_year": earlier})) == set()


@pytest.mark.parametrize(
    "query", [{"group": "everyone"}, {"program_year": "2026"}, {"course": "x"}, {"course": 99999}]
)
def test_results_bad_parameters_are_400(program, program_admin, query):
    assert api(program_admin).get(RESULTS, query).status_code == 400


# --- Responses -----------------------------------------------------------------------------


@pytest.fixture
def enrollment(db):
    survey_questions_ensure_defaults()
    return attendee(ended_workshop())


def _answers(enrollment, rating=5):
    return {
        str(q.pk): (rating if q.kind == QuestionKind.LIKERT else "Great")
        for q in survey_questions_for(enrollment.workshop.course)
    }


def test_teacher_answers_their_own_enrollment_once(enrollment):
    client = api(enrollment.teacher)
    body = {"enrollment": enrollment.pk, "answers": _answers(enrollment)}
    created = client.post(RESPONSES, body, format="json")
    assert created.status_code == 201
    data = created.json()
    assert data["enrollment"] == enrollment.pk
    assert {a["key"] for a in data["answers"]} >= {"overall_quality", "best"}
    again = client.post(RESPONSES, body, format="json")
    assert again.status_code == 400
    assert "already answered" in again.json()["non_field_errors"][0]
    assert SurveyResponse.objects.count() == 1


def test_responses_need_a_login(enrollment):
    body = {"enrollment": enrollment.pk, "answers": _answers(enrollment)}
    assert api().post(RESPONSES, body, format="json").status_code == 403


@pytest.mark.parametrize("role", ["teacher", "program_admin", "program_manager"])
def test_someone_elses_enrollment_is_404(enrollment, make_user, role):
    body = {"enrollment": enrollment.pk, "answers": _answers(enrollment)}
    assert api(make_user(role=role)).post(RESPONSES, body, format="json").status_code == 404
    missing = {"enrollment": 999_999, "answers": {}}
    assert api(enrollment.teacher).post(RESPONSES, missing, format="json").status_code == 404
    assert not SurveyResponse.objects.exists()


def test_refusals_are_400_keyed_by_question(enrollment):
    answers = _answers(enrollment)
    readiness = SurveyQuestion.objects.get(key="readiness")
    answers[str(readiness.pk)] = 9
    response = api(enrollment.teacher).post(
        RESPONSES, {"enrollment": enrollment.pk, "answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert f"q{readiness.pk}" in response.json()


@pytest.mark.parametrize(
    "body", [{}, {"enrollment": "x", "answers": {}}, {"enrollment": 1, "answers": [1, 2]}]
)
def test_malformed_bodies_are_400(enrollment, body):
    assert api(enrollment.teacher).post(RESPONSES, body, format="json").status_code == 400


def test_absentee_and_not_ended_are_400(db):
    survey_questions_ensure_defaults()
    absent = enroll(ended_workshop())
    early = attendee(WorkshopFactory())
    for enrollment in (absent, early):
        response = api(enrollment.teacher).post(
            RESPONSES,
            {"enrollment": enrollment.pk, "answers": _answers(enrollment)},
            format="json",
        )
        assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_schema_of_the_survey_endpoints_has_no_warnings():
    """Only this app's routes: the whole schema has its own test in api/."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    patterns = [path("api/v1/surveys/", include("surveys.api_urls"))]
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "warnings or errors while building the schema"
    assert set(schema["paths"]) == {RESULTS, RESPONSES}
