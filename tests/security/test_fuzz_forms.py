"""Bad input on every public form and lookup (issue 9): which forms there are, and where each
is fuzzed.

The forms a visitor, a newly signed-up teacher or an applicant reaches (the self-service
roles), by the route their form posts (or, for GET forms, submits) to:

Visitor (test_fuzz_public.py)
- accounts:signup                 sign-up (role, names, email, two passwords)
- accounts:login                  sign-in
- accounts:password_reset         password reset request
- accounts:password_reset_confirm the new password (through the emailed link); garbled links
- pages:contact                   a message to a partner or the program office
- pages:notify                    "tell me when a partner serves my area"
- pages:find                      GET ?zip= lookup
- api:regions-lookup              GET /api/v1/regions/lookup/?zip=
- workshops:list                  GET filters (course, state, partner, dates, zip, miles, page)
- events:list                     GET filters (kind, state, when, page)
- partners:directory              GET filters (q, state, course, organization type, page)
- workshops:verify                certificate verification (the code in the path)

Teacher (test_fuzz_people.py)
- accounts:profile                names and school ZIP
- workshops:enroll                the school (listed or not: name and ZIP); GET ?q= search
- events:register                 partner and school ZIP
- surveys:respond                 Likert and free-text answers
- workshops:check_in              the session code
- workshops:teaching_report       the report; GET ?edit=

Applicant (test_fuzz_apply.py)
- apply:section                   every section: organization, region (and its GET ?zip=
                                  finder), people (program managers and districts
                                  formsets), plans, commitments, need and budget,
                                  references (formset), terms
- apply:withdraw                  the withdrawal note

Uploads (test_fuzz_uploads.py): spending receipts (partner_funding:receipt_add) and the
region ZIP import (geography:region_zips), judged by content.

Forms without any input, only a button (nothing to fuzz): accounts:logout, accounts:tokens
(make a token), apply:start, apply:waitlist, workshops:cancel, events:cancel,
apply:invitation (accept). accounts:password_change is Django's own form, behind sign-in.

`test_every_public_form_is_fuzzed` below finds the forms itself: it signs in as each
self-service role of the permission matrix's world, opens every page that role gets (200),
and fails on a form whose target is in neither list.
"""

import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from .fill import values_for
from .test_permission_matrix import ROUTES, expected

FUZZED = {
    "accounts:signup",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_confirm",
    "pages:contact",
    "pages:notify",
    "pages:find",
    "api:regions-lookup",
    "workshops:list",
    "events:list",
    "partners:directory",
    "workshops:verify",
    "accounts:profile",
    "workshops:enroll",
    "events:register",
    "surveys:respond",
    "workshops:check_in",
    "workshops:teaching_report",
    "apply:section",
    "apply:withdraw",
}
NO_INPUT = {
    "accounts:logout",
    "accounts:tokens",
    "accounts:password_change",
    "apply:start",
    "apply:waitlist",
    "apply:invitation",
    "workshops:cancel",
    "events:cancel",
}
SELF_SERVICE = ("anonymous", "teacher", "applicant")

_FORM = re.compile(r"<form\b([^>]*)>", re.IGNORECASE)


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}\s*=\s*"([^"]*)"', tag, re.IGNORECASE)
    return found.group(1) if found else None


def _form_targets(html: str, here: str) -> set[str]:
    targets = set()
    for tag in _FORM.findall(html):
        action = _attribute(tag, "action")
        path = urlsplit(action).path if action else here
        try:
            targets.add(resolve(path).view_name)
        except Resolver404:
            targets.add(f"unknown {path}")
    return targets


def test_every_public_form_is_fuzzed(world, client_as):
    seen: dict[str, set[str]] = {}
    for role in SELF_SERVICE:
        client = client_as(role)
        for route in ROUTES:
            expect = expected(route)
            if expect is None or route.route.startswith("admin/"):
                continue
            sides = [(world.a, expect.get)]
            if expect.b:  # a page the role gets on B's record only (enrolling, for one)
                sides.append((world.b, {**expect.get, **expect.b}))
            for side, table in sides:
                if table.get(role) != 200:
                    continue
                url = route.url(values_for(route, side, world.shared))
                response = client.get(url, expect.query)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                for target in _form_targets(response.content.decode(), url):
                    seen.setdefault(target, set()).add(f"{role} on {route.name}")
    missing = {target: pages for target, pages in seen.items() if target not in FUZZED | NO_INPUT}
    assert not missing, f"forms no fuzz test covers (add them to test_fuzz_*.py): {missing}"
    # The list is not stale either: what it names is still reached, or needs a record the
    # world does not have on that page (a draft, a find page in an open region, a fresh link).
    reached_elsewhere = {"api:regions-lookup", "workshops:verify", "events:register"}
    reached_elsewhere |= {"pages:notify"}
    reached_elsewhere |= {"accounts:password_reset_confirm", "apply:section", "workshops:enroll"}
    reached_elsewhere |= {"apply:withdraw", "surveys:respond", "workshops:check_in"}
    assert FUZZED - set(seen) <= reached_elsewhere, FUZZED - set(seen)
