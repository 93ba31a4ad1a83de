"""Reads for surveys: who may answer, the questions, and results scoped to the reader.

Scope of results (the issue's rule): program admins see every workshop's results; a program
manager the workshops of their partners; anyone assigned to a workshop as a facilitator
(WorkshopFacilitator) that workshop's; everyone else nothing. Program-wide and partner-wide
means for a course are aggregates: they are shown beside a reader's own rows as comparison
figures, never as another partner's workshop rows, and free text is shown only for workshops
in scope.

`results_summary` computes every figure for a whole page in a constant number of queries
(counts grouped in the database; means and distributions are derived from the counts).
"""

import datetime
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format

from accounts.models import User
from partners.models import Partner
from workshops.clock import effective_state
from workshops.models import (
    Attendance,
    Course,
    Enrollment,
    Workshop,
    WorkshopFacilitator,
    WorkshopSession,
    WorkshopState,
)

from .models import (
    LIKERT_MAX,
    LIKERT_MIN,
    QuestionKind,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

RATINGS = tuple(range(LIKERT_MIN, LIKERT_MAX + 1))


class Group(enum.StrEnum):
    WORKSHOP = "workshop"
    PARTNER = "partner"
    FACILITATOR = "facilitator"
    COURSE = "course"

    @property
    def label(self) -> str:
        return {
            "workshop": "Workshop",
            "partner": "Partner",
            "facilitator": "Facilitator",
            "course": "Course",
        }[self.value]


GROUP_CHOICES = [(group.value, group.label) for group in Group]

# How each grouping reaches its key from an enrollment (responses go one step further).
_ENROLLMENT_PATHS = {
    Group.WORKSHOP: "workshop",
    Group.PARTNER: "workshop__partner",
    Group.FACILITATOR: "workshop__facilitator_links__facilitator",
    Group.COURSE: "workshop__course",
}


# --- Who may answer ------------------------------------------------------------------------


class SurveyState(enum.StrEnum):
    """Where one enrollment's survey stands."""

    OPEN = "open"
    ANSWERED = "answered"
    NOT_ENDED = "not_ended"
    NOT_ATTENDED = "not_attended"
    CLOSED = "closed"  # a cancelled or draft workshop has no survey


def workshop_ends_at(workshop: Workshop) -> datetime.datetime | None:
    """The end of the workshop's last session (aware), or None when it has no sessions.

    Uses prefetched `sessions` when the caller prefetched them.
    """
    sessions = list(workshop.sessions.all())
    if not sessions:
        return None
    return max(session.ends_at for session in sessions)


def workshop_has_ended(workshop: Workshop, *, now: datetime.datetime | None = None) -> bool:
    """Ended: its state says so, or by the clock (`workshops.clock.effective_state`) its last
    session's end has passed (the stored state lags: the scheduled command moves it later)."""
    if workshop.state == WorkshopState.ENDED:
        return True
    return effective_state(workshop, now) == WorkshopState.ENDED


def survey_state(enrollment: Enrollment, *, now: datetime.datetime | None = None) -> SurveyState:
    """Whether the enrollment's teacher may answer now, and if not, why."""
    workshop = enrollment.workshop
    if SurveyResponse.objects.filter(enrollment=enrollment).exists():
        return SurveyState.ANSWERED
    if workshop.state in (WorkshopState.CANCELLED, WorkshopState.DRAFT):
        return SurveyState.CLOSED
    if not workshop_has_ended(workshop, now=now):
        return SurveyState.NOT_ENDED
    if not Attendance.objects.filter(enrollment=enrollment).exists():
        return SurveyState.NOT_ATTENDED
    return SurveyState.OPEN


def attendees_of(workshop: Workshop) -> QuerySet[Enrollment]:
    """Enrollments of the workshop whose teacher was at one session or more."""
    return Enrollment.objects.filter(workshop=workshop).filter(
        Exists(Attendance.objects.filter(enrollment=OuterRef("pk")))
    )


def survey_questions_for(course: Course) -> list[SurveyQuestion]:
    """The active questions a course's workshops ask: the course's own and every course's,
    in their order (a course question with the same key as an every-course one replaces it)."""
    questions = list(
        SurveyQuestion.objects.filter(Q(course=course) | Q(course__isnull=True), is_active=True)
        .select_related("course")
        .order_by("order", "course_id", "pk")
    )
    own_keys = {q.key for q in questions if q.course_id is not None}
    return [q for q in questions if q.course_id is not None or q.key not in own_keys]


# --- Scope ---------------------------------------------------------------------------------


def results_workshops_visible_to(user: User) -> QuerySet[Workshop]:
    """The workshops whose survey results a user may see (see the module docstring)."""
    if not user.is_authenticated or not user.is_active:
        return Workshop.objects.none()
    if user.is_program_admin:
        return Workshop.objects.all()
    scope = Q(pk__in=WorkshopFacilitator.objects.filter(facilitator=user).values("workshop_id"))
    if user.is_regional_manager:
        scope |= Q(partner__regional_manager=user)
    if user.is_program_manager:
        managed = Partner.objects.filter(program_managers__user=user).values("pk")
        scope |= Q(partner__in=managed)
    return Workshop.objects.filter(scope)


def results_visible_to(user: User) -> QuerySet[SurveyResponse]:
    """The survey responses a user may see results of."""
    if not user.is_authenticated or not user.is_active:
        return SurveyResponse.objects.none()
    if user.is_program_admin:
        return SurveyResponse.objects.all()
    return SurveyResponse.objects.filter(
        enrollment__workshop__in=results_workshops_visible_to(user).values("pk")
    )


def may_see_results(user: User) -> bool:
    """Whether the results pages exist for a user at all (404 otherwise)."""
    if not user.is_authenticated or not user.is_active:
        return False
    # Facilitators too: their page says so when they have led no workshop yet.
    return user.role in ("facilitator", "program_manager", "regional_manager", "program_admin")


def may_manage_questions(user: User) -> bool:
    return user.is_authenticated and user.is_program_admin


# --- Results -------------------------------------------------------------------------------


@dataclass
class QuestionStats:
    """One Likert question's figures within one group."""

    count: int = 0
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))

    @property
    def mean(self) -> float | None:
        if not self.count:
            return None
        return sum(r * n for r, n in self.distribution.items()) / self.count

    def add(self, rating: int, n: int) -> None:
        self.distribution[rating] = self.distribution.get(rating, 0) + n
        self.count += n


