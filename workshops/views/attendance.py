"""Attendance pages: the session checklist, self check-in, certificates and their public
verification, teaching reports, and a facilitator's workshops.

Scope: the checklist is for the workshop's facilitators, the partner's program managers and
program admins (a regional manager of the partner reads it); anyone else gets 404, as for a
missing workshop. Check-in and certificates are the signed-in teacher's own.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_ratelimit.decorators import ratelimit

from accounts.models import Role

from ..attendance import (
    TAKES_ATTENDANCE,
    attendance_check_in,
    attendance_mark,
    attendance_workshops,
    can_mark_attendance,
    check_in_is_open,
    check_in_session,
    checklist_is_open,
    checklist_window,
    facilitated_workshops,
    session_checklist,
    session_for_now,
)
from ..certificates import certificate_by_code, certificate_for, certificate_pdf
from ..forms_attendance import (
    CheckInForm,
    ChecklistForm,
    EditReportForm,
    SessionChoiceForm,
    TeachingReportForm,
)
from ..models import Attendance, Enrollment, TeachingReport, WorkshopState
from ..teaching import URM_HELP, teaching_report_save, teaching_reports_of

CHECK_IN_RATE = "10/10m"


def _add_errors(form, error: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form, next to the field it names."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.error_dict.items():
        name = fields.get(key, key)
        for message in errors:
            form.add_error(name if name in form.fields else None, message.messages)


def _wall_clock(moment, workshop) -> str:
    """ "Jul 13, 8:30 AM HST": in the workshop's zone, named by its abbreviation."""
    local = moment.astimezone(workshop.zone)
    return f"{date_format(local, 'N j, g:i A')} {local.tzname()}"


def _session_label(session) -> str:
    return f"{date_format(session.date, 'D, N j')}, {date_format(session.start_time, 'g:i A')}"


@login_required
def attendance(request, pk: int):
    """The phone-friendly checklist of one session (?session=<id>; the current one by
    default). Works without JavaScript: "Mark all present" is a submit button."""
    workshop = get_object_or_404(
        attendance_workshops(request.user).select_related("partner", "course", "kind"), pk=pk
    )
    sessions = list(workshop.sessions.all())
    for session in sessions:
        session.workshop = workshop  # their times need its zone; no query per session
    can_mark = can_mark_attendance(workshop, request.user)
    data = request.POST if request.method == "POST" else request.GET
    session = SessionChoiceForm(data, sessions=sessions).chosen()
    if request.method == "POST" and session is None:
        # Never save a checklist onto a session other than the one it was ticked for.
        messages.error(request, "That session is not part of this workshop; nothing was saved.")
        return redirect("workshops:attendance", pk=workshop.pk)
    session = session or session_for_now(sessions)
    if session is None:
        return render(
            request,
            "workshops/attendance/checklist.html",
            {"workshop": workshop, "sessions": [], "can_mark": can_mark},
        )
    rows = session_checklist(session)
    form = ChecklistForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            changed = attendance_mark(
                session=session, user=request.user, enrollment_ids=form.enrollment_ids()
            )
        except ValidationError as error:
            _add_errors(form, error, {"enrollment_ids": "present"})
        else:
            present = len(form.enrollment_ids())
            messages.success(
                request,
                f"Attendance saved for {_session_label(session)}: {present} present "
                f"({changed} change{'' if changed == 1 else 's'}).",
            )
            url = reverse("workshops:attendance", kwargs={"pk": workshop.pk})
            return redirect(f"{url}?session={session.pk}")
    opens, closes = checklist_window(session)
    return render(
        request,
        "workshops/attendance/checklist.html",
        {
            "workshop": workshop,
            "sessions": [(s, _session_label(s)) for s in sessions],
            "session": session,
            "session_label": _session_label(session),
            "rows": rows,
            "ticked": form.ticked(),
            "form": form,
            "can_mark": can_mark,
            "is_open": checklist_is_open(session, request.user),
            # Formatted here: the template's date filter would show the site's zone.
            "opens_text": _wall_clock(opens, workshop),
            "closes_text": _wall_clock(closes, workshop),
            "zone_abbr": session.starts_at.tzname(),
            "present": sum(1 for row in rows if row.attended),
        },
    )


