"""Teaching (implementation) reports: what a teacher teaches after a workshop.

One report per teacher, program year and course: the class sections, the students, and how
many of them are female and from under-represented groups (as `districts.models` defines
them). The metrics count students reached, implementation and diversity from these rows.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Role
from core.audit import audited
from districts.models import School

from .models import Attendance, Course, TeachingReport, Workshop

URM_HELP = (
    "Students who are Black or African American, Hispanic/Latino, American Indian or Alaska "
    "Native, Native Hawaiian or Other Pacific Islander, or of two or more races: every "
    "race/ethnicity category but White and Asian, as the federal school data counts them."
)


def _is_teacher(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.TEACHER)


def workshops_attended_by(teacher) -> QuerySet[Workshop]:
    """The workshops a teacher attended (recorded at one session or more), the ones a
    teaching report may name. Not the ones they only enrolled in, cancelled or that have not
    begun: those did not prepare them. (Attended and cancelled later still counts.)"""
    attended = Attendance.objects.filter(
        enrollment__workshop=OuterRef("pk"), enrollment__teacher=teacher
    )
    return Workshop.objects.filter(Exists(attended))


def teaching_report_save(
    *,
    teacher,
    program_year: str,
    course: Course,
    workshop: Workshop | None = None,
    school: School | None = None,
    school_name: str = "",
    sections: int,
    students: int,
    female_students: int,
    urm_students: int,
) -> TeachingReport:
    """Create or update the teacher's report for `program_year` and `course` (one row each).

    Teachers only (else PermissionDenied). Female and under-represented students are counted
    among the students, so neither can exceed them; a workshop named must be one of the
    course's that the teacher attended (`workshops_attended_by`). Refusals are
    ValidationErrors keyed by field.
    """
    if not _is_teacher(teacher):
        raise PermissionDenied("Only teachers report what they teach.")
    errors: dict[str, str] = {}
    if students is not None:
        if female_students is not None and female_students > students:
            errors["female_students"] = (
                f"More female students than students ({students}): count them among them."
            )
        if urm_students is not None and urm_students > students:
            errors["urm_students"] = (
                f"More students from under-represented groups than students ({students})."
            )
    if workshop is not None and (
        workshop.course_id != course.pk
        or not workshops_attended_by(teacher).filter(pk=workshop.pk).exists()
    ):
        errors["workshop"] = "Choose a workshop of this course that you attended, or none."
    if errors:
        raise ValidationError(errors)
    values = {
        "workshop": workshop,
        "school": school,
        "school_name": "" if school is not None else (school_name or "").strip(),
        "sections": sections,
        "students": students,
        "female_students": female_students,
        "urm_students": urm_students,
    }
    with transaction.atomic(), audited(teacher, label="teaching-report"):
        report = (
            TeachingReport.objects.select_for_update()
            .filter(teacher=teacher, program_year=program_year, course=course)
            .first()
        )
        if report is None:
            report = TeachingReport(teacher=teacher, program_year=program_year, course=course)
        for field, value in values.items():
            setattr(report, field, value)
        report.full_clean()
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # Two saves of a first report at once: the other one won; say so, keep the typing.
            raise ValidationError(
                {"course": "A report for this course and year was just saved. Save again."}
            ) from None
    return report


def teaching_reports_of(teacher) -> QuerySet[TeachingReport]:
    """A teacher's reports, newest program year first."""
    return (
        TeachingReport.objects.filter(teacher=teacher)
        .select_related("course", "workshop", "school", "workshop__course", "workshop__kind")
        .order_by("-program_year", "course__order", "course__name")
    )