@dataclass
class ResultRow:
    """One group's results: a workshop, a partner, a facilitator or a course."""

    pk: int
    label: str
    responses: int = 0
    attendees: int = 0
    stats: dict[str, QuestionStats] = field(default_factory=dict)
    # Workshop rows: where it belongs, for comparisons and links.
    partner_id: int | None = None
    course_id: int | None = None
    detail: str = ""
    detail_url: str = ""
    # Comparison means by question key: the partner's for the same course (workshop rows),
    # the whole program's for the same course (workshop and course rows) or overall.
    partner_means: dict[str, float | None] = field(default_factory=dict)
    program_means: dict[str, float | None] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        if not self.attendees:
            return None
        return self.responses / self.attendees

    def mean(self, key: str) -> float | None:
        stats = self.stats.get(key)
        return stats.mean if stats else None


@dataclass
class Question:
    key: str
    text: str


@dataclass
class ResultsSummary:
    group_by: Group
    questions: list[Question]
    rows: list[ResultRow]

    def cells(self):
        """Rows with their figures in question order, for templates."""
        for row in self.rows:
            yield (
                row,
                [
                    {
                        "key": q.key,
                        "mean": row.mean(q.key),
                        "count": row.stats[q.key].count if q.key in row.stats else 0,
                        "partner": row.partner_means.get(q.key),
                        "program": row.program_means.get(q.key),
                    }
                    for q in self.questions
                ],
            )


