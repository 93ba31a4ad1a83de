"""Demo applications, made by the demo seed: something to show on every application page."""

from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import geography.loader
from accounts.models import Role, User
from applications.demo import APPLICATIONS_PER_SCALE, RUBRIC_NAME, mail_suppressed
from applications.models import (
    Application,
    ApplicationEvent,
    ApplicationRound,
    RegionReviewer,
    RegionWindow,
    Review,
    Rubric,
    Status,
)
from applications.selectors import (
    application_completeness,
    applications_reviewable_by,
    region_is_open_for_applications,
    regions_reviewed_by,
    review_summaries,
)
from applications.services import application_decide
from applications.tests.factories import ApplicationFactory, CriterionFactory
from funding.models import FundingAward
from geography.models import Region
from geography.tests.factories import RegionFactory
from partners.demo import DemoSeedError, demo_seed
from partners.models import Partner

# Small states only, but enough of them for three open regions (the fixed regional manager
# reviews three): the demo supports whatever states are loaded.
STATES = ["RI", "DE", "DC", "CT", "VT", "NH", "ME", "HI", "AK", "WY", "MT", "ND", "SD", "ID"]
STATES += ["NV", "UT", "NM", "NE", "KS"]
REVIEW_STAGES = {Status.IN_REVIEW, Status.INTERVIEW, Status.REFERENCE_CHECK}

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo():
    geography.loader.load_geography(states=STATES)


@pytest.fixture
def seeded(geo):
    report = demo_seed()
    assert report.created
    return report


def demo_applications():
    return Application.objects.filter(applicant__is_demo=True)


def counts() -> dict[str, object]:
    return {
        "applications": Counter(demo_applications().values_list("status", flat=True)),
        "events": ApplicationEvent.objects.count(),
        "reviews": Review.objects.count(),
        "rounds": ApplicationRound.objects.count(),
        "windows": RegionWindow.objects.count(),
        "reviewers": RegionReviewer.objects.count(),
        "rubrics": Rubric.objects.count(),
    }


def snapshot() -> list[tuple]:
    return sorted(
        demo_applications().values_list(
            "applicant__email", "legal_name", "region__name", "status", "tax_id", "teachers_year1"
        )
    )


def test_applicant_login_has_a_half_filled_draft_to_continue(seeded, client):
    applicant = User.objects.get(email="applicant@demo.test")
    (draft,) = Application.objects.filter(applicant=applicant)
    assert draft.status == Status.DRAFT
    assert region_is_open_for_applications(draft.region)
    missing = {problem.field for problem in application_completeness(draft)}
    assert "legal_name" not in missing and "program_managers" not in missing
    assert {"references", "accepts_terms", "teachers_year1"} <= missing

    client.force_login(applicant)
    response = client.get(reverse("pages:apply"))
    assert "Continue your application" in response.content.decode()


def test_statuses_are_varied_and_none_is_accepted(seeded):
    statuses = Counter(demo_applications().values_list("status", flat=True))
    assert sum(statuses.values()) == APPLICATIONS_PER_SCALE
    assert set(statuses) == set(Status.values) - {Status.ACCEPTED}
    assert seeded.applications == dict(statuses)
    # Only open demo regions, and none changed: no partner was created.
    assert not demo_applications().exclude(region__status=Region.Status.OPEN).exists()
    assert not Partner.objects.filter(is_demo=False).exists()
    assert "12 partner applications" in seeded.message


def test_queue_has_reviewed_applications_with_real_timelines(seeded, client):
    in_review = demo_applications().filter(status__in=REVIEW_STAGES)
    summaries = review_summaries(list(in_review))
    for application in in_review:
        assert 1 <= summaries[application.pk].count <= 3, application
        assert summaries[application.pk].mean is not None
        for review in application.reviews.select_related("reviewer"):
            assert review.reviewer.is_demo
            assert review.reviewer.role in (Role.REGIONAL_MANAGER, Role.PROGRAM_ADMIN)
    assert not Review.objects.filter(application__status=Status.SUBMITTED).exists()

    now = timezone.now()
    for application in demo_applications().exclude(status=Status.DRAFT):
        events = list(application.events.order_by("at", "pk"))
        moves = [(e.from_status, e.to_status) for e in events]
        assert moves[:2] == [("", Status.DRAFT), (Status.DRAFT, Status.SUBMITTED)]
        assert moves[-1][1] == application.status
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[-1].at < now
        assert application.submitted_at == events[1].at
        assert application.created_at == events[0].at
        assert application.term_sheet_id is not None

    client.force_login(User.objects.get(email="admin@demo.test"))
    page = client.get(reverse("review:queue")).content.decode()
    for application in demo_applications().filter(status__in=[Status.SUBMITTED, Status.IN_REVIEW]):
        assert application.legal_name in page


