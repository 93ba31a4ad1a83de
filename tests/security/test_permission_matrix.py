"""The permission matrix: every route of the project, for every role, and the answer each gets.

Routes come from the URL configuration itself (`routes.all_routes`: includes, namespaces, DRF
routers and their format suffixes), so a new view cannot escape: a route without an entry in
EXPECT fails `test_every_route_has_an_expectation`.

For each route the test asks for partner A's records (`world.a`) as every role, and compares
the answers with EXPECT. It then asks for partner B's records as the roles whose scope is A
(A's program manager, regional manager, applicant, teacher and facilitator), and as B's
regional manager. Nothing of B's is in A's scope: where a role reaches A's record, B's answers
404, exactly as a missing one (DESIGN.md, "Scope"); B's regional manager answers as A's does
on A. Routes marked `public` show any partner's record alike.

Beyond the codes:
- every refusal (sign-in, 403, 404) is checked again with a POST, which must be refused the
  same way (or meet a 405) and write nothing to the database;
- every page a role gets is searched for the other side's private text (a check-in note, an
  internal review, a district contact, a spending line...), which must not be there.

Answers: 200/400/403/404/405 as such; L is a redirect to sign-in, AL to the admin's sign-in,
R any other redirect. OK in a `post` table marks a role that may POST (not exercised here).
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from .fill import values_for
from .routes import Route, all_routes
from .world import ROLES
from .writes import Writes

L, AL, R, OK = "L", "AL", "R", "OK"
NOT_HERE = frozenset({404, 405})
REFUSED = {L, AL, 403, 404, NOT_HERE}

GROUPS = {
    "signed_in": ROLES[1:],
    "people": ("applicant", "teacher", "facilitator"),
    "office": ("rm", "other_rm"),
}
# The roles whose scope is partner A's side: on B's records they are outsiders.
A_SCOPED = ("applicant", "teacher", "facilitator", "pm", "rm")


def answers(default, **codes) -> dict:
    """{role: answer}: `default`, then groups (signed_in, people, office), then single roles."""
    table = dict.fromkeys(ROLES, default)
    for group in ("signed_in", "people", "office"):
        if group in codes:
            table.update(dict.fromkeys(GROUPS[group], codes.pop(group)))
    unknown = set(codes) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    table.update(codes)
    return table


def api(table: dict) -> dict:
    """The API answers 403 to a visitor where a page sends them to sign in."""
    return {**table, "anonymous": 403 if table["anonymous"] == L else table["anonymous"]}


@dataclass(frozen=True)
class Expect:
    get: dict
    # Who may POST, for routes that refuse GET (405): OK for those allowed, else the refusal.
    post: dict | None = None
    # B's record answers as A's for every role (a public page of any partner), with `b` on top.
    public: bool = False
    b: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)


def e(get: dict, **kwargs) -> Expect:
    return Expect(get=get, **kwargs)


# --- Profiles ---------------------------------------------------------------------------------

PUBLIC = answers(200)
SIGNED_IN = answers(200, anonymous=L)
PARTNER = answers(404, anonymous=L, pm=200, rm=200, admin=200)  # read: scope of the partner
PARTNER_EDIT = answers(404, anonymous=L, pm=200, admin=200)  # change: its managers, admins
OFFICE = answers(404, anonymous=L, office=200, admin=200)  # program office staff
ADMIN_ONLY = answers(404, anonymous=L, admin=200)


def own(role: str, code=200, **others) -> dict:
    """A person's own page: theirs alone (the program office works on its own pages)."""
    return answers(404, anonymous=L, **{role: code}, **others)


def post_only(table: dict, anonymous=L) -> Expect:
    """A POST-only page: GET answers 405 (or sign-in first); `table` says who may POST."""
    return Expect(get=answers(405, anonymous=anonymous), post=table)


def api_post_only(table: dict) -> Expect:
    return Expect(get=answers(405, anonymous=403), post=api(table))


# Writes on a partner's API records: its program managers and admins; a regional manager of
# the partner reads only (403), anyone else finds nothing (404).
API_PARTNER = api(PARTNER)
API_PARTNER_WRITE = api(answers(404, anonymous=L, pm=OK, rm=403, admin=OK))
API_ADMIN_WRITE = api(answers(404, anonymous=L, pm=403, rm=403, admin=OK))


