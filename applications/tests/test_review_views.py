"""The review pages under /manage/applications/: scope, the queue, scoring, moves, decisions."""

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from geography.models import Region, RegionState, State
from partners.models import Partner

from ..models import (
    Application,
    ApplicationEvent,
    RegionWindow,
    Review,
    ReviewerAssignment,
    Status,
)
from ..selectors import review_summary
from ..services import review_save
from .factories import (
    ApplicationRoundFactory,
    CriterionFactory,
    RegionReviewerFactory,
    RubricFactory,
    application_in,
    open_region,
)

QUEUE = reverse("review:queue")
EXPORT = reverse("review:export")
BULK = reverse("review:decide_bulk")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _detail(application: Application) -> str:
    return reverse("review:detail", args=[application.pk])


def _listed(response) -> list[int]:
    return [application.pk for application, _ in response.context["rows"]]


def _names(response) -> list[str]:
    return [application.legal_name for application, _ in response.context["rows"]]


@pytest.fixture
def admin_client(client, program_admin):
    client.force_login(program_admin)
    return client


@pytest.fixture
def rubric(db):
    """Two criteria, weights 2 and 1, scored 0 to 5."""
    rubric = RubricFactory(name="2026 rubric", scale_max=5)
    CriterionFactory(rubric=rubric, name="Reach", weight=Decimal("2"), description="Teachers.")
    CriterionFactory(rubric=rubric, name="Capacity", weight=Decimal("1"))
    return rubric


def _criteria(rubric) -> tuple[int, int]:
    reach, capacity = rubric.criteria.order_by("order")
    return reach.pk, capacity.pk


def _score(application, reviewer, rubric, reach: int, capacity: int) -> Review:
    reach_id, capacity_id = _criteria(rubric)
    return review_save(
        application=application,
        reviewer=reviewer,
        scores={reach_id: reach, capacity_id: capacity},
    )


# --- Who may enter ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    application = application_in(Status.SUBMITTED)
    for url in [QUEUE, EXPORT, _detail(application), BULK]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["program_manager", "teacher", "applicant", "facilitator"])
def test_everyone_but_reviewers_gets_not_found(client, role):
    application = application_in(Status.IN_REVIEW)
    client.force_login(UserFactory(role=role))
    for url in [QUEUE, EXPORT, _detail(application), BULK + f"?ids={application.pk}"]:
        assert client.get(url).status_code == 404, url
    for name in ["score", "move", "decide", "assign", "activate"]:
        url = reverse(f"review:{name}", args=[application.pk])
        assert client.post(url, {"to_status": "interview"}).status_code == 404, url
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


@pytest.mark.django_db
def test_even_the_applicant_cannot_open_their_own_application_here(client):
    application = application_in(Status.SUBMITTED)
    client.force_login(application.applicant)
    assert client.get(_detail(application)).status_code == 404


@pytest.mark.django_db
def test_a_regional_manager_sees_only_the_regions_they_review(client, regional_manager):
    mine = application_in(Status.SUBMITTED, legal_name="Mine Collaborative")
    RegionReviewerFactory(region=mine.region, user=regional_manager)
    other = application_in(Status.SUBMITTED, legal_name="Elsewhere Alliance")
    RegionReviewerFactory(region=other.region)  # another regional manager reviews that one
    client.force_login(regional_manager)

    response = client.get(QUEUE)
    assert _listed(response) == [mine.pk]
    assert "Elsewhere Alliance" not in _text(response)
    assert client.get(_detail(mine)).status_code == 200
    assert client.get(_detail(other)).status_code == 404
    assert client.post(reverse("review:score", args=[other.pk]), {}).status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get(EXPORT).content.decode("utf-8-sig"))))
    assert [row["organization"] for row in rows] == ["Mine Collaborative"]
    # The region filter offers only their regions.
    region_choices = response.context["filter"].form.fields["region"].queryset
    assert list(region_choices) == [mine.region]


