"""A teacher answers the survey on a phone; a facilitator sees the chart and the table."""

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from surveys.models import SurveyResponse
from surveys.services import survey_questions_ensure_defaults

from .factories import attendee, ended_workshop, respond

pytestmark = pytest.mark.browser

PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def sign_in(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_teacher_answers_on_a_phone(page: Page, live_server, transactional_db):
    survey_questions_ensure_defaults()
    enrollment = attendee(ended_workshop(title="Summer Intensive in Tacoma"))
    sign_in(page, live_server, enrollment.teacher)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/surveys/{enrollment.pk}/")
    scroll_width, width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= width
    for question in (
        "The facilitators were effective",
        "Overall, the workshop was high quality",
        "I feel ready to teach this course",
    ):
        page.get_by_role("group", name=question).get_by_label("5 Strongly agree").check()
    page.get_by_label("What was the best part?").fill("Pair programming")
    page.get_by_role("button", name="Send my answers").click()
    # One question left: the error is next to it, the other answers kept.
    recommend = page.get_by_role("group", name="I would recommend this workshop to a colleague")
    expect(recommend.get_by_text("Please answer this question.")).to_be_visible()
    expect(page.get_by_label("What was the best part?")).to_have_value("Pair programming")
    recommend.get_by_label("4 Agree").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert SurveyResponse.objects.filter(enrollment=enrollment).exists()


def test_facilitator_sees_a_chart_and_the_numbers(
    page: Page, live_server, transactional_db, make_user
):
    facilitator = make_user(role="facilitator")
    workshop = ended_workshop(title="Alpha One Intensive", facilitators=[facilitator])
    for rating in (5, 4, 2):
        respond(attendee(workshop), ratings={"overall_quality": rating, "readiness": 4})
    sign_in(page, live_server, facilitator)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/surveys/results/")
    expect(page.get_by_role("cell", name="3.67")).to_be_visible()
    # Chart.js drew on the canvas.
    page.wait_for_function("() => window.Chart && Chart.getChart('results-chart') !== undefined")
    scroll_width, width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= width
    page.get_by_role("link", name="Alpha One Intensive").click()
    expect(page.get_by_role("heading", name="Survey results: Alpha One Intensive")).to_be_visible()
    page.wait_for_function("() => Chart.getChart('workshop-chart') !== undefined")
