import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.tests.factories import ProgramManagerFactory
from surveys.models import SurveyResponse
from surveys.selectors import (
    Group,
    free_text_answers,
    may_see_results,
    results_summary,
    results_visible_to,
    results_workshops_visible_to,
    workshops_ended_between,
)
from workshops.models import Workshop, WorkshopState
from workshops.tests.factories import CourseFactory, WorkshopFactory

from .factories import attendee, ended_workshop, respond

pytestmark = pytest.mark.django_db


def _workshop_pks(user):
    return set(results_workshops_visible_to(user).values_list("pk", flat=True))


def test_scope_by_role(program, program_admin, regional_manager, teacher, make_user):
    p = program
    assert _workshop_pks(program_admin) >= {p["a1"].pk, p["a2"].pk, p["b1"].pk}
    assert _workshop_pks(p["pm_a"]) == {p["a1"].pk, p["a2"].pk}
    assert _workshop_pks(p["f1"]) == {p["a1"].pk}
    assert _workshop_pks(p["f3"]) == {p["b1"].pk}
    assert _workshop_pks(teacher) == set()
    assert _workshop_pks(regional_manager) == set()
    assert results_visible_to(teacher).count() == 0
    assert results_visible_to(p["f1"]).count() == 2
    assert results_visible_to(p["pm_a"]).count() == 3
    assert results_visible_to(program_admin).count() == 4
    other_pm = ProgramManagerFactory().user
    assert results_visible_to(other_pm).count() == 0
    assert may_see_results(p["f1"]) and may_see_results(other_pm)
    assert not may_see_results(teacher)
    assert may_see_results(make_user(role="facilitator"))  # an empty page, not a 404
    assert not may_see_results(make_user(role="applicant"))
    inactive = p["f1"]
    inactive.is_active = False
    assert _workshop_pks(inactive) == set()


def test_summary_per_workshop_with_comparisons(program):
    p = program
    summary = results_summary(SurveyResponse.objects.all(), "workshop")
    rows = {row.pk: row for row in summary.rows}
    a1, a2, b1 = rows[p["a1"].pk], rows[p["a2"].pk], rows[p["b1"].pk]
    assert (a1.responses, a1.attendees, a1.response_rate) == (2, 4, 0.5)
    assert a1.mean("overall_quality") == 4.0
    assert a1.stats["overall_quality"].distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert a1.mean("readiness") == 4.0
    assert a1.stats["readiness"].count == 1
    assert (a2.responses, a2.attendees) == (1, 2)
    # Partner A's mean for the course: (5 + 3 + 2) / 3; the program's: (5 + 3 + 2 + 4) / 4.
    assert a1.partner_means["overall_quality"] == pytest.approx(10 / 3)
    assert a2.partner_means["overall_quality"] == pytest.approx(10 / 3)
    assert b1.partner_means["overall_quality"] == 4.0
    assert a1.program_means["overall_quality"] == 3.5
    assert a1.detail_url == f"/surveys/results/workshops/{p['a1'].pk}/"
    assert [q.key for q in summary.questions][:2] == [
        "facilitator_effectiveness",
        "overall_quality",
    ]


def test_summary_per_partner_facilitator_and_course(program):
    p = program
    by_partner = {r.pk: r for r in results_summary(SurveyResponse.objects.all(), "partner").rows}
    assert (by_partner[p["a"].pk].responses, by_partner[p["a"].pk].attendees) == (3, 6)
    assert by_partner[p["a"].pk].mean("overall_quality") == pytest.approx(10 / 3)
    assert by_partner[p["a"].pk].label == p["a"].name
    assert by_partner[p["b"].pk].program_means["overall_quality"] == 3.5

    by_facilitator = {
        r.pk: r for r in results_summary(SurveyResponse.objects.all(), Group.FACILITATOR).rows
    }
    assert (by_facilitator[p["f1"].pk].responses, by_facilitator[p["f1"].pk].attendees) == (2, 4)
    assert by_facilitator[p["f2"].pk].mean("overall_quality") == 2.0

    by_course = results_summary(SurveyResponse.objects.all(), "course").rows
    assert len(by_course) == 1
    assert (by_course[0].responses, by_course[0].attendees) == (4, 7)
    assert by_course[0].mean("overall_quality") == 3.5


def test_scoped_summary_keeps_program_comparisons_but_not_other_rows(program):
    p = program
    responses = results_visible_to(p["f1"])
    summary = results_summary(
        responses, "workshop", workshops=results_workshops_visible_to(p["f1"])
    )
    assert [row.pk for row in summary.rows] == [p["a1"].pk]
    # The comparison figures are aggregates over the whole program.
    assert summary.rows[0].program_means["overall_quality"] == 3.5


def test_workshops_without_responses_still_have_a_row(program):
    quiet = ended_workshop(partner=program["a"], course=program["course"])
    attendee(quiet)
    summary = results_summary(
        SurveyResponse.objects.none(), "workshop", workshops=Workshop.objects.filter(pk=quiet.pk)
    )
    assert [(r.pk, r.responses, r.attendees) for r in summary.rows] == [(quiet.pk, 0, 1)]
    assert summary.rows[0].mean("overall_quality") is None


def test_summary_queries_do_not_grow_with_the_data(program):
    def count(group):
        with CaptureQueriesContext(connection) as queries:
            results_summary(SurveyResponse.objects.all(), group)
        return len(queries)

    before = {group: count(group) for group in Group}
    for _ in range(3):
        workshop = ended_workshop(course=CourseFactory(), facilitators=[program["f1"]])
        for _ in range(3):
            respond(attendee(workshop), ratings={"overall_quality": 4}, texts={"best": "x"})
    after = {group: count(group) for group in Group}
    assert before == after
    assert max(after.values()) <= 7


def test_free_text_per_workshop_without_names(program):
    p = program
    answers = free_text_answers(results_workshops_visible_to(p["pm_a"]))
    assert answers == {
        p["a2"].pk: [{"question": "What should we improve?", "text": "More <b>time</b>"}]
    }


def test_workshops_ended_between_uses_each_workshops_zone(db):
    today = timezone.localdate()
    honolulu = WorkshopFactory(
        time_zone="Pacific/Honolulu",
        starts_on=today - datetime.timedelta(days=2),
        state=WorkshopState.PUBLISHED,
    )
    WorkshopFactory(
        time_zone="Pacific/Honolulu",
        starts_on=today - datetime.timedelta(days=2),
        state=WorkshopState.CANCELLED,
    )
    ends = datetime.datetime.combine(
        today - datetime.timedelta(days=2), datetime.time(15), tzinfo=honolulu.zone
    )
    assert workshops_ended_between(ends - datetime.timedelta(hours=1), ends) == []
    assert workshops_ended_between(ends, ends + datetime.timedelta(hours=1)) == [honolulu]
