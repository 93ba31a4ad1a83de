import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from partners.tests.factories import ProgramManagerFactory
from surveys.models import QuestionKind, SurveyQuestion, SurveyResponse
from surveys.selectors import survey_questions_for
from surveys.services import survey_questions_ensure_defaults
from workshops.models import WorkshopState
from workshops.tests.factories import CourseFactory, WorkshopFactory

from .factories import SurveyQuestionFactory, attendee, ended_workshop, enroll

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def survey(db):
    """An attendee of an ended workshop with the standard questions."""
    survey_questions_ensure_defaults()
    workshop = ended_workshop(title="Summer Intensive in Tacoma")
    return attendee(workshop)


def _post_data(enrollment, rating="4", **texts):
    data = {}
    for question in survey_questions_for(enrollment.workshop.course):
        data[f"q{question.pk}"] = rating if question.kind == QuestionKind.LIKERT else ""
    for key, text in texts.items():
        data[f"q{SurveyQuestion.objects.get(key=key).pk}"] = text
    return data


# --- Responding ----------------------------------------------------------------------------


def test_respond_requires_login(client, survey):
    url = reverse("surveys:respond", args=[survey.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["teacher", "program_admin", "program_manager", "facilitator"])
def test_respond_is_404_for_anyone_but_the_teacher(client, survey, make_user, role):
    login(client, make_user(role=role))
    url = reverse("surveys:respond", args=[survey.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _post_data(survey)).status_code == 404
    assert client.get(reverse("surveys:respond", args=[999_999])).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_the_form_has_labelled_radio_groups(client, survey):
    login(client, survey.teacher)
    page = client.get(reverse("surveys:respond", args=[survey.pk])).content.decode()
    assert page.count("<fieldset") >= 4
    assert "<legend" in page and "The facilitators were effective" in page
    assert "1 Strongly disagree" in page and "5 Strongly agree" in page
    assert 'type="radio"' in page
    assert "What was the best part?" in page


def test_answering_then_thank_you_and_no_second_response(client, survey):
    login(client, survey.teacher)
    url = reverse("surveys:respond", args=[survey.pk])
    response = client.post(url, _post_data(survey, best="The <script>pairs</script>"))
    assert response.status_code == 302 and response["Location"] == url
    assert SurveyResponse.objects.filter(enrollment=survey).exists()
    page = client.get(url)
    assert b"Thank you" in page.content
    assert b'<form method="post" class="form survey-form"' not in page.content
    # A double submit (back button, second tab): a message, never a second row or a 500.
    again = client.post(url, _post_data(survey), follow=True)
    assert again.status_code == 200
    assert b"already answered" in again.content
    assert SurveyResponse.objects.count() == 1


def test_missing_answers_show_next_to_the_question_and_keep_the_rest(client, survey):
    login(client, survey.teacher)
    data = _post_data(survey, best="Kept text")
    readiness = SurveyQuestion.objects.get(key="readiness")
    del data[f"q{readiness.pk}"]
    response = client.post(reverse("surveys:respond", args=[survey.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"q{readiness.pk}"] == ["Please answer this question."]
    page = response.content.decode()
    assert "Please answer this question." in page
    assert "Kept text" in page
    quality = SurveyQuestion.objects.get(key="overall_quality")
    assert f'value="4" required id="id_q{quality.pk}_3" checked' in page
    assert not SurveyResponse.objects.exists()


def test_not_open_yet(client, db):
    survey_questions_ensure_defaults()
    enrollment = attendee(WorkshopFactory(state=WorkshopState.PUBLISHED))
    login(client, enrollment.teacher)
    url = reverse("surveys:respond", args=[enrollment.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"not open yet" in page.content
    assert client.post(url, _post_data(enrollment), follow=True).status_code == 200
    assert not SurveyResponse.objects.exists()


def test_absentee_sees_why(client, db):
    survey_questions_ensure_defaults()
    enrollment = enroll(ended_workshop())
    login(client, enrollment.teacher)
    page = client.get(reverse("surveys:respond", args=[enrollment.pk]))
    assert b"for teachers who attended" in page.content


# --- Results -------------------------------------------------------------------------------


def test_results_require_login(client, program):
    assert client.get("/surveys/results/").status_code == 302


@pytest.mark.parametrize("role", ["teacher", "applicant"])
def test_results_are_404_for_people_without_results(client, program, make_user, role):
    login(client, make_user(role=role))
    assert client.get("/surveys/results/").status_code == 404
    a1 = program["a1"].pk
    assert client.get(f"/surveys/results/workshops/{a1}/").status_code == 404


def test_a_facilitator_who_led_nothing_sees_an_empty_results_page(client, program, make_user):
    login(client, make_user(role="facilitator"))
    page = client.get("/surveys/results/")
    assert page.status_code == 200
    assert "Alpha One Intensive" not in page.content.decode()
    assert client.get(f"/surveys/results/workshops/{program['a1'].pk}/").status_code == 404


def test_a_regional_manager_sees_their_partners_results_only(client, program, make_user):
    coach = make_user(role="regional_manager")
    login(client, coach)
    page = client.get("/surveys/results/").content.decode()
    assert "Alpha One Intensive" not in page and "Bravo Intensive" not in page
    assert client.get(f"/surveys/results/workshops/{program['a1'].pk}/").status_code == 404

    program["a"].regional_manager = coach
    program["a"].save()
    page = client.get("/surveys/results/").content.decode()
    assert "Alpha One Intensive" in page and "Bravo Intensive" not in page
    assert client.get(f"/surveys/results/workshops/{program['a1'].pk}/").status_code == 200
    assert client.get(f"/surveys/results/workshops/{program['b1'].pk}/").status_code == 404


def test_facilitator_sees_only_their_workshops(client, program, django_assert_max_num_queries):
    login(client, program["f1"])
    with django_assert_max_num_queries(12):
        page = client.get("/surveys/results/").content.decode()
    assert "Alpha One Intensive" in page
    assert "Alpha Two Follow-up" not in page and "Bravo Intensive" not in page
    assert "B&#x27;s secret" not in page and "More" not in page
    # The program-wide mean for the course is there as a comparison.
    assert "3.50" in page
    a2, b1 = program["a2"].pk, program["b1"].pk
    assert client.get(f"/surveys/results/workshops/{a2}/").status_code == 404
    assert client.get(f"/surveys/results/workshops/{b1}/").status_code == 404
    assert client.get(f"/surveys/results/workshops/{program['a1'].pk}/").status_code == 200


def test_program_manager_sees_their_partners_workshops_and_free_text(client, program):
    login(client, program["pm_a"])
    page = client.get("/surveys/results/").content.decode()
    assert "Alpha One Intensive" in page and "Alpha Two Follow-up" in page
    assert "Bravo Intensive" not in page and "B&#x27;s secret" not in page
    # Written answers are escaped.
    assert "More &lt;b&gt;time&lt;/b&gt;" in page
    detail = client.get(f"/surveys/results/workshops/{program['a2'].pk}/")
    assert detail.status_code == 200
    assert b"More &lt;b&gt;time&lt;/b&gt;" in detail.content
    assert client.get(f"/surveys/results/workshops/{program['b1'].pk}/").status_code == 404


def test_another_partners_manager_sees_nothing_of_them(client, program):
    login(client, ProgramManagerFactory().user)
    page = client.get("/surveys/results/")
    assert page.status_code == 200
    assert b"Alpha One Intensive" not in page.content
    assert b"No survey results" in page.content
    assert client.get(f"/surveys/results/workshops/{program['a1'].pk}/").status_code == 404


@pytest.mark.parametrize("group", ["workshop", "partner", "facilitator", "course"])
def test_admin_results_by_each_group(
    client, program, program_admin, group, django_assert_max_num_queries
):
    login(client, program_admin)
    with django_assert_max_num_queries(12):
        response = client.get("/surveys/results/", {"group": group})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<caption id="results-caption">' in page
    assert 'type="application/json"' in page
    assert "vendor/chart.js/chart.umd.min.js" in page
    expected = {
        "workshop": "Bravo Intensive",
        "partner": program["b"].name,
        "facilitator": str(program["f3"]),
        "course": program["course"].name,
    }[group]
    assert expected in page


def test_the_table_carries_the_numbers(client, program, program_admin):
    login(client, program_admin)
    page = client.get("/surveys/results/", {"group": "partner"}).content.decode()
    # Partner A: 3 responses of 6 attendees, 50%, mean 3.33 against the program's 3.50.
    assert '<td class="num">3</td>' in page and '<td class="num">6</td>' in page
    assert "50%" in page and "3.33" in page and "3.50" in page


def test_program_year_filter(client, program, program_admin):
    login(client, program_admin)
    year = program["a1"].program_year
    start = int(year[:4])
    earlier = f"{start - 1}-{start % 100:02d}"
    page = client.get("/surveys/results/", {"program_year": earlier}).content.decode()
    assert "Alpha One Intensive" not in page
    page = client.get("/surveys/results/", {"program_year": year}).content.decode()
    assert "Alpha One Intensive" in page


@pytest.mark.parametrize(
    "query",
    [
        {"group": "nonsense"},
        {"program_year": "20x6"},
        {"course": "abc"},
        {"page": "999"},
        {"page": "-1"},
    ],
)
def test_bad_query_strings_never_fail(client, program, program_admin, query):
    login(client, program_admin)
    assert client.get("/surveys/results/", query).status_code == 200


def test_workshop_results_page(client, program, program_admin, django_assert_max_num_queries):
    login(client, program_admin)
    with django_assert_max_num_queries(12):
        response = client.get(f"/surveys/results/workshops/{program['a1'].pk}/")
    page = response.content.decode()
    assert "2 of 4 attendees (50%)" in page
    assert "Overall, the workshop was high quality" in page
    assert "4.00" in page and "3.33" in page and "3.50" in page
    assert client.get("/surveys/results/workshops/999999/").status_code == 404


# --- Questions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["teacher", "facilitator", "program_manager", "regional_manager", "applicant"]
)
def test_questions_pages_are_admin_only(client, make_user, role, db):
    survey_questions_ensure_defaults()
    question = SurveyQuestion.objects.first()
    login(client, make_user(role=role))
    for url in (
        "/surveys/questions/",
        "/surveys/questions/add/",
        f"/surveys/questions/{question.pk}/edit/",
        f"/surveys/questions/{question.pk}/deactivate/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/surveys/questions/{question.pk}/deactivate/").status_code == 404
    question.refresh_from_db()
    assert question.is_active


def test_questions_require_login(client, db):
    assert client.get("/surveys/questions/").status_code == 302


def test_question_list_creates_the_defaults(client, program_admin, django_assert_max_num_queries):
    login(client, program_admin)
    page = client.get("/surveys/questions/").content.decode()
    assert SurveyQuestion.objects.filter(course=None).count() == 6
    assert "The facilitators were effective" in page
    SurveyQuestionFactory.create_batch(5, course=CourseFactory())
    with django_assert_max_num_queries(5):
        client.get("/surveys/questions/")


def test_admin_adds_edits_and_deactivates_a_question(client, program_admin):
    login(client, program_admin)
    client.get("/surveys/questions/")
    response = client.post(
        "/surveys/questions/add/",
        {
            "course": "",
            "key": "pacing",
            "text": "The pace was right",
            "kind": "likert",
            "required": "on",
            "order": "70",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    question = SurveyQuestion.objects.get(key="pacing")
    # The same key again for all courses: an error next to the key, what was typed kept.
    again = client.post(
        "/surveys/questions/add/",
        {"course": "", "key": "pacing", "text": "Second try", "kind": "likert", "order": "1"},
    )
    assert again.status_code == 200
    assert again.context["form"].errors["key"]
    assert b"Second try" in again.content

    edit = client.post(
        f"/surveys/questions/{question.pk}/edit/",
        {
            "course": "",
            "key": "pacing",
            "text": "The pace suited me",
            "kind": "likert",
            "order": "70",
            "is_active": "on",
        },
    )
    assert edit.status_code == 302
    question.refresh_from_db()
    assert question.text == "The pace suited me" and not question.required

    confirm = client.get(f"/surveys/questions/{question.pk}/deactivate/")
    assert b"Stop asking" in confirm.content
    question.refresh_from_db()
    assert question.is_active
    assert client.post(f"/surveys/questions/{question.pk}/deactivate/").status_code == 302
    question.refresh_from_db()
    assert not question.is_active
    assert client.get("/surveys/questions/999999/edit/").status_code == 404


def test_an_answered_questions_kind_cannot_change_on_the_page(client, program_admin, program):
    login(client, program_admin)
    question = SurveyQuestion.objects.get(key="overall_quality")
    response = client.post(
        f"/surveys/questions/{question.pk}/edit/",
        {
            "course": "",
            "key": "overall_quality",
            "text": question.text,
            "kind": "text",
            "order": "20",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    question.refresh_from_db()
    assert question.kind == "likert"


def test_the_workshop_page_links_back_to_the_results(client, program):
    login(client, program["f1"])
    page = client.get(f"/surveys/results/workshops/{program['a1'].pk}/").content.decode()
    assert 'href="/surveys/results/"' in page
