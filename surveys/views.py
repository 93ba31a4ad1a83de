"""Survey pages: a teacher's response form, the results (scoped to the reader), and the
program admins' question list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from workshops.models import Enrollment, Workshop

from . import services
from .filters import ResultsFilterSet
from .forms import SurveyQuestionForm, SurveyResponseForm
from .models import LIKERT_LABELS, SurveyQuestion, SurveyResponse
from .selectors import (
    RATINGS,
    Group,
    SurveyState,
    free_text_answers,
    may_manage_questions,
    may_see_results,
    results_summary,
    results_visible_to,
    results_workshops_visible_to,
    survey_questions_for,
    survey_state,
)

ROWS_PER_PAGE = 50
CHART_ROWS = 30  # more bars than this are unreadable; the table has every row


# --- Responding ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def respond(request, enrollment_pk: int):
    """The survey of one enrollment: only its teacher (anyone else: 404)."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("workshop__course", "workshop__kind"),
        pk=enrollment_pk,
        teacher=request.user,
    )
    state = survey_state(enrollment)
    workshop = enrollment.workshop
    if state != SurveyState.OPEN:
        if request.method == "POST":
            # A double submit, or a form left open until the survey closed: say why.
            messages.info(request, services.STATE_MESSAGES[state])
            return redirect("surveys:respond", enrollment_pk=enrollment.pk)
        return render(
            request,
            "surveys/respond_closed.html",
            {
                "workshop": workshop,
                "state": state.value,
                "message": services.STATE_MESSAGES[state],
            },
        )
    questions = survey_questions_for(workshop.course)
    form = SurveyResponseForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_response_submit(
                enrollment=enrollment, user=request.user, answers=form.answers()
            )
        except ValidationError as error:
            if getattr(error, "code", None) in {s.value for s in SurveyState}:
                # Answered in another tab meanwhile, or closed: say so on the state page.
                messages.info(request, " ".join(error.messages))
                return redirect("surveys:respond", enrollment_pk=enrollment.pk)
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you! Your answers are saved.")
            return redirect("surveys:respond", enrollment_pk=enrollment.pk)
    return render(
        request,
        "surveys/respond.html",
        {"workshop": workshop, "form": form, "likert_labels": LIKERT_LABELS},
    )


# --- Results -------------------------------------------------------------------------------


def _chart_data(summary, rows) -> dict:
    return {
        "labels": [row.label for row in rows[:CHART_ROWS]],
        "datasets": [
            {
                "label": question.text,
                "data": [
                    round(row.mean(question.key), 2) if row.mean(question.key) else None
                    for row in rows[:CHART_ROWS]
                ],
            }
            for question in summary.questions
        ],
        "min": 1,
        "max": 5,
    }


def _comparison_responses(program_year: str | None, course) -> object:
    responses = SurveyResponse.objects.all()
    if program_year:
        responses = responses.filter(enrollment__workshop__program_year=program_year)
    if course is not None:
        responses = responses.filter(enrollment__workshop__course=course)
    return responses


@login_required
def results(request):
    """Results grouped by workshop, partner, facilitator or course, in the reader's scope."""
    if not may_see_results(request.user):
        raise Http404
    filterset = ResultsFilterSet(request.GET, queryset=results_workshops_visible_to(request.user))
    valid = filterset.is_valid()
    workshops = filterset.qs if valid else filterset.queryset
    cleaned = filterset.form.cleaned_data if valid else {}
    group = filterset.grouping
    summary = results_summary(
        results_visible_to(request.user).filter(enrollment__workshop__in=workshops.values("pk")),
        group,
        workshops=workshops,
        comparison_responses=_comparison_responses(
            cleaned.get("program_year"), cleaned.get("course")
        ),
    )
    page = Paginator(summary.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page)
    page_summary = type(summary)(group_by=summary.group_by, questions=summary.questions, rows=rows)
    free_text = {}
    if group == Group.WORKSHOP:
        free_text = free_text_answers(Workshop.objects.filter(pk__in=[row.pk for row in rows]))
    return render(
        request,
        "surveys/results.html",
        {
            "filter": filterset,
            "summary": page_summary,
            "page": page,
            "group": group,
            "group_label": group.label,
            "chart": _chart_data(summary, rows),
            "free_text": [(row, free_text[row.pk]) for row in rows if row.pk in free_text],
            "can_manage_questions": may_manage_questions(request.user),
        },
    )