@login_required
@ratelimit(key="user", rate=CHECK_IN_RATE, method="POST", block=False)
def check_in(request, pk: int):
    """A teacher enrolled in the workshop checks in with the code announced at the session."""
    enrollment = get_object_or_404(
        Enrollment.objects.enrolled().select_related(
            "workshop__partner", "workshop__course", "workshop__kind"
        ),
        workshop_id=pk,
        teacher=request.user,
        workshop__state__in=TAKES_ATTENDANCE,
    )
    workshop = enrollment.workshop
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        session = check_in_session(workshop, code)
        if getattr(request, "limited", False):
            form.add_error(
                "code", "You have tried several codes in a short time. Wait ten minutes."
            )
        elif session is None:
            form.add_error("code", "This workshop has no sessions to check in to.")
        else:
            try:
                attendance_check_in(session=session, user=request.user, code=code)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, f"You are checked in for the session of {_session_label(session)}."
                )
                return redirect("workshops:check_in", pk=workshop.pk)
    sessions = list(workshop.sessions.all())
    attended = set(
        Attendance.objects.filter(enrollment=enrollment).values_list("session_id", flat=True)
    )
    for session in sessions:
        session.workshop = workshop
    return render(
        request,
        "workshops/attendance/check_in.html",
        {
            "workshop": workshop,
            "form": form,
            "sessions": [
                {
                    "label": _session_label(s),
                    "ends": s.end_time,
                    "zone_abbr": s.starts_at.tzname(),
                    "attended": s.pk in attended,
                    "open": check_in_is_open(s),
                }
                for s in sessions
            ],
            "any_open": any(check_in_is_open(s) for s in sessions),
            "zone": workshop.time_zone,
        },
    )


@login_required
def certificate(request, pk: int):
    """The signed-in teacher's certificate for the workshop; 404 if they attended nothing."""
    found = certificate_for(workshop=pk, teacher=request.user)
    if found is None:
        raise Http404("You have no certificate for this workshop.")
    response = HttpResponse(certificate_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-workshop-{pk}.pdf"'
    return response


def verify(request, code):
    """Public: is a certificate genuine? Shows the name, workshop, hours, dates and partner,
    never contact details."""
    found = certificate_by_code(code)
    response = render(
        request,
        "workshops/attendance/verify.html",
        {"certificate": found},
        status=200 if found else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def teaching_report(request):
    """A teacher's reports of what they teach, by program year, and the form to add or edit
    one (?edit=<id> loads a report; saving the same course and year updates it)."""
    user = request.user
    if user.role != Role.TEACHER:
        raise Http404("Teaching reports are for teachers.")
    initial = None
    editing = None
    chooser = EditReportForm(request.GET)
    if chooser.is_valid() and chooser.cleaned_data["edit"]:
        editing = get_object_or_404(
            TeachingReport.objects.filter(teacher=user), pk=chooser.cleaned_data["edit"]
        )
        initial = TeachingReportForm.initial_from(editing)
    form = TeachingReportForm(request.POST or None, teacher=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = teaching_report_save(teacher=user, **form.service_kwargs())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, f"Your report for {report.course} in {report.program_year} is saved."
            )
            return redirect("workshops:teaching_report")
    reports = list(teaching_reports_of(user))
    return render(
        request,
        "workshops/attendance/teaching.html",
        {
            "form": form,
            "editing": editing,
            "years": [
                (year, list(items)) for year, items in groupby(reports, lambda r: r.program_year)
            ],
            "urm_help": URM_HELP,
        },
    )


@login_required
def facilitating(request):
    """The workshops the signed-in person is assigned to facilitate, upcoming then past."""
    today = timezone.localdate()
    workshops = list(facilitated_workshops(request.user))
    upcoming = [w for w in workshops if w.last_day is None or w.last_day >= today]
    past = [w for w in reversed(workshops) if w.last_day is not None and w.last_day < today]
    return render(
        request,
        "workshops/attendance/facilitating.html",
        {
            "upcoming": upcoming,
            "past": past,
            "public_states": {
                WorkshopState.PUBLISHED,
                WorkshopState.IN_PROGRESS,
                WorkshopState.ENDED,
            },
        },
    )
