"""Forms of the attendance pages: the session checklist, self check-in, teaching reports."""

import datetime

from django import forms
from django.utils import timezone

from core.program_years import program_year_for, program_year_label, program_year_start
from districts.models import School

from .attendance import ChecklistRow
from .models import Course, TeachingReport, Workshop, WorkshopSession
from .teaching import URM_HELP, workshops_attended_by


class SessionChoiceForm(forms.Form):
    """Which session's checklist to show (?session=<id>); a bad id falls back to the default."""

    session = forms.TypedChoiceField(coerce=int, required=False)

    def __init__(self, *args, sessions: list[WorkshopSession], **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = {s.pk: s for s in sessions}
        self.fields["session"].choices = [(s.pk, str(s.pk)) for s in sessions]

    def chosen(self) -> WorkshopSession | None:
        if self.is_valid() and self.cleaned_data["session"]:
            return self.sessions[self.cleaned_data["session"]]
        return None


class ChecklistForm(forms.Form):
    """Tick who is present. "Mark all present" submits every enrolled teacher."""

    present = forms.TypedMultipleChoiceField(
        label="Present",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick everyone who is here; teachers left unticked are recorded as absent.",
    )

    def __init__(self, *args, rows: list[ChecklistRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["present"].choices = [
            (row.enrollment.pk, str(row.enrollment.teacher)) for row in rows
        ]
        if not self.is_bound:
            self.initial["present"] = [row.enrollment.pk for row in rows if row.attended]

    def enrollment_ids(self) -> list[int]:
        if self.data.get("mark_all"):
            return [row.enrollment.pk for row in self.rows]
        return list(self.cleaned_data["present"])

    def ticked(self) -> set[int]:
        """What the boxes show: the saved attendance, or what was just submitted."""
        if self.is_bound:
            return {int(v) for v in self.data.getlist("present") if str(v).isdigit()}
        return set(self.initial["present"])


class CheckInForm(forms.Form):
    code = forms.CharField(
        label="Session code",
        max_length=20,
        help_text="The code your facilitator announces at the session (letters and digits).",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )


def _program_years(today: datetime.date) -> list[tuple[str, str]]:
    current = program_year_start(program_year_for(today))
    return [
        (program_year_label(current), f"{program_year_label(current)} (this year)"),
        (program_year_label(current - 1), f"{program_year_label(current - 1)} (last year)"),
    ]


OTHER_SCHOOL = "other"


class TeachingReportForm(forms.Form):
    """What a teacher teaches in one course and program year."""

    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_active=True), empty_label="Choose a course"
    )
    program_year = forms.ChoiceField(label="Program year", help_text="July to June.")
    workshop = forms.ModelChoiceField(
        queryset=Workshop.objects.none(),
        required=False,
        empty_label="None of these",
        label="The workshop that prepared you",
        help_text="Optional; a workshop of this course that you attended.",
    )
    school = forms.ChoiceField(label="School", help_text="Where you teach this course.")
    school_name = forms.CharField(
        label="School name, if not listed",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    sections = forms.IntegerField(
        label="Class sections",
        min_value=1,
        max_value=100,
        help_text="How many classes (sections) of this course you teach this year.",
    )
    students = forms.IntegerField(
        label="Students", min_value=1, max_value=5000, help_text="In all those sections together."
    )
    female_students = forms.IntegerField(
        label="Female students", min_value=0, help_text="Of those students."
    )
    urm_students = forms.IntegerField(
        label="Students from under-represented groups",
        min_value=0,
        help_text=f"Of those students. {URM_HELP}",
    )

    def __init__(self, *args, teacher, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        years = _program_years(today)
        # Editing an older report keeps its year (only the last two can be added).
        editing_year = (self.initial or {}).get("program_year")
        if editing_year and editing_year not in dict(years):
            years.append((editing_year, editing_year))
        self.fields["program_year"].choices = years
        self.fields["program_year"].initial = program_year_for(today)
        self.fields["workshop"].queryset = (
            workshops_attended_by(teacher)
            .select_related("course", "kind")
            .order_by("-program_year", "pk")
        )
        self.fields["workshop"].label_from_instance = lambda w: (
            f"{w.display_title} ({w.program_year})"
        )
        schools = {}
        if teacher.school_id:
            schools[teacher.school_id] = teacher.school.name
        for enrollment in teacher.enrollments.filter(school__isnull=False).select_related("school"):
            schools.setdefault(enrollment.school_id, enrollment.school.name)
        self.schools = schools
        self.fields["school"].choices = [(str(pk), name) for pk, name in schools.items()] + [
            (OTHER_SCHOOL, "My school is not listed")
        ]
        self.fields["school"].initial = (
            str(teacher.school_id) if teacher.school_id else OTHER_SCHOOL
        )

    @classmethod
    def initial_from(cls, report: TeachingReport) -> dict:
        return {
            "course": report.course_id,
            "program_year": report.program_year,
            "workshop": report.workshop_id,
            "school": str(report.school_id) if report.school_id else OTHER_SCHOOL,
            "school_name": report.school_name,
            "sections": report.sections,
            "students": report.students,
            "female_students": report.female_students,
            "urm_students": report.urm_students,
        }

    def clean(self):
        data = super().clean()
        chosen = data.get("school")
        data["school_obj"] = None
        if chosen == OTHER_SCHOOL:
            if not (data.get("school_name") or "").strip():
                self.add_error("school_name", "Name your school, or choose it from the list.")
        elif chosen:
            data["school_obj"] = School.objects.filter(pk=int(chosen)).first()
            if data["school_obj"] is None:
                self.add_error("school", "That school is no longer listed; choose another.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        school = data["school_obj"]
        return {
            "program_year": data["program_year"],
            "course": data["course"],
            "workshop": data["workshop"],
            "school": school,
            "school_name": data["school_name"] if school is None else "",
            "sections": data["sections"],
            "students": data["students"],
            "female_students": data["female_students"],
            "urm_students": data["urm_students"],
        }


class EditReportForm(forms.Form):
    """?edit=<report id> on the teaching page."""

    edit = forms.IntegerField(required=False, min_value=1)