# --- The matrix: one entry per URL name -------------------------------------------------------

EXPECT: dict[str, Expect] = {
    # Public pages
    "": e(answers(R)),  # / redirects to the program page
    "healthz": e(PUBLIC),
    "livez": e(PUBLIC),
    "favicon": e(answers(R)),  # to the icon's static file
    "pages:program": e(PUBLIC),
    "pages:terms": e(PUBLIC),
    "pages:terms_version": e(PUBLIC),
    "pages:apply": e(PUBLIC),
    "pages:one_pager": e(PUBLIC),
    "pages:find": e(PUBLIC),
    "pages:contact": post_only(answers(OK), anonymous=405),
    "pages:notify": post_only(answers(OK), anonymous=405),
    "partners:directory": e(PUBLIC),
    "partners:profile": e(PUBLIC, public=True),
    "partners:profile_edit": e(PARTNER_EDIT),
    # The application (the applicant's own); the invitation is reached by its secret token
    "apply:start": e(answers(R, anonymous=L)),
    "apply:invitation": e(PUBLIC, public=True),
    "apply:detail": e(own("applicant", R)),  # a submitted application shows its status
    "apply:review": e(own("applicant", R)),
    "apply:status": e(own("applicant")),
    "apply:withdraw": e(own("applicant")),
    "apply:waitlist": post_only(own("applicant", OK)),
    "apply:section": e(own("applicant")),
    # Regions (program admins)
    "geography:region_list": e(ADMIN_ONLY),
    "geography:region_create": e(ADMIN_ONLY),
    "geography:region_counties": e(ADMIN_ONLY),
    "geography:demand": e(ADMIN_ONLY),
    "geography:region_detail": e(ADMIN_ONLY),
    "geography:region_update": e(ADMIN_ONLY),
    "geography:region_zips": e(ADMIN_ONLY),
    # Review: admins, and regional managers on the regions they review
    "review:queue": e(OFFICE),
    "review:export": e(OFFICE),
    "review:decide_bulk": e(answers(404, anonymous=L, admin=R)),  # nothing chosen: back
    "review:decided_bulk": e(answers(404, anonymous=L, admin=R)),
    "review:detail": e(answers(404, anonymous=L, rm=200, admin=200)),
    "review:score": Expect(
        get=answers(404, anonymous=L, office=405, admin=405),
        post=answers(404, anonymous=L, rm=OK, admin=OK),
    ),
    "review:assign": Expect(
        get=answers(404, anonymous=L, admin=405), post=answers(404, anonymous=L, admin=OK)
    ),
    "review:move": Expect(
        get=answers(404, anonymous=L, office=405, admin=405),
        post=answers(404, anonymous=L, rm=OK, admin=OK),
    ),
    "review:decide": e(ADMIN_ONLY),
    "review:decided": e(answers(404, anonymous=L, admin=R)),  # not decided yet: back
    "review:activate": Expect(
        get=answers(404, anonymous=L, admin=405), post=answers(404, anonymous=L, admin=OK)
    ),
    # The partner workspace
    "workspace:list": e(answers(404, anonymous=L, pm=R, office=200, admin=200)),
    "workspace:switch": e(answers(404, anonymous=L)),  # no partner chosen
    "workspace:home": e(PARTNER),
    "workspace:managers": e(PARTNER),
    "workspace:manager_invite": e(answers(404, anonymous=L, pm=R, admin=R)),  # form on managers
    "workspace:manager_edit": e(PARTNER_EDIT),
    "workspace:manager_remove": e(PARTNER_EDIT),
    "workspace:invitation_resend": post_only(
        answers(404, anonymous=L, pm=OK, admin=OK), anonymous=405
    ),
    "workspace:invitation_cancel": e(PARTNER_EDIT),
    "workspace:check_ins": e(answers(404, anonymous=L, rm=200, admin=200)),  # office only
    "workspace:check_in_edit": e(answers(404, anonymous=L, rm=200, admin=200)),
    "workspace:check_in_delete": e(answers(404, anonymous=L, rm=200, admin=200)),
    "workspace:metrics": e(PARTNER),
    "workspace:targets": e(ADMIN_ONLY),
    "workspace:metric_evidence": e(PARTNER),
    "districts:list": e(PARTNER),
    "districts:new": e(PARTNER_EDIT),
    "districts:detail": e(PARTNER),
    "districts:edit": e(PARTNER_EDIT),
    "districts:delete": e(PARTNER_EDIT),
    "districts:commitment_set": e(PARTNER_EDIT),
    "districts:commitment_edit": e(PARTNER_EDIT),
    "districts:commitment_delete": e(PARTNER_EDIT),
    "roster:list": e(PARTNER),
    "roster:add": e(PARTNER_EDIT),
    "roster:remove": e(PARTNER_EDIT),
    "partner_events:list": e(PARTNER),
    "partner_workshops:list": e(PARTNER),
    "partner_workshops:new": e(PARTNER_EDIT),
    "partner_workshops:detail": e(PARTNER),
    "partner_workshops:edit": e(PARTNER_EDIT),
    "partner_workshops:publish": Expect(
        get=answers(404, anonymous=L, pm=405, admin=405),
        post=answers(404, anonymous=L, pm=OK, admin=OK),
    ),
    "partner_workshops:cancel": e(PARTNER_EDIT),
    "partner_enrollments:roster": e(PARTNER),
    "partner_enrollments:roster_csv": e(PARTNER),
    "partner_enrollments:move": e(PARTNER_EDIT),
    "partner_enrollments:cancel": e(PARTNER_EDIT),
    "partner_funding:overview": e(PARTNER),
    "partner_funding:report_new": e(PARTNER_EDIT),
    "partner_funding:report": e(PARTNER),
    "partner_funding:report_submit": e(PARTNER_EDIT),
    "partner_funding:report_delete": e(PARTNER_EDIT),
    "partner_funding:line_add": e(answers(404, anonymous=L, pm=R, admin=R)),  # form on report
    "partner_funding:line_edit": e(PARTNER_EDIT),
    "partner_funding:line_delete": e(PARTNER_EDIT),
    "partner_funding:receipt_add": e(answers(404, anonymous=L, pm=R, admin=R)),
    "partner_funding:receipt": e(PARTNER),
    "partner_funding:receipt_delete": e(PARTNER_EDIT),
    "partner_funding:independent_add": e(PARTNER_EDIT),
    "partner_funding:independent_edit": e(PARTNER_EDIT),
    "partner_funding:independent_delete": e(PARTNER_EDIT),
    # Funding: the program office's pages; a partner's managers see and propose their award
    "funding:overview": e(OFFICE),
    "funding:award_new": e(ADMIN_ONLY),
    "funding:award": e(PARTNER),
    "funding:award_lines": post_only(answers(404, anonymous=L, pm=OK, admin=OK)),
    "funding:award_propose": e(PARTNER_EDIT),
    "funding:award_approve": e(ADMIN_ONLY),
    "funding:award_return": e(ADMIN_ONLY),
    "funding:award_close": e(ADMIN_ONLY),
    "funding:disbursement_new": post_only(answers(404, anonymous=L, admin=OK)),
    "funding:disbursement_delete": e(ADMIN_ONLY),
    # Metrics (the program's pages)
    "metrics:program": e(OFFICE),
    "metrics:quality": e(OFFICE),
    # Facilitators: the program office's accreditation list
    "facilitators:accreditations": e(OFFICE),
    "facilitators:set": e(ADMIN_ONLY),
    "facilitators:renew": e(ADMIN_ONLY),
    "facilitators:facilitator": e(OFFICE, public=True),  # office-wide, not per partner
    # The audit trail browser (program admins)
    "audit:log": e(ADMIN_ONLY),
    # Workshops: public pages, a teacher's own enrollment, a facilitator's checklist
    "workshops:list": e(PUBLIC),
    "workshops:detail": e(PUBLIC, public=True),
    "workshops:calendar": e(PUBLIC),
    "workshops:workshop_calendar": e(PUBLIC, public=True),
    "workshops:partner_calendar": e(PUBLIC, public=True),
    "workshops:verify": e(PUBLIC, public=True),  # a certificate's public verification
    # Enrolling: the workshop is public; already enrolled, the teacher goes to its page.
    "workshops:enroll": e(answers(R, anonymous=L), public=True, b={"teacher": 200}),
    "workshops:cancel": e(answers(R, anonymous=L, teacher=200), public=True, b={"teacher": R}),
    "workshops:mine": e(SIGNED_IN),
    "workshops:facilitating": e(SIGNED_IN),
    "workshops:attendance": e(
        answers(404, anonymous=L, facilitator=200, pm=200, rm=200, admin=200)
    ),
    "workshops:check_in": e(own("teacher")),
    "workshops:certificate": e(own("teacher")),
    "workshops:teaching_report": e(own("teacher")),
    # Surveys
    "surveys:respond": e(own("teacher")),
    "surveys:results": e(answers(200, anonymous=L, applicant=404, teacher=404)),
    "surveys:workshop_results": e(
        answers(404, anonymous=L, facilitator=200, pm=200, rm=200, admin=200)
    ),
    "surveys:questions": e(ADMIN_ONLY),
    "surveys:question_create": e(ADMIN_ONLY),
    "surveys:question_update": e(ADMIN_ONLY),
    "surveys:question_deactivate": e(ADMIN_ONLY),
    # Events: public pages; a partner's meetup is run by its managers
    "events:list": e(PUBLIC),
    "events:detail": e(PUBLIC, public=True),
    "events:create": e(answers(404, anonymous=L, pm=200, admin=200)),
    "events:report": e(OFFICE),
    "events:report_csv": e(OFFICE),
    "events:register": Expect(
        get=answers(405, anonymous=L), post=answers(OK, anonymous=L), public=True
    ),
    "events:cancel": e(answers(R, anonymous=L, teacher=200), public=True, b={"teacher": R}),
    "events:update": e(PARTNER_EDIT),
    "events:delete": e(PARTNER_EDIT),
    "events:attendance": e(PARTNER_EDIT),
    # Accounts
    "accounts:index": e(answers(R)),
    "accounts:login": e(answers(R, anonymous=200)),
    "accounts:logout": post_only(answers(OK), anonymous=405),
    "accounts:signup": e(answers(R, anonymous=200)),
    "accounts:home": e(SIGNED_IN),
    "accounts:profile": e(SIGNED_IN),
    "accounts:tokens": e(SIGNED_IN),  # a POST makes a token of one's own
    # Only the owner revokes a token: anyone else finds none (the world's is A's manager's).
    "accounts:token_revoke": post_only(answers(404, anonymous=L, pm=OK), anonymous=405),
    "accounts:password_reset": e(PUBLIC),
    "accounts:password_reset_done": e(PUBLIC),
    "accounts:password_reset_confirm": e(PUBLIC),  # the world's token is spent: "invalid link"
    "accounts:password_reset_complete": e(PUBLIC),
    "accounts:password_change": e(SIGNED_IN),
    "accounts:password_change_done": e(SIGNED_IN),
    # --- The API --------------------------------------------------------------------------
    "api:api-root": e(PUBLIC),
    "api:not-found": e(answers(404)),  # JSON, for any method
    "api:schema": e(PUBLIC),
    "api:docs": e(PUBLIC),
    "api:regions-lookup": e(PUBLIC, query={"zip": "96813"}),
    "api:region-list": e(PUBLIC),
    "api:region-detail": e(PUBLIC, public=True),
    "api:partner-list": e(PUBLIC),
    "api:partner-detail": e(PUBLIC, public=True),
    # Applications: anyone signed in lists their own (an empty list for most)
    "api:application-list": e(api(SIGNED_IN)),
    "api:application-detail": e(api(answers(404, anonymous=L, applicant=200, rm=200, admin=200))),
    "api:application-submit": api_post_only(own("applicant", OK, rm=403, admin=403)),
    "api:application-withdraw": api_post_only(own("applicant", OK, admin=OK, rm=OK)),
    "api:application-transition": Expect(
        get=api(answers(403, anonymous=L, office=405, admin=405)),
        post=api(answers(403, anonymous=L, rm=OK, other_rm=404, admin=OK)),
        b={"pm": 403},  # a program manager is no reviewer, of A's or B's
    ),
    "api:application-review": Expect(
        get=api(answers(403, anonymous=L, office=405, admin=405)),
        post=api(answers(403, anonymous=L, rm=OK, other_rm=404, admin=OK)),
        b={"pm": 403},  # a program manager is no reviewer, of A's or B's
    ),
    # A partner's records under /partners/<partner_pk>/
    "api:partner-commitments": e(API_PARTNER),
    "api:partner-program-manager-list": e(API_PARTNER),
    "api:partner-program-manager-detail": Expect(
        get=api(answers(404, anonymous=L, pm=405, rm=405, admin=405)), post=API_PARTNER_WRITE
    ),
    "api:partner-check-in-list": e(api(answers(404, anonymous=L, rm=200, admin=200))),
    "api:partner-district-list": e(API_PARTNER),
    "api:partner-district-detail": e(API_PARTNER),
    "api:district-partnership-list": e(API_PARTNER),
    "api:district-partnership-detail": e(API_PARTNER),
    "api:district-commitment-list": e(API_PARTNER),
    "api:district-commitment-detail": e(API_PARTNER),
    "api:partner-facilitator-list": e(API_PARTNER),
    "api:partner-facilitator-detail": e(API_PARTNER),
    "api:partner-event-list": e(API_PARTNER),
    "api:partner-event-detail": e(API_PARTNER),
    "api:partner-event-registration-list": e(API_PARTNER),
    "api:partner-event-registration-detail": e(API_PARTNER),
    # Workshops: public list and pages; enrollments for the teacher and the partner's staff
    "api:workshop-list": e(PUBLIC),
    "api:workshop-detail": e(PUBLIC, public=True),
    # The workshop API is public for reading: a visitor's GET meets the method first.
    "api:workshop-publish": Expect(
        get=answers(405), post=api(answers(404, anonymous=L, pm=OK, rm=403, admin=OK))
    ),
    "api:workshop-cancel": Expect(
        get=answers(405), post=api(answers(404, anonymous=L, pm=OK, rm=403, admin=OK))
    ),
    # The workshop is public; its enrollments are your own (all of them for its staff).
    "api:workshop-enrollment-list": e(api(SIGNED_IN), public=True),
    "api:workshop-enrollment-detail": e(
        api(answers(404, anonymous=L, teacher=200, pm=200, rm=200, admin=200))
    ),
    "api:workshop-enrollment-cancel": api_post_only(
        answers(404, anonymous=L, teacher=OK, pm=OK, rm=403, admin=OK)
    ),
    "api:workshop-attendance-session": e(
        api(answers(404, anonymous=L, facilitator=200, pm=200, rm=200, admin=200))
    ),
    # Surveys
    "api:survey-results": e(api(answers(200, anonymous=L, applicant=404, teacher=404))),
    "api:survey-response-create": api_post_only(answers(OK, anonymous=L)),
    # Funding: lists scoped to the user; a partner's records under /partners/<partner_pk>/
    "api:funding-overview": e(api(SIGNED_IN), query={"program_year": "2026-27"}),
    "api:funding-award-list": e(api(SIGNED_IN)),
    "api:funding-award-detail": e(API_PARTNER),
    "api:funding-award-lines": api_post_only(answers(404, anonymous=L, pm=OK, rm=403, admin=OK)),
    "api:funding-award-propose": api_post_only(answers(404, anonymous=L, pm=OK, rm=403, admin=OK)),
    "api:funding-award-approve": api_post_only(answers(404, anonymous=L, pm=403, rm=403, admin=OK)),
    "api:funding-award-return-to-draft": api_post_only(
        answers(404, anonymous=L, pm=403, rm=403, admin=OK)
    ),
    "api:funding-award-close": api_post_only(answers(404, anonymous=L, pm=403, rm=403, admin=OK)),
    "api:funding-award-disbursements": Expect(get=API_PARTNER, post=API_ADMIN_WRITE),
    "api:funding-spending-report-list": Expect(get=API_PARTNER, post=API_PARTNER_WRITE),
    "api:funding-spending-report-detail": e(API_PARTNER),
    "api:funding-spending-report-lines": Expect(get=API_PARTNER, post=API_PARTNER_WRITE),
    "api:funding-spending-report-submit": Expect(
        get=api(answers(404, anonymous=L, pm=405, rm=405, admin=405)), post=API_PARTNER_WRITE
    ),
    "api:funding-independent-funding-list": Expect(get=API_PARTNER, post=API_PARTNER_WRITE),
    "api:funding-independent-funding-detail": e(API_PARTNER),
    "api:funding-sustainability-list": e(API_PARTNER),
    "api:funding-cost-per-teacher": e(api(answers(200, anonymous=L, people=403))),
    # Metrics
    "api:metrics-partners": e(api(answers(200, anonymous=L, people=404))),
    "api:metrics-partner": e(API_PARTNER),
    "api:metrics-partner-targets": e(API_PARTNER),
}