@pytest.mark.django_db
def test_decisions_and_assignments_are_for_program_admins_only(client, regional_manager):
    application = application_in(Status.IN_REVIEW)
    RegionReviewerFactory(region=application.region, user=regional_manager)
    client.force_login(regional_manager)
    text = _text(client.get(_detail(application)))
    assert "Accept…" not in text and "Ask to review" not in text
    assert 'form="bulk-form"' not in _text(client.get(QUEUE))
    decide = reverse("review:decide", args=[application.pk])
    assert client.get(decide + "?decision=accepted").status_code == 404
    assert client.post(decide, {"decision": "accepted", "reason": "x"}).status_code == 404
    assert client.get(BULK + f"?ids={application.pk}").status_code == 404
    assert client.post(reverse("review:activate", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


@pytest.mark.django_db
def test_drafts_are_not_shown_to_reviewers(admin_client):
    draft = application_in(Status.DRAFT, legal_name="Still Drafting Inc")
    submitted = application_in(Status.SUBMITTED)
    response = admin_client.get(QUEUE)
    assert _listed(response) == [submitted.pk]
    assert "Still Drafting Inc" not in _text(response)
    assert "draft" not in dict(response.context["filter"].form.fields["status"].choices)
    assert admin_client.get(_detail(draft)).status_code == 404
    asked = admin_client.get(QUEUE + "?status=draft")
    assert asked.context["filter"].form.errors["status"]
    assert draft.pk not in _listed(asked)


@pytest.mark.django_db
def test_a_missing_application_is_not_found(admin_client):
    assert admin_client.get(reverse("review:detail", args=[999999])).status_code == 404


def test_the_navigation_offers_the_queue_to_reviewers_only(client, program_admin, teacher):
    client.force_login(program_admin)
    assert f'href="{QUEUE}"' in client.get(reverse("accounts:home")).content.decode()
    client.force_login(UserFactory(role="regional_manager"))
    assert f'href="{QUEUE}"' in client.get(reverse("accounts:home")).content.decode()
    client.force_login(teacher)
    assert f'href="{QUEUE}"' not in client.get(reverse("accounts:home")).content.decode()


# --- The queue: filters, search, sort, counts ---------------------------------------------------


@pytest.mark.django_db
def test_filter_by_status(admin_client):
    submitted = application_in(Status.SUBMITTED)
    in_review = application_in(Status.IN_REVIEW)
    assert _listed(admin_client.get(QUEUE + "?status=in_review")) == [in_review.pk]
    assert _listed(admin_client.get(QUEUE + "?status=submitted")) == [submitted.pk]


@pytest.mark.django_db
def test_filter_by_region(admin_client):
    one = application_in(Status.SUBMITTED)
    application_in(Status.SUBMITTED)
    response = admin_client.get(QUEUE + f"?region={one.region.slug}")
    assert _listed(response) == [one.pk]
    assert "matching the filters" in _text(response)


@pytest.mark.django_db
def test_filter_by_state_the_organization_is_in_or_its_region_touches(admin_client):
    hawaiian = application_in(Status.SUBMITTED)  # factories put the organization in Hawaii
    washington = State.objects.create(code="WA", fips="53", name="Washington")
    region = open_region(name="Puget Sound")
    RegionState.objects.create(region=region, state=washington)
    in_washington = application_in(Status.SUBMITTED, region=region)
    Application.objects.filter(pk=in_washington.pk).update(state=None)
    assert _listed(admin_client.get(QUEUE + "?state=HI")) == [hawaiian.pk]
    assert _listed(admin_client.get(QUEUE + "?state=WA")) == [in_washington.pk]


@pytest.mark.django_db
def test_filter_by_round_the_application_was_submitted_in(admin_client):
    spring = ApplicationRoundFactory(name="Spring")
    autumn = ApplicationRoundFactory(
        name="Autumn",
        opens_at=timezone.now() - datetime.timedelta(days=400),
        closes_at=timezone.now() - datetime.timedelta(days=300),
    )
    now_app = application_in(Status.SUBMITTED)
    RegionWindow.objects.create(
        round=spring, region=now_app.region, opens_at=spring.opens_at, closes_at=spring.closes_at
    )
    old_app = application_in(Status.SUBMITTED)
    RegionWindow.objects.create(
        round=autumn, region=old_app.region, opens_at=autumn.opens_at, closes_at=autumn.closes_at
    )
    Application.objects.filter(pk=old_app.pk).update(
        submitted_at=autumn.opens_at + datetime.timedelta(days=1)
    )
    assert _listed(admin_client.get(QUEUE + f"?round={spring.pk}")) == [now_app.pk]
    assert _listed(admin_client.get(QUEUE + f"?round={autumn.pk}")) == [old_app.pk]


@pytest.mark.django_db
def test_filter_by_reviewer_assigned_or_having_reviewed(admin_client, program_admin, rubric):
    assigned = application_in(Status.IN_REVIEW)
    reviewed = application_in(Status.IN_REVIEW)
    application_in(Status.IN_REVIEW)
    reviewer = UserFactory(role="program_admin")
    ReviewerAssignment.objects.create(application=assigned, reviewer=reviewer)
    _score(reviewed, reviewer, rubric, 3, 3)
    listed = _listed(admin_client.get(QUEUE + f"?reviewer={reviewer.pk}"))
    assert sorted(listed) == sorted([assigned.pk, reviewed.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("cascade", ["Cascade Learning"]), ("SPOKANE", ["Inland Ed"]), ("nowhere", [])],
)
def test_search_by_name_or_city(admin_client, query, expected):
    application_in(Status.SUBMITTED, legal_name="Cascade Learning", city="Tacoma")
    application_in(Status.SUBMITTED, legal_name="Inland Ed", city="Spokane")
    assert _names(admin_client.get(QUEUE + f"?q={query}")) == expected


@pytest.mark.django_db
def test_search_finds_the_partner_name_too(admin_client):
    accepted = application_in(Status.ACCEPTED, legal_name="Legal Name LLC")
    Partner.objects.filter(pk=accepted.partner_id).update(name="Friendly Partner Name")
    application_in(Status.SUBMITTED, legal_name="Other")
    assert _names(admin_client.get(QUEUE + "?q=friendly")) == ["Legal Name LLC"]


@pytest.mark.django_db
def test_sort_by_name_submitted_status_and_mean(admin_client, program_admin, rubric):
    now = timezone.now()
    beta = application_in(Status.IN_REVIEW, legal_name="Beta")
    alpha = application_in(Status.SUBMITTED, legal_name="Alpha")
    gamma = application_in(Status.INTERVIEW, legal_name="Gamma")
    for days, application in ((3, alpha), (2, gamma), (1, beta)):
        Application.objects.filter(pk=application.pk).update(
            submitted_at=now - datetime.timedelta(days=days)
        )
    _score(alpha, program_admin, rubric, 5, 5)  # 5.00
    _score(beta, program_admin, rubric, 1, 4)  # (2*1 + 4) / 3 = 2.00; gamma is unscored

    def order(sort):
        return _names(admin_client.get(QUEUE + f"?sort={sort}"))

    assert order("name") == ["Alpha", "Beta", "Gamma"]
    assert order("-name") == ["Gamma", "Beta", "Alpha"]
    assert order("submitted") == ["Alpha", "Gamma", "Beta"]
    assert order("-submitted") == ["Beta", "Gamma", "Alpha"]
    assert _names(admin_client.get(QUEUE)) == ["Beta", "Gamma", "Alpha"]  # newest first
    assert order("-mean") == ["Alpha", "Beta", "Gamma"]  # unscored last
    assert order("mean") == ["Beta", "Alpha", "Gamma"]  # unscored last either way
    assert order("status") == ["Alpha", "Beta", "Gamma"]  # submitted, in review, interview
    assert order("-status") == ["Gamma", "Beta", "Alpha"]


@pytest.mark.django_db
def test_the_mean_column_is_the_review_summary_mean(admin_client, program_admin, rubric):
    application = application_in(Status.IN_REVIEW)
    _score(application, program_admin, rubric, 4, 3)  # 11/3 = 3.67
    _score(application, UserFactory(role="program_admin"), rubric, 2, 5)  # 9/3 = 3.00
    response = admin_client.get(QUEUE)
    [(_, summary)] = response.context["rows"]
    assert summary.mean == review_summary(application).mean == Decimal("3.34")
    assert summary.count == 2
    assert '<td class="num" data-mean>3.34</td>' in response.content.decode()


@pytest.mark.django_db
def test_counts_per_status_follow_the_other_filters(admin_client):
    region = open_region(name="Counted")
    application_in(Status.SUBMITTED, region=region, legal_name="Counted One")
    application_in(Status.IN_REVIEW, region=region, legal_name="Counted Two")
    application_in(Status.IN_REVIEW, legal_name="Elsewhere")
    application_in(Status.DRAFT, region=region)

    response = admin_client.get(QUEUE + f"?region={region.slug}&status=in_review")
    counts = {value: n for value, _, n in response.context["status_counts"]}
    assert counts["submitted"] == 1 and counts["in_review"] == 1 and counts["accepted"] == 0
    assert response.context["total"] == 2
    assert "draft" not in counts
    text = response.content.decode()
    # Each count is a link that keeps the other filters and changes the status only.
    assert re.search(
        rf'href="\?region={region.slug}&amp;status=submitted"[^>]*>.*?data-status-count="submitted">1<',
        text,
    )
    assert re.search(r'aria-current="true"><span class="status status-in_review">', text)

    everything = admin_client.get(QUEUE).context
    assert everything["total"] == 3
    assert {value: n for value, _, n in everything["status_counts"]}["in_review"] == 2


@pytest.mark.django_db
def test_the_queue_pages(admin_client):
    for n in range(27):
        application_in(Status.SUBMITTED, legal_name=f"Org {n:02d}")
    first = admin_client.get(QUEUE + "?sort=name")
    assert len(first.context["rows"]) == 25
    second = admin_client.get(QUEUE + "?sort=name&page=2")
    assert _names(second) == ["Org 25", "Org 26"]
    assert "Page 2 of 2" in _text(second)


@pytest.mark.django_db
def test_an_unknown_filter_value_is_explained_not_a_crash(admin_client):
    application_in(Status.SUBMITTED)
    response = admin_client.get(QUEUE + "?region=nowhere&sort=bogus&round=abc")
    assert response.status_code == 200
    assert response.context["filter"].form.errors["region"]
    assert len(response.context["rows"]) == 1


@pytest.mark.django_db
def test_queue_query_count_does_not_grow_with_applications(
    admin_client, program_admin, rubric, django_assert_max_num_queries
):
    def build(n):
        for _ in range(n):
            application = application_in(Status.IN_REVIEW)
            _score(application, program_admin, rubric, 3, 4)
            ReviewerAssignment.objects.create(application=application, reviewer=program_admin)

    build(3)
    with django_assert_max_num_queries(12) as few:
        assert len(admin_client.get(QUEUE).context["rows"]) == 3
    build(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(admin_client.get(QUEUE).context["rows"]) == 25
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = list(csv.reader(io.StringIO(admin_client.get(EXPORT).content.decode("utf-8-sig"))))
    assert len(rows) == 31


@pytest.mark.django_db
def test_application_page_query_count_is_bounded(
    admin_client, program_admin, rubric, django_assert_max_num_queries
):
    application = application_in(Status.IN_REVIEW)
    for _ in range(5):
        reviewer = UserFactory(role="program_admin")
        ReviewerAssignment.objects.create(application=application, reviewer=reviewer)
        _score(application, reviewer, rubric, 2, 3)
    with django_assert_max_num_queries(20) as few:
        admin_client.get(_detail(application))
    for _ in range(5):
        _score(application, UserFactory(role="program_admin"), rubric, 4, 4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(_detail(application))


# --- CSV export ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_is_the_filtered_list_as_csv(admin_client, program_admin, rubric):
    region = open_region(name="Exported Region")
    scored = application_in(Status.IN_REVIEW, region=region, legal_name="=Scored, Inc.")
    _score(scored, program_admin, rubric, 4, 3)  # 3.67
    _score(scored, UserFactory(role="program_admin"), rubric, 2, 5)  # 3.00
    _score(scored, UserFactory(role="program_admin"), rubric, 5, 5)  # 5.00
    unscored = application_in(Status.SUBMITTED, region=region, legal_name="Unscored")
    application_in(Status.IN_REVIEW, legal_name="Filtered Out")

    response = admin_client.get(EXPORT + f"?region={region.slug}&sort=name")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="applications-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "id",
        "organization",
        "organization_type",
        "region",
        "state",
        "status",
        "submitted_at",
        "mean",
        "median",
        "review_count",
    ]
    # Sorted by name as asked; a name that looks like a formula is defused.
    assert [row["organization"] for row in rows] == ["'=Scored, Inc.", "Unscored"]
    first, second = rows
    assert first["id"] == str(scored.pk)
    assert first["organization_type"] == "Nonprofit"
    assert first["region"] == "Exported Region"
    assert first["state"] == "HI"
    assert first["status"] == "In review"
    assert datetime.datetime.fromisoformat(first["submitted_at"]) == scored.submitted_at.replace(
        microsecond=0
    )
    summary = review_summary(scored)
    assert (first["mean"], first["median"], first["review_count"]) == (
        str(summary.mean),
        str(summary.median),
        "3",
    )
    assert (first["mean"], first["median"]) == ("3.89", "3.67")
    assert (second["id"], second["mean"], second["median"], second["review_count"]) == (
        str(unscored.pk),
        "",
        "",
        "0",
    )


@pytest.mark.django_db
def test_the_export_link_carries_the_filters(admin_client):
    application_in(Status.SUBMITTED)
    text = admin_client.get(QUEUE + "?status=submitted&page=1").content.decode()
    assert f'href="{EXPORT}?status=submitted"' in text


# --- The application page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_every_section_and_the_timeline_with_internal_notes(
    admin_client, program_admin
):
    application = application_in(Status.IN_REVIEW, legal_name="Island Computing Alliance")
    ApplicationEvent.objects.create(
        application=application,
        actor=program_admin,
        from_status="submitted",
        to_status="in_review",
        note="Strong district ties; call references.",
        is_internal=True,
    )
    ApplicationEvent.objects.create(
        application=application,
        from_status="in_review",
        to_status="in_review",
        note="We have started the review.",
        is_internal=False,
    )
    text = _text(admin_client.get(_detail(application)))
    for expected in [
        "Island Computing Alliance",
        "12-3456789",
        "1 Aloha Tower Dr",
        "Ana Kahale",
        "ben@example.org",
        "0.55",  # total FTE
        "Middle school CS",
        "Our training center downtown.",
        "Hawaii DOE",
        "PD provider since 2019",
        "$12,000.00",
        "$17,835.05",  # budget total
        "Rural schools need support.",
        "State grant.",
        "Reference 1, Hawaii DOE",
        "808-555-0100",
        "Accepted term sheet version",
        "Strong district ties; call references.",
        "We have started the review.",
    ]:
        assert expected in text, expected
    internal = re.search(r'class="review-note internal">(.*?)</p>', text, re.S).group(1)
    assert "Internal" in internal and "Strong district ties" in internal
    assert 'class="review-note">We have started the review.' in text


@pytest.mark.django_db
def test_the_review_summary_is_shown(admin_client, program_admin, rubric):
    application = application_in(Status.IN_REVIEW)
    waiting = UserFactory(role="program_admin", first_name="Wanda", last_name="Waiting")
    ReviewerAssignment.objects.create(application=application, reviewer=waiting)
    other = UserFactory(role="program_admin")
    review = _score(application, other, rubric, 4, 3)  # 3.67
    review.comment_internal = "Convincing plan."
    review.save()
    _score(application, program_admin, rubric, 2, 5)  # 3.00
    response = admin_client.get(_detail(application))
    text = _text(response)
    assert re.search(r'data-summary="mean">3.34<', text)
    assert re.search(r'data-summary="median">3.34<', text)  # the median of two is their mean
    assert re.search(r'data-summary="count">2<', text)
    assert "Waiting for:</strong> Wanda Waiting" in text
    assert "Convincing plan." in text


# --- Scoring ------------------------------------------------------------------------------------


def _score_data(rubric, reach, capacity, comment=""):
    reach_id, capacity_id = _criteria(rubric)
    return {
        f"criterion_{reach_id}": reach,
        f"criterion_{capacity_id}": capacity,
        "comment": comment,
    }


@pytest.mark.django_db
def test_the_scoring_form_has_a_field_per_criterion_with_weight_and_description(
    admin_client, rubric
):
    application = application_in(Status.SUBMITTED)
    text = _text(admin_client.get(_detail(application)))
    reach_id, capacity_id = _criteria(rubric)
    reach = re.search(rf'<input type="number" name="criterion_{reach_id}"[^>]*>', text).group(0)
    assert 'min="0"' in reach and 'max="5"' in reach and 'data-weight="2.00"' in reach
    capacity = re.search(rf'<input [^>]*name="criterion_{capacity_id}"[^>]*>', text).group(0)
    assert 'data-weight="1.00"' in capacity
    assert "Teachers. (0 to 5, weight 2.)" in text
    assert "0 to 5, weight 1." in text
    assert "Internal comment" in text
    assert "data-running-total" in text


@pytest.mark.django_db
def test_a_reviewer_scores_then_edits_their_own_review(client, regional_manager, rubric):
    application = application_in(Status.SUBMITTED)
    RegionReviewerFactory(region=application.region, user=regional_manager)
    client.force_login(regional_manager)
    url = reverse("review:score", args=[application.pk])

    response = client.post(url, _score_data(rubric, 4, 3, "Good reach."))
    assert response.status_code == 302
    assert response["Location"] == _detail(application) + "#review"
    review = Review.objects.get(application=application, reviewer=regional_manager)
    assert review.weighted_total() == Decimal("3.67")
    assert review.comment_internal == "Good reach."
    page = _text(client.get(response["Location"]))
    assert "Your review is saved: weighted total 3.67 of 5." in page
    assert re.search(r"<output data-running-total[^>]*>3.67</output>", page)
    assert "Save changes to my review" in page

    response = client.post(url, _score_data(rubric, 5, 5, "Even better on a second read."))
    assert response.status_code == 302
    review.refresh_from_db()
    assert Review.objects.filter(application=application).count() == 1
    assert review.weighted_total() == Decimal("5.00")
    assert review.comment_internal == "Even better on a second read."


@pytest.mark.django_db
@pytest.mark.parametrize("value", [6, -1, "two"])
def test_a_score_out_of_range_is_refused_beside_its_field(admin_client, rubric, value):
    application = application_in(Status.IN_REVIEW)
    response = admin_client.post(
        reverse("review:score", args=[application.pk]), _score_data(rubric, value, 3)
    )
    assert response.status_code == 200
    reach_id, _ = _criteria(rubric)
    errors = response.context["score_form"].errors
    assert list(errors) == [f"criterion_{reach_id}"]
    text = _text(response)
    assert f'<ul class="errorlist" id="id_criterion_{reach_id}_error">' in text
    assert re.search(rf'name="criterion_{reach_id}"[^>]*aria-invalid="true"', text)
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_a_score_once_given_cannot_be_blanked(admin_client, program_admin, rubric):
    application = application_in(Status.IN_REVIEW)
    _score(application, program_admin, rubric, 4, 3)
    response = admin_client.post(
        reverse("review:score", args=[application.pk]), _score_data(rubric, "", 3)
    )
    assert response.status_code == 200
    assert "a score cannot be taken back" in _text(response)


@pytest.mark.django_db
def test_a_decided_application_cannot_be_scored(admin_client, rubric):
    application = application_in(Status.DECLINED)
    assert "data-score-form" not in _text(admin_client.get(_detail(application)))
    response = admin_client.post(
        reverse("review:score", args=[application.pk]), _score_data(rubric, 3, 3)
    )
    assert response.status_code == 200
    assert "An application that is declined is not open for review." in _text(response)
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_without_an_active_rubric_the_page_says_so(admin_client):
    application = application_in(Status.IN_REVIEW)
    assert "No rubric is active" in _text(admin_client.get(_detail(application)))


# --- Reviewers ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_program_admin_assigns_a_reviewer_of_the_region(admin_client):
    application = application_in(Status.SUBMITTED)
    manager = RegionReviewerFactory(region=application.region).user
    outsider = RegionReviewerFactory().user  # reviews another region: not offered
    response = admin_client.get(_detail(application))
    choices = list(response.context["assign_form"].fields["reviewer"].queryset)
    assert manager in choices and outsider not in choices

    response = admin_client.post(
        reverse("review:assign", args=[application.pk]), {"reviewer": manager.pk}
    )
    assert response.status_code == 302
    assert ReviewerAssignment.objects.filter(application=application, reviewer=manager).exists()
    text = _text(admin_client.get(_detail(application)))
    assert f"Waiting for:</strong> {manager}" in text

    response = admin_client.post(
        reverse("review:assign", args=[application.pk]), {"reviewer": outsider.pk}
    )
    assert response.status_code == 200
    assert response.context["assign_form"].errors["reviewer"]


# --- Moves --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_offers_the_moves_the_table_allows(admin_client):
    application = application_in(Status.IN_REVIEW)
    text = _text(admin_client.get(_detail(application)))
    buttons = re.findall(r'name="to_status" value="(\w+)"', text)
    assert buttons == ["interview", "reference_check"]
    submitted = application_in(Status.SUBMITTED)
    text = _text(admin_client.get(_detail(submitted)))
    assert re.findall(r'name="to_status" value="(\w+)"', text) == ["in_review"]


@pytest.mark.django_db
def test_a_reviewer_moves_an_application_with_a_note(client, regional_manager):
    application = application_in(Status.SUBMITTED)
    RegionReviewerFactory(region=application.region, user=regional_manager)
    client.force_login(regional_manager)
    response = client.post(
        reverse("review:move", args=[application.pk]),
        {"to_status": "in_review", "note": "Complete; starting review."},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    event = application.events.latest("pk")
    assert (event.from_status, event.to_status, event.actor) == (
        "submitted",
        "in_review",
        regional_manager,
    )
    assert event.note == "Complete; starting review." and event.is_internal

    client.post(
        reverse("review:move", args=[application.pk]),
        {"to_status": "interview", "note": "See you Tuesday.", "share_with_applicant": "on"},
    )
    assert application.events.latest("pk").is_internal is False


@pytest.mark.django_db
def test_a_move_the_table_refuses_is_explained(admin_client):
    application = application_in(Status.SUBMITTED)
    response = admin_client.post(
        reverse("review:move", args=[application.pk]), {"to_status": "interview"}
    )
    assert response.status_code == 200
    assert "An application that is submitted cannot move to interview." in _text(response)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


# --- Decisions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_decision_form_is_prefilled_with_the_default_email(admin_client):
    application = application_in(Status.IN_REVIEW, legal_name="Aloha Code")
    response = admin_client.get(
        reverse("review:decide", args=[application.pk]) + "?decision=declined"
    )
    form = response.context["form"]
    assert form.initial["decision"] == "declined"
    assert form.initial["email_subject"] == (
        f"Your Regional Partner application for {application.region.name}"
    )
    assert "on behalf of Aloha Code" in form.initial["email_body"]
    assert "on behalf of Aloha Code" in _text(response)
    # Every decision's email is there for review.js to swap in.
    assert 'id="decision-emails"' in response.content.decode()


@pytest.mark.django_db
def test_a_single_decision_sends_the_edited_email_and_confirms(
    admin_client, program_admin, committed
):
    application = application_in(Status.IN_REVIEW, legal_name="Aloha Code")
    url = reverse("review:decide", args=[application.pk])
    with committed():
        response = admin_client.post(
            url,
            {
                "decision": "waitlisted",
                "reason": "Region full this year.",
                "email_subject": "About {region}",
                "email_body": "Dear {organization}, you are on our list for {region}.",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("review:decided", args=[application.pk])
    application.refresh_from_db()
    assert application.status == Status.WAITLISTED
    event = application.events.latest("pk")
    assert event.note == "Region full this year." and event.is_internal
    [message] = mail.outbox
    region = application.region.name
    assert message.to == [application.applicant.email]
    assert message.subject == f"About {region}"
    assert message.body == f"Dear Aloha Code, you are on our list for {region}."

    text = _text(admin_client.get(response["Location"]))
    assert "Aloha Code: waitlisted" in text
    assert f"sent to {application.applicant.email}" in text
    assert f"Dear Aloha Code, you are on our list for {region}." in text
    assert "Region full this year." in text


@pytest.mark.django_db
def test_a_decision_without_a_reason_is_refused_beside_the_field(admin_client, committed):
    application = application_in(Status.IN_REVIEW)
    with committed():
        response = admin_client.post(
            reverse("review:decide", args=[application.pk]),
            {"decision": "declined", "reason": "", "email_subject": "S", "email_body": "B"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not mail.outbox


@pytest.mark.django_db
def test_a_decision_the_table_refuses_is_explained(admin_client, committed):
    application = application_in(Status.SUBMITTED)
    with committed():
        response = admin_client.post(
            reverse("review:decide", args=[application.pk]),
            {"decision": "accepted", "reason": "Great.", "email_subject": "S", "email_body": "B"},
        )
    assert response.status_code == 200
    assert "An application that is submitted cannot move to accepted." in _text(response)
    assert not mail.outbox and not Partner.objects.exists()


def _accept(client, application, reason="Strong plan."):
    return client.post(
        reverse("review:decide", args=[application.pk]),
        {
            "decision": "accepted",
            "reason": reason,
            "email_subject": "Welcome, {organization}",
            "email_body": "Welcome to {region}.",
        },
    )


@pytest.mark.django_db
def test_accepting_twice_via_the_page_creates_exactly_one_partner(admin_client, committed):
    application = application_in(Status.IN_REVIEW, legal_name="Twice Pressed")
    with committed():
        first = _accept(admin_client, application)
    with committed():
        second = _accept(admin_client, application)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "This application is already accepted." in _text(second)
    assert Partner.objects.filter(name="Twice Pressed").count() == 1
    subjects = [message.subject for message in mail.outbox]
    assert subjects.count("Welcome, Twice Pressed") == 1

    confirmation = _text(admin_client.get(first["Location"]))
    partner = Partner.objects.get(name="Twice Pressed")
    assert f'<a href="{partner.get_absolute_url()}">Twice Pressed</a> is created' in confirmation


@pytest.mark.django_db
def test_accepting_shows_the_partner_and_activation_makes_the_region_served(
    admin_client, committed
):
    application = application_in(Status.IN_REVIEW, legal_name="Soon Active")
    with committed():
        _accept(admin_client, application)
    application.refresh_from_db()
    region = Region.objects.get(pk=application.region_id)
    assert region.status == Region.Status.ONBOARDING
    text = _text(admin_client.get(_detail(application)))
    assert f'<a href="{application.partner.get_absolute_url()}">Soon Active</a>' in text
    assert "Mark partner active (agreement signed)" in text

    with committed():
        response = admin_client.post(reverse("review:activate", args=[application.pk]))
    assert response.status_code == 302
    region.refresh_from_db()
    assert region.status == Region.Status.SERVED
    assert Partner.objects.get(pk=application.partner_id).status == Partner.Status.ACTIVE
    text = _text(admin_client.get(_detail(application)))
    assert "Mark partner active" not in text

    # Pressing it again (an old tab) explains instead of failing.
    response = admin_client.post(reverse("review:activate", args=[application.pk]))
    assert response.status_code == 200
    assert "Only an onboarding partner can be activated; this one is active." in _text(response)


@pytest.mark.django_db
def test_accepting_for_a_region_that_has_a_partner_is_explained(admin_client, committed):
    first = application_in(Status.IN_REVIEW)
    second = application_in(Status.IN_REVIEW, region=first.region)
    with committed():
        _accept(admin_client, first)
    with committed():
        response = _accept(admin_client, second)
    assert response.status_code == 200
    assert "already has a partner; it cannot take another." in _text(response)


# --- Bulk decisions -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bulk_form_lists_the_selection_with_the_template_and_placeholders(admin_client):
    one = application_in(Status.IN_REVIEW, legal_name="One Org")
    two = application_in(Status.IN_REVIEW, legal_name="Two Org")
    response = admin_client.get(BULK + f"?ids={one.pk}&ids={two.pk}&decision=declined")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["email_subject"] == "Your Regional Partner application for {region}"
    assert "on behalf of {organization}" in form.initial["email_body"]
    text = _text(response)
    assert "One Org" in text and "Two Org" in text
    assert "<code>{organization}</code>" in text and "<code>{region}</code>" in text


@pytest.mark.django_db
def test_bulk_decisions_report_each_application_and_one_failure_stops_only_itself(
    admin_client, committed
):
    one = application_in(Status.IN_REVIEW, legal_name="One Org")
    two = application_in(Status.INTERVIEW, legal_name="Two Org")
    stuck = application_in(Status.DECLINED, legal_name="Already Declined")
    with committed():
        response = admin_client.post(
            BULK,
            {
                "ids": [one.pk, stuck.pk, two.pk],
                "decision": "accepted",
                "reason": "Strong round.",
                "email_subject": "Welcome, {organization}",
                "email_body": "{organization} now serves {region}.",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("review:decided_bulk")
    for application, status in ((one, "accepted"), (two, "accepted"), (stuck, "declined")):
        application.refresh_from_db()
        assert application.status == status
    assert sorted(message.subject for message in mail.outbox if "Welcome" in message.subject) == [
        "Welcome, One Org",
        "Welcome, Two Org",
    ]
    body = next(m.body for m in mail.outbox if m.subject == "Welcome, One Org")
    assert body == f"One Org now serves {one.region.name}."

    results = admin_client.get(response["Location"])
    rows = [(r["id"], r["ok"], r["error"]) for r in results.context["results"]]
    assert rows == [
        (one.pk, True, ""),
        (stuck.pk, False, "An application that is declined cannot move to accepted."),
        (two.pk, True, ""),
    ]
    text = _text(results)
    assert "2 of 3 applications are accepted" in text
    assert "An application that is declined cannot move to accepted." in text
    assert f'<a href="{one.partner.get_absolute_url()}">One Org</a>' in text


@pytest.mark.django_db
def test_bulk_with_an_id_out_of_scope_is_not_found(client, program_admin):
    application = application_in(Status.IN_REVIEW)
    draft = application_in(Status.DRAFT)
    client.force_login(program_admin)
    assert client.get(BULK + f"?ids={application.pk}&ids={draft.pk}").status_code == 404
    assert client.get(BULK + f"?ids={application.pk}&ids=999999").status_code == 404
    assert client.get(BULK + "?ids=abc").status_code == 404
    assert client.get(BULK + "?ids=99999999999999999999").status_code == 404  # was a 500
    response = client.post(
        BULK,
        {
            "ids": [application.pk, 999999],
            "decision": "declined",
            "reason": "r",
            "email_subject": "s",
            "email_body": "b",
        },
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


@pytest.mark.django_db
def test_bulk_without_a_selection_goes_back_to_the_queue(admin_client):
    response = admin_client.get(BULK + "?decision=accepted")
    assert response.status_code == 302 and response["Location"] == QUEUE


@pytest.mark.django_db
def test_the_queue_offers_checkboxes_to_program_admins(admin_client):
    application = application_in(Status.IN_REVIEW)
    text = admin_client.get(QUEUE).content.decode()
    assert f'name="ids" value="{application.pk}" form="bulk-form"' in text
    assert f'action="{BULK}"' in text


@pytest.mark.django_db
def test_a_decision_is_not_a_move(admin_client):
    application = application_in(Status.IN_REVIEW)
    response = admin_client.post(
        reverse("review:move", args=[application.pk]), {"to_status": "accepted"}
    )
    assert response.status_code == 200
    assert "Choose one of the moves below." in _text(response)
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


@pytest.mark.django_db
def test_without_javascript_the_email_of_another_decision_is_loaded_keeping_the_reason(
    admin_client,
):
    application = application_in(Status.IN_REVIEW, legal_name="Aloha Code")
    response = admin_client.post(
        reverse("review:decide", args=[application.pk]),
        {
            "decision": "waitlisted",
            "reason": "Full this year.",
            "email_subject": "the accept subject",
            "email_body": "the accept body",
            "load_email": "1",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial["reason"] == "Full this year."
    assert form.initial["email_subject"].endswith(": waitlist")
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
