"""seed_demo --activity: the partners' history at volume (here at the smallest level, 2)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum

import geography.loader
from accounts.models import Role, User
from metrics.models import Target
from partners.demo import demo_seed
from partners.models import Partner
from surveys.models import SurveyAnswer, SurveyResponse
from workshops.demo_volume import TEACHER_DOMAIN, WORKSHOPS_PER_ACTIVITY
from workshops.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    TeachingReport,
    Workshop,
    WorkshopSession,
)

pytestmark = pytest.mark.django_db

STATES = ["OR", "WA", "ID", "NV", "CT", "RI"]


@pytest.fixture
def geo():
    geography.loader.load_geography(states=STATES)


def history() -> dict:
    """The rows the activity step wrote (its teachers' and their workshops'), in detail."""
    teachers = User.objects.filter(email__endswith=f"@{TEACHER_DOMAIN}")
    enrollments = Enrollment.objects.filter(teacher__in=teachers)
    return {
        "teachers": sorted(teachers.values_list("email", "school__name")),
        "workshops": sorted(
            Workshop.objects.filter(enrollments__in=enrollments)
            .distinct()
            .values_list("partner__name", "course__name", "kind__name", "program_year", "capacity")
        ),
        "enrollments": sorted(
            enrollments.values_list("teacher__email", "status", "certificate_code")
        ),
        "attendance": Attendance.objects.filter(enrollment__in=enrollments).count(),
        "reports": sorted(
            TeachingReport.objects.filter(teacher__in=teachers).values_list(
                "teacher__email", "program_year", "students", "female_students", "urm_students"
            )
        ),
        "answers": sorted(
            SurveyAnswer.objects.filter(response__enrollment__in=enrollments).values_list(
                "response__enrollment__teacher__email", "question__key", "rating", "text"
            )
        ),
        "targets": sorted(
            Target.objects.values_list("partner__name", "program_year", "metric", "value")
        ),
    }


def test_activity_adds_years_of_history_to_each_active_partner(geo):
    ticks: list[int] = []
    totals: list[int] = []
    report = demo_seed(activity=2, progress=ticks.append, on_total=totals.append)
    active = Partner.objects.filter(is_demo=True, status=Partner.Status.ACTIVE)
    assert report.operations["workshops (history)"] == WORKSHOPS_PER_ACTIVITY * active.count()
    teachers = User.objects.filter(email__endswith=f"@{TEACHER_DOMAIN}")
    assert teachers.exists()
    assert set(teachers.values_list("role", "is_demo").distinct()) == {(Role.TEACHER, True)}
    # One password hash for all of them, which is the demo password.
    assert teachers.values("password").distinct().count() == 1
    assert teachers.first().check_password("partnerhub-demo")
    assert teachers.filter(school__isnull=False).count() == teachers.count()

    theirs = Enrollment.objects.filter(teacher__in=teachers)
    years = set(theirs.values_list("workshop__program_year", flat=True))
    assert len(years) >= 3  # the history reaches back over several program years
    # Teachers come back: some enroll in more than one workshop.
    assert theirs.values("teacher").annotate(n=Count("pk")).filter(n__gt=1).exists()
    ended = theirs.filter(workshop__state="ended", status=EnrollmentStatus.ENROLLED)
    attended = ended.filter(attendances__isnull=False).distinct().count()
    assert 0.8 * ended.count() <= attended < ended.count()
    # Attendance is per session, only at the enrollment's own workshop's sessions.
    assert (
        not Attendance.objects.filter(enrollment__in=theirs)
        .exclude(session__workshop=F("enrollment__workshop"))
        .exists()
    )
    assert SurveyResponse.objects.filter(enrollment__in=theirs).exists()
    reports = TeachingReport.objects.filter(teacher__in=teachers)
    assert reports.exists()
    assert not reports.filter(school__isnull=True).exists()
    sums = reports.aggregate(s=Sum("students"), f=Sum("female_students"), u=Sum("urm_students"))
    assert 0 < sums["f"] < sums["s"] and 0 < sums["u"] < sums["s"]
    # Upcoming workshops have enrollments but no attendance yet.
    upcoming = WorkshopSession.objects.filter(workshop__enrollments__in=theirs).exclude(
        workshop__state="ended"
    )
    assert not Attendance.objects.filter(session__in=upcoming).exists()

    # Targets near the year before's actuals, for this program year and the last.
    targets = Target.objects.all()
    assert targets.values("program_year").distinct().count() == 2
    assert set(targets.values_list("partner", flat=True)) <= set(
        active.values_list("pk", flat=True)
    )
    assert not targets.filter(value__lt=0).exists()

    # The progress bar: its last total is the rows written; the first was an estimate.
    assert totals[-1] == sum(ticks)
    assert sum(ticks) / 2 < totals[0] < sum(ticks) * 2
    # What the history step says it wrote is what is in the database.
    mine = {"teacher__email__endswith": f"@{TEACHER_DOMAIN}"}
    assert report.operations["teachers (history)"] == teachers.count()
    assert report.operations["enrollments (history)"] == Enrollment.objects.filter(**mine).count()
    assert report.operations["teaching reports (history)"] == reports.count()
    assert report.operations["attendance (history)"] == (
        Attendance.objects.filter(enrollment__in=theirs).count()
    )
    assert report.operations["survey answers (history)"] == (
        SurveyAnswer.objects.filter(response__enrollment__in=theirs).count()
    )


def test_activity_is_deterministic_and_reset_replaces_it(geo):
    demo_seed(activity=2)
    first = history()
    assert first["enrollments"] and first["answers"] and first["targets"]
    report = demo_seed(reset=True, activity=2)
    assert report.deleted > len(first["enrollments"])
    assert history() == first


def test_command_takes_activity(geo):
    out = StringIO()
    call_command("seed_demo", "--activity", "2", verbosity=0, stdout=out)
    assert "rows of enrollments (history)" in out.getvalue()
    assert "rows of metric targets" in out.getvalue()


def test_command_refuses_activity_below_one(geo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--activity"):
        call_command("seed_demo", "--activity", "0", verbosity=0, stdout=StringIO())