# The Django admin: program admins only; everyone else is sent to its sign-in page. A read-only
# admin refuses to add or delete (403); a model without rows sends the admin back (R).
ADMIN_SPECIAL = {
    "admin:login": answers(R, **dict.fromkeys(ROLES[:-1], 200)),
    "admin:logout": answers(R, admin=405),
    "admin:autocomplete": answers(AL, admin=403),  # no field named: refused
    "admin:view_on_site": answers(AL, admin=R),
    "admin/(?P<url>.*)$": answers(AL, admin=404),
}
ADMIN_READ_ONLY = {
    "admin:auditlog_logentry_add",
    "admin:auditlog_logentry_delete",
    "admin:django_tasks_database_dbtaskresult_add",
    "admin:django_tasks_database_dbtaskresult_delete",
    "admin:pages_termsheet_delete",  # a published term sheet never goes away
    "admin:surveys_surveyresponse_add",
    # django-axes' records of sign-in attempts: made by sign-ins, never by hand.
    "admin:axes_accessattempt_add",
    "admin:axes_accesslog_add",
    "admin:axes_accessfailurelog_add",
}
ADMIN_NO_ROWS = {
    "admin:django_tasks_database_dbtaskresult_change",
    "admin:django_tasks_database_dbtaskresult_history",
    # No failed sign-in in the matrix's world: no lock-out rows (they are deleted to clear one).
    *(
        f"admin:axes_{model}_{view}"
        for model in ("accessattempt", "accesslog", "accessfailurelog")
        for view in ("change", "history", "delete")
    ),
}