def test_regional_manager_reviews_three_open_regions_and_sees_only_theirs(seeded):
    open_regions = Region.objects.filter(is_demo=True, status=Region.Status.OPEN)
    assert open_regions.count() >= 3
    for region in open_regions:
        assert region_is_open_for_applications(region)
        assert RegionReviewer.objects.filter(region=region).exists()
    assert not RegionReviewer.objects.exclude(region__in=open_regions).exists()
    assert not RegionReviewer.objects.exclude(user__role=Role.REGIONAL_MANAGER).exists()

    manager = User.objects.get(email="regional-manager@demo.test")
    mine = set(regions_reviewed_by(manager))
    assert len(mine) >= 3
    visible = set(applications_reviewable_by(manager))
    assert visible
    assert visible == set(Application.objects.filter(region__in=mine))
    assert set(Application.objects.exclude(region__in=mine)).isdisjoint(visible)


def test_one_active_rubric_with_weighted_criteria(seeded):
    (rubric,) = Rubric.objects.all()
    assert rubric.is_active and rubric.name == RUBRIC_NAME
    criteria = list(rubric.criteria.all())
    assert 4 <= len(criteria) <= 5
    assert all(c.description and c.weight > 0 for c in criteria)
    assert len({c.weight for c in criteria}) > 1


def test_an_active_rubric_is_reused(geo):
    criterion = CriterionFactory(rubric__name="Our own rubric")
    report = demo_seed()
    assert list(Rubric.objects.all()) == [criterion.rubric]
    assert set(Review.objects.values_list("rubric", flat=True)) == {criterion.rubric.pk}
    assert any("Our own rubric" in note for note in report.notes)


def test_seeding_sends_no_email(geo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_seed()
    assert demo_applications().exclude(submitted_at=None).exists()  # emails were due
    assert len(mail.outbox) == 0
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_mail_suppressed_drops_only_the_blocks_emails(django_capture_on_commit_callbacks):
    ran = []
    # Inside the test's transaction, as when a caller's transaction wraps the seeding.
    with django_capture_on_commit_callbacks(execute=True):
        transaction.on_commit(EmailMessage("before", "b", to=["a@example.org"]).send)
        with mail_suppressed():
            EmailMessage("now", "b", to=["a@example.org"]).send()
            transaction.on_commit(EmailMessage("inside", "b", to=["a@example.org"]).send)
            transaction.on_commit(lambda: ran.append(True))
        transaction.on_commit(EmailMessage("after", "b", to=["a@example.org"]).send)
    assert [m.subject for m in mail.outbox] == ["before", "after"]
    assert ran == [True]


def test_reset_twice_is_deterministic_and_keeps_other_applications(geo):
    real_region = RegionFactory(name="Somewhere real")
    real = ApplicationFactory(complete=False, region=real_region)
    now = timezone.now()
    real_round = ApplicationRound.objects.create(
        name="Spring round", opens_at=now, closes_at=now + timedelta(days=9)
    )
    demo_seed()
    first, first_counts = snapshot(), counts()
    for _ in range(2):
        report = demo_seed(reset=True)
        assert report.created and report.deleted > 0
        assert snapshot() == first
        assert counts() == first_counts
    real.refresh_from_db()
    assert real.status == Status.DRAFT and real.region == real_region
    assert Application.objects.filter(applicant__is_demo=False).count() == 1
    assert ApplicationRound.objects.filter(pk=real_round.pk).exists()
    assert ApplicationRound.objects.filter(name__startswith="Demo round ").count() == 1


def test_reset_removes_what_accepting_a_demo_application_made(seeded):
    admin = User.objects.get(email="admin@demo.test")
    application = demo_applications().filter(status=Status.IN_REVIEW).first()
    partner = application_decide(
        application=application, user=admin, decision=Status.ACCEPTED, reason="Strong."
    )
    assert FundingAward.objects.filter(partner=partner).exists()
    real_partner = Partner.objects.create(name="Real Org", organization_type="nonprofit")

    demo_seed(reset=True)
    assert not Partner.objects.filter(pk=partner.pk).exists()
    # The award accepting made went with its partner; the reseeded demo has its own.
    assert not FundingAward.objects.filter(partner_id=partner.pk).exists()
    assert not FundingAward.objects.filter(partner__is_demo=False).exists()
    assert list(Partner.objects.filter(is_demo=False)) == [real_partner]
    assert Counter(demo_applications().values_list("status", flat=True))[Status.ACCEPTED] == 0


def test_reset_refuses_to_delete_someone_elses_application(seeded):
    region = Region.objects.filter(is_demo=True, status=Region.Status.OPEN).first()
    ApplicationFactory(complete=False, region=region)
    before = counts()
    with pytest.raises(DemoSeedError, match="not demo users"):
        demo_seed(reset=True)
    assert counts() == before