@login_required
def workshop_results(request, workshop_pk: int):
    """One workshop's results, beside its partner's and the program's for the same course."""
    workshop = get_object_or_404(
        results_workshops_visible_to(request.user).select_related("partner", "course", "kind"),
        pk=workshop_pk,
    )
    summary = results_summary(
        SurveyResponse.objects.filter(enrollment__workshop=workshop),
        Group.WORKSHOP,
        workshops=Workshop.objects.filter(pk=workshop.pk),
        comparison_responses=_comparison_responses(workshop.program_year, None),
    )
    row = summary.rows[0] if summary.rows else None
    questions = []
    for question in summary.questions:
        stats = row.stats.get(question.key) if row else None
        questions.append(
            {
                "text": question.text,
                "key": question.key,
                "count": stats.count if stats else 0,
                "mean": stats.mean if stats else None,
                "distribution": [
                    (rating, stats.distribution.get(rating, 0) if stats else 0)
                    for rating in RATINGS
                ],
                "partner": row.partner_means.get(question.key) if row else None,
                "program": row.program_means.get(question.key) if row else None,
            }
        )
    chart = {
        "labels": [q["text"] for q in questions],
        "datasets": [
            {
                "label": f"{rating} {LIKERT_LABELS[rating]}",
                "data": [q["distribution"][i][1] for q in questions],
            }
            for i, rating in enumerate(RATINGS)
        ],
        "stacked": True,
    }
    return render(
        request,
        "surveys/workshop_results.html",
        {
            "workshop": workshop,
            "row": row,
            "questions": questions,
            "ratings": [(r, LIKERT_LABELS[r]) for r in RATINGS],
            "free_text": free_text_answers(Workshop.objects.filter(pk=workshop.pk)).get(
                workshop.pk, []
            ),
            "chart": chart,
        },
    )


# --- Questions (program admins) ------------------------------------------------------------


def _admin_only(request) -> None:
    if not may_manage_questions(request.user):
        raise Http404


@login_required
def question_list(request):
    _admin_only(request)
    # The standard questions exist before anyone manages them (no data migration).
    created = services.survey_questions_ensure_defaults()
    if created:
        messages.info(request, f"{created} standard question(s) were added.")
    questions = SurveyQuestion.objects.select_related("course").order_by(
        "course__order", "course__name", "order", "pk"
    )
    return render(request, "surveys/question_list.html", {"questions": questions})


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request):
    _admin_only(request)
    form = SurveyQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.survey_question_create(user=request.user, data=form.service_data())
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The question “{question.text}” is added.")
            return redirect("surveys:questions")
    return render(request, "surveys/question_form.html", {"form": form, "question": None})


@login_required
@require_http_methods(["GET", "POST"])
def question_update(request, pk: int):
    _admin_only(request)
    question = get_object_or_404(SurveyQuestion, pk=pk)
    form = SurveyQuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.survey_question_update(
                user=request.user,
                question=question,
                data=form.service_data(),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The question “{question.text}” is saved.")
            return redirect("surveys:questions")
    return render(request, "surveys/question_form.html", {"form": form, "question": question})


@login_required
@require_http_methods(["GET", "POST"])
def question_deactivate(request, pk: int):
    """Stop asking a question, after a confirmation step."""
    _admin_only(request)
    question = get_object_or_404(SurveyQuestion.objects.select_related("course"), pk=pk)
    if request.method == "POST":
        try:
            services.survey_question_deactivate(user=request.user, question=question)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"The question “{question.text}” is no longer asked.")
        return redirect("surveys:questions")
    return render(request, "surveys/question_deactivate.html", {"question": question})