def expected(route: Route) -> Expect | None:
    if route.route.startswith("admin/"):
        if route.name in ADMIN_SPECIAL:
            return e(ADMIN_SPECIAL[route.name])
        if route.name == route.route:  # admin/<app>/<model>/<id>/: on to the change page
            code = R
        elif route.name in ADMIN_READ_ONLY:
            code = 403
        elif route.name in ADMIN_NO_ROWS:
            code = R
        else:
            code = 200
        return e(answers(AL, admin=code))
    # A format suffix (regions.json) answers as its route.
    return EXPECT.get(route.name)


def on_side_b(table: dict, public: bool, overrides: dict) -> dict:
    """The answers on B's records, from those on A's.

    Whatever a role reaches on A is 404 on B. A program or regional manager refused an
    action on A's record (403: they see it, may not change it) is not in B's scope at all:
    404 there too; the people roles' 403 is about their role and stays. A method a route
    does not take (405) may be refused before or after the scope check: 405 or 404.
    """
    if public:
        return {**table, **overrides}
    table_b = {}
    for role in A_SCOPED:
        code = table[role]
        if code in (200, R, OK) or (code == 403 and role in ("pm", "rm")):
            table_b[role] = 404
        elif code == 405:
            table_b[role] = NOT_HERE
        else:
            table_b[role] = code
    table_b["other_rm"] = table["rm"]  # B's regional manager on B, as A's on A
    return {**table_b, **overrides}