def likert_counts(responses: QuerySet[SurveyResponse] | Mapping[str, object], *paths: str):
    """Rows of (g0, g1..., question__key, rating, n): answers counted in the database, grouped
    by `paths` (from the enrollment) and question key and rating. One query.

    `responses` is a queryset of responses, or lookups on the response
    (`{"enrollment__workshop__partner_id__in": ids}`): those filter the answers through the
    same joins they are grouped by, one pass over the answers where a queryset is a subquery
    the answers are first matched against and then joined again to group (seconds over a
    whole program's answers).

    THE counting of Likert answers: these results and the metrics' survey mean
    (`metrics.selectors.likert_figures`) both read it."""
    if isinstance(responses, QuerySet):
        scope = {"response__in": responses.values("pk")}
    else:
        scope = {f"response__{lookup}": value for lookup, value in responses.items()}
    groups = {f"g{i}": F(f"response__enrollment__{path}") for i, path in enumerate(paths)}
    return (
        SurveyAnswer.objects.filter(
            **scope,
            question__kind=QuestionKind.LIKERT,
            rating__isnull=False,
        )
        .annotate(**groups)
        .values(*groups, "question__key", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _means(counts, width: int) -> dict[tuple, dict[str, float | None]]:
    stats: dict[tuple, dict[str, QuestionStats]] = defaultdict(dict)
    for item in counts:
        group = tuple(item[f"g{i}"] for i in range(width))
        key = item["question__key"]
        stats[group].setdefault(key, QuestionStats()).add(item["rating"], item["n"])
    return {group: {k: s.mean for k, s in by_key.items()} for group, by_key in stats.items()}


def _labels(group_by: Group, pks: Iterable[int]) -> dict[int, tuple[str, str, dict]]:
    """Label, detail line and extra attributes per group pk: one query."""
    pks = [pk for pk in pks if pk is not None]
    if group_by == Group.WORKSHOP:
        workshops = (
            Workshop.objects.filter(pk__in=pks)
            .select_related("partner", "course", "kind")
            .annotate(first_day=Min("sessions__date"))
        )
        return {
            w.pk: (
                w.display_title,
                " · ".join([w.partner.name] + ([date_format(w.first_day)] if w.first_day else [])),
                {
                    "partner_id": w.partner_id,
                    "course_id": w.course_id,
                    "detail_url": reverse("surveys:workshop_results", args=[w.pk]),
                },
            )
            for w in workshops
        }
    if group_by == Group.PARTNER:
        return {p.pk: (p.name, "", {}) for p in Partner.objects.filter(pk__in=pks)}
    if group_by == Group.FACILITATOR:
        return {u.pk: (str(u), "", {}) for u in User.objects.filter(pk__in=pks)}
    return {c.pk: (c.name, "", {"course_id": c.pk}) for c in Course.objects.filter(pk__in=pks)}


def _sort_key(row: ResultRow):
    return (row.label.casefold(), row.pk)


def results_questions(keys: Iterable[str]) -> list[Question]:
    """The Likert questions for these keys, in question order (one query)."""
    wanted = set(keys)
    seen: dict[str, Question] = {}
    questions = SurveyQuestion.objects.filter(kind=QuestionKind.LIKERT).order_by(
        F("course_id").asc(nulls_first=True), "order", "pk"
    )
    ordered = []
    for q in questions.values("key", "text", "order", "is_active", "course_id"):
        if q["key"] in seen or not (q["key"] in wanted or (q["is_active"] and not q["course_id"])):
            continue
        seen[q["key"]] = Question(key=q["key"], text=q["text"])
        ordered.append((q["order"], q["key"]))
    return [seen[key] for _, key in sorted(ordered)]


def results_summary(
    responses: QuerySet[SurveyResponse],
    group_by: Group | str,
    *,
    workshops: QuerySet[Workshop] | None = None,
    comparison_responses: QuerySet[SurveyResponse] | None = None,
) -> ResultsSummary:
    """Figures per group: responses, response rate, and per Likert question the mean and the
    1-5 distribution, with comparison means. A fixed number of queries, whatever the size.

    `responses` are the (scoped) responses counted. `workshops` are the workshops whose
    attendees make the response rate's denominator (default: the workshops of `responses`);
    pass them so a workshop nobody answered for still has its row. `comparison_responses`
    (default: every response) is the whole program the comparison means come from: the caller
    applies the same filters (a program year) as to `responses`, never a user's scope.
    """
    group_by = Group(group_by)
    path = _ENROLLMENT_PATHS[group_by]
    if workshops is None:
        workshops = Workshop.objects.filter(pk__in=responses.values("enrollment__workshop"))
    if comparison_responses is None:
        comparison_responses = SurveyResponse.objects.all()

    rows: dict[int, ResultRow] = {}

    def row(pk: int) -> ResultRow:
        if pk not in rows:
            rows[pk] = ResultRow(pk=pk, label="")
        return rows[pk]

    # Attendees (the denominator): enrollments with one attendance or more.
    attended = Exists(Attendance.objects.filter(enrollment=OuterRef("pk")))
    attendee_counts = (
        Enrollment.objects.filter(attended, workshop__in=workshops.values("pk"))
        .values(group=F(path))
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for item in attendee_counts:
        if item["group"] is not None:
            row(item["group"]).attendees = item["n"]

    response_counts = (
        responses.values(group=F(f"enrollment__{path}"))
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for item in response_counts:
        if item["group"] is not None:
            row(item["group"]).responses = item["n"]

    for item in likert_counts(responses, path):
        if item["g0"] is None:
            continue
        stats = row(item["g0"]).stats
        stats.setdefault(item["question__key"], QuestionStats()).add(item["rating"], item["n"])

    labels = _labels(group_by, rows)
    for pk, result in list(rows.items()):
        if pk not in labels:
            del rows[pk]
            continue
        result.label, result.detail, extra = labels[pk]
        for name, value in extra.items():
            setattr(result, name, value)

    # Comparisons: aggregates over the whole program (same filters, no scope).
    if group_by in (Group.WORKSHOP, Group.COURSE):
        program = _means(likert_counts(comparison_responses, "workshop__course"), 1)
        for result in rows.values():
            result.program_means = program.get((result.course_id,), {})
    else:
        program = _means(likert_counts(comparison_responses), 0)
        for result in rows.values():
            result.program_means = program.get((), {})
    if group_by == Group.WORKSHOP:
        partner_ids = {r.partner_id for r in rows.values()}
        partner = _means(
            likert_counts(
                comparison_responses.filter(enrollment__workshop__partner__in=partner_ids),
                "workshop__partner",
                "workshop__course",
            ),
            2,
        )
        for result in rows.values():
            result.partner_means = partner.get((result.partner_id, result.course_id), {})

    keys = {key for r in rows.values() for key in r.stats}
    return ResultsSummary(
        group_by=group_by,
        questions=results_questions(keys),
        rows=sorted(rows.values(), key=_sort_key),
    )


def free_text_answers(workshops: QuerySet[Workshop]) -> dict[int, list[dict]]:
    """Free-text answers per workshop pk, without names: [{question, text}], one query.

    The caller passes workshops already in the reader's scope.
    """
    answers = (
        SurveyAnswer.objects.filter(
            question__kind=QuestionKind.TEXT,
            response__enrollment__workshop__in=workshops.values("pk"),
        )
        .exclude(text="")
        .values("response__enrollment__workshop", "question__text", "text")
        .order_by("response__enrollment__workshop", "question__order", "question_id", "pk")
    )
    by_workshop: dict[int, list[dict]] = defaultdict(list)
    for answer in answers:
        by_workshop[answer["response__enrollment__workshop"]].append(
            {"question": answer["question__text"], "text": answer["text"]}
        )
    return dict(by_workshop)


def workshops_ended_between(start: datetime.datetime, end: datetime.datetime) -> list[Workshop]:
    """Workshops (not cancelled or draft) whose last session ended in [start, end).

    Session times are local to each workshop's zone, so candidates are narrowed by date in the
    database (a day's margin either side covers every US zone) and decided exactly here.
    """
    margin = datetime.timedelta(days=1)
    candidates = (
        Workshop.objects.filter(
            state__in=[WorkshopState.PUBLISHED, WorkshopState.IN_PROGRESS, WorkshopState.ENDED],
            sessions__date__gte=(start - margin).date(),
            sessions__date__lte=(end + margin).date(),
        )
        .exclude(
            # A later session means it has not ended yet.
            Exists(
                WorkshopSession.objects.filter(
                    workshop=OuterRef("pk"), date__gt=(end + margin).date()
                )
            )
        )
        .distinct()
        .prefetch_related("sessions")
    )
    found = []
    for workshop in candidates:
        ends_at = workshop_ends_at(workshop)
        if ends_at is not None and start <= ends_at < end:
            found.append(workshop)
    return found