def matches(got, wanted) -> bool:
    return got in wanted if isinstance(wanted, frozenset) else got == wanted


# --- Running it -------------------------------------------------------------------------------

ROUTES = all_routes()


def content(response) -> bytes:
    """The body, read once. A streamed one (a receipt) is read to its end, which closes it
    the way the test client arranges (closing it by hand would end the test's connection)."""
    if not hasattr(response, "body_read"):
        streamed = response.streaming
        response.body_read = b"".join(response.streaming_content) if streamed else response.content
    return response.body_read


def answer(response):
    content(response)
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        if path == reverse("accounts:login"):
            return L
        if path == reverse("admin:login"):
            return AL
        return R
    return response.status_code


def body_text(response) -> str:
    if response.get("Content-Type", "").split(";")[0] not in (
        "text/html",
        "application/json",
        "text/csv",
        "text/calendar",
        "text/plain",
        "application/vnd.oai.openapi",
    ):
        return ""
    return content(response).decode("utf-8", "replace")


def leaks(world, role: str, text: str) -> list[str]:
    """The other side's private text in `text` (a program admin may see everything)."""
    if role == "admin" or not text:
        return []
    outside = []
    if role != "other_rm":
        outside += world.b.private
    if role not in A_SCOPED:
        outside += world.a.private
    return [marker for marker in outside if marker in text]


def test_every_route_has_an_expectation():
    missing = sorted({route.key for route in ROUTES if expected(route) is None})
    assert not missing, f"routes without an expectation in EXPECT: {missing}"


def test_no_expectation_for_a_route_that_does_not_exist():
    names = {route.name for route in ROUTES}
    assert not set(EXPECT) - names


def test_post_only_routes_say_who_may_post():
    """A route that answers GET with 405 for someone must say who may POST to it."""
    missing = [
        name
        for name, expect in EXPECT.items()
        if 405 in expect.get.values() and expect.post is None
    ]
    assert not missing


@pytest.mark.parametrize("route", ROUTES, ids=[route.key for route in ROUTES])
def test_route(route, world, client_as):
    expect = expected(route)
    if expect is None:
        pytest.skip("no expectation (see test_every_route_has_an_expectation)")
    is_api = route.route.startswith("api/")
    problems = []
    sides = [("A", world.a, expect.get, expect.post)]
    url_a = route.url(values_for(route, world.a, world.shared))
    url_b = route.url(values_for(route, world.b, world.shared))
    if url_b != url_a:
        sides.append(
            (
                "B",
                world.b,
                on_side_b(expect.get, expect.public, expect.b),
                expect.post and on_side_b(expect.post, expect.public, expect.b),
            )
        )
    for side_name, side, get_table, post_table in sides:
        url = route.url(values_for(route, side, world.shared))
        roles = ROLES if side_name == "A" else (*A_SCOPED, "other_rm")
        for role in roles:
            client = client_as(role)
            response = client.get(url, expect.query)
            got = answer(response)
            if not matches(got, get_table[role]):
                problems.append(f"GET {side_name} {role}: {got}, expected {get_table[role]}")
            elif got == 200:
                found = leaks(world, role, body_text(response))
                if found:
                    problems.append(f"GET {side_name} {role}: shows {found}")
            refused = (post_table or get_table)[role]
            if refused not in REFUSED:
                continue
            if route.route.startswith("admin/") and role not in ("anonymous", "rm"):
                continue  # the admin refuses everyone the same way: two roles are enough
            writes = Writes()
            with connection.execute_wrapper(writes):
                if is_api:
                    response = client.post(url, {}, content_type="application/json")
                else:
                    response = client.post(url, {})
            got = answer(response)
            if not (matches(got, refused) or got == 405):
                problems.append(f"POST {side_name} {role}: {got}, expected {refused}")
            if writes.statements:
                problems.append(f"POST {side_name} {role} wrote: {writes.statements}")
    assert not problems, f"{route.key} ({url_a}):\n" + "\n".join(problems)


# --- The checks above can fail ----------------------------------------------------------------

PAGES_WITH_PRIVATE_TEXT = [
    ("review:detail", {"pk": "application"}),
    ("workspace:check_ins", {}),
    ("workspace:managers", {}),
    ("districts:detail", {"pk": "partnership"}),
    ("partner_funding:report", {"pk": "report"}),
    ("partner_funding:overview", {}),
    ("funding:award", {"pk": "award"}),
    ("partner_enrollments:roster", {"pk": "workshop"}),
    ("surveys:workshop_results", {"workshop_pk": "ended_workshop"}),
]


def test_private_text_is_on_pages_that_may_show_it(world, client_as):
    """The leak check looks for text that really is on pages: B's, shown to a program admin."""
    client = client_as("admin")
    seen = ""
    for name, keys in PAGES_WITH_PRIVATE_TEXT:
        scoped_by_slug = not name.startswith(("review:", "funding:", "surveys:"))
        kwargs = {"slug": world.b.kwargs["slug"]} if scoped_by_slug else {}
        kwargs.update({param: world.b.kwargs[key] for param, key in keys.items()})
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        seen += body_text(response)
    assert [marker for marker in world.b.private if marker not in seen] == []


def test_the_write_check_sees_a_write(world, client_as):
    url = reverse(
        "districts:delete",
        kwargs={"slug": world.a.kwargs["slug"], "pk": world.a.kwargs["partnership"]},
    )
    writes = Writes()
    with connection.execute_wrapper(writes):
        response = client_as("pm").post(url, {})
    assert answer(response) == R
    assert any(statement.startswith("DELETE") for statement in writes.statements)
