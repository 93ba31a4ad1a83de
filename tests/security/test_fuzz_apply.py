"""Bad input on the partner application (issue 9): every section's forms and formsets, the
region section's ZIP finder, and the withdrawal note.

A refused section is said beside its fields, keeps what was typed and saves nothing; a saved
one shows its text escaped on the review page. The list of every form is in
test_fuzz_forms.py.
"""

import pytest
from django.forms import BaseFormSet
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from applications.models import COMMITMENTS, Status
from applications.tests.factories import ApplicationFactory, application_in, current_terms
from workshops.models import Course

from .fuzz_support import (
    FUZZ,
    IMG,
    SCRIPT,
    assert_field_errors,
    fuzz_client,
    hostile_value,
    mixed,
    rolled_back,
    send,
    shown_escaped,
    typed_values_kept,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_limits")]

# A section page is the heaviest page an applicant gets: fewer examples keep the file quick.
FUZZ = settings(FUZZ, max_examples=20)


@pytest.fixture
def draft(db):
    current_terms()
    return ApplicationFactory()


def _section(application, slug: str) -> str:
    return reverse("apply:section", kwargs={"pk": application.pk, "section": slug})


def _forms(context) -> list:
    """Every form on a section page, the rows of its formsets included."""
    found = []
    for form in context["forms"].values():
        if isinstance(form, BaseFormSet):
            found.extend(form.forms)
        else:
            found.append(form)
    return found


def _check_section(draft, slug: str, data: dict) -> None:
    with rolled_back():
        client = fuzz_client(draft.applicant)
        outcome = send(client, "post", _section(draft, slug), data)
        if outcome.accepted:
            review = send(client, "get", reverse("apply:review", kwargs={"pk": draft.pk})).html
            draft.refresh_from_db()
            for name in ("legal_name", "city", "street", "workshop_venues", "need_justification"):
                stored = getattr(draft, name)
                if "<" in stored:
                    assert shown_escaped(review, stored), name
            for manager in draft.program_managers.all():
                if "<" in manager.name:
                    assert shown_escaped(review, manager.name)
            return
        response = outcome.response
        assert response.status_code == 400
        assert not outcome.writes, f"written on refusal: {outcome.writes}"
        forms = _forms(response.context)
        formset_errors = [
            error
            for form in response.context["forms"].values()
            if isinstance(form, BaseFormSet)
            for error in form.non_form_errors()
        ]
        assert (
            formset_errors
            or response.context["service_errors"]
            or any(form.errors for form in forms)
        ), "refused without saying why"
        for form in forms:
            if form.errors:
                assert_field_errors(form, outcome.html)
            assert not typed_values_kept(form, data, outcome.html)


ORGANIZATION = {
    "legal_name": "Island Computing Alliance",
    "organization_type": "nonprofit",
    "tax_id": "12-3456789",
    "is_us_based": "True",
    "street": "1 Aloha Tower Dr",
    "city": "Honolulu",
    "zip_code": "96813",
    "website": "https://example.org",
}


@FUZZ
@given(data=mixed(ORGANIZATION, legal_name=SCRIPT, city=IMG, state=st.just("")))
@example(data={**ORGANIZATION, "legal_name": SCRIPT, "street": IMG})
@example(data={**ORGANIZATION, "state": "99999999999999999999"}).via("an id too large")
@example(data={**ORGANIZATION, "zip_code": "98101", "state": "1"})
@example(data={**ORGANIZATION, "website": "javascript:alert(1)"})
@example(data={**ORGANIZATION, "legal_name": "x" * 10_000})
@example(data={**ORGANIZATION, "is_us_based": "maybe"})
def test_organization(draft, data):
    _check_section(draft, "organization", data)


@FUZZ
@given(region=hostile_value)
@example(region="99999999999999999999")
@example(region="-1")
def test_region(draft, region):
    _check_section(draft, "region", {"region": region})


@FUZZ
@given(code=hostile_value)
@example(code="\x00")
@example(code="96813")
def test_region_zip_finder(draft, code):
    """The region section's "find your region by ZIP" (a GET form)."""
    with rolled_back():
        client = fuzz_client(draft.applicant)
        outcome = send(client, "get", _section(draft, "region"), {"zip": code})
        assert outcome.response.status_code == 200
        assert not outcome.writes
        form = outcome.response.context["zip_form"]
        if form.errors:
            assert_field_errors(form, outcome.html)
            assert not typed_values_kept(form, {"zip": code}, outcome.html)


def _formset(prefix: str, rows: list[dict], total=None) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)) if total is None else total,
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        data.update({f"{prefix}-{number}-{name}": value for name, value in row.items()})
    return data


MANAGER = {"name": "Ana Kahale", "email": "ana@example.org", "fte_share": "0.5"}
DISTRICT = {"district_name": "Hawaii DOE", "relationship": "PD provider"}


@FUZZ
@given(
    manager=mixed(MANAGER, name=SCRIPT),
    district=mixed(DISTRICT),
    total=st.one_of(st.none(), hostile_value),
)
@example(manager={**MANAGER, "name": SCRIPT}, district=DISTRICT, total=None)
@example(manager={**MANAGER, "fte_share": "1e309"}, district=DISTRICT, total=None)
@example(manager={**MANAGER, "fte_share": "NaN"}, district=DISTRICT, total=None)
@example(manager=MANAGER, district=DISTRICT, total="99999999999999999999")
@example(manager=MANAGER, district=DISTRICT, total="-1")
def test_people(draft, manager, district, total):
    data = {**_formset("pm", [manager], total), **_formset("district", [district])}
    _check_section(draft, "people", data)


@FUZZ
@given(
    data=mixed(
        {
            "teachers_year1": "20",
            "teachers_year2": "40",
            "teachers_year3": "60",
            "workshop_venues": SCRIPT,
        },
        courses=st.just("1"),
    )
)
@example(data={"teachers_year1": "99999999999999999999999"})
@example(data={"teachers_year1": "-5", "courses": ["1", "x", "99999999999999999999"]})
@example(data={"courses": ["99999999999999999999"]})  # was a 500: core.forms
def test_plans(draft, data):
    if data.get("courses") == "1":
        data["courses"] = str(Course.objects.filter(is_active=True).first().pk)
    _check_section(draft, "plans", data)


@FUZZ
@given(data=mixed(dict.fromkeys(COMMITMENTS, "on")))
def test_commitments(draft, data):
    _check_section(draft, "commitments", data)


NEED = {
    "budget_onsite_staffer": "$1,250.50",
    "budget_facilitator_compensation": "2000",
    "budget_food": "0",
    "budget_venue": "10",
    "budget_other": "99.99",
    "need_justification": SCRIPT,
    "current_funding_sources": "State grant.",
}


@FUZZ
@given(data=mixed(NEED))
@example(data={**NEED, "budget_food": "1e309"})
@example(data={**NEED, "budget_food": "99999999999999999999999"})
@example(data={**NEED, "budget_food": "-0.001"})
@example(data={**NEED, "budget_food": "NaN"})
@example(data={**NEED, "budget_food": "Infinity"})
@example(data={**NEED, "need_justification": "x" * 10_000})
def test_need(draft, data):
    _check_section(draft, "need", data)


REFERENCE = {
    "name": "Kai",
    "organization": "Hawaii DOE",
    "email": "kai@example.org",
    "phone": "808-555-0100",
}


@FUZZ
@given(first=mixed(REFERENCE), second=mixed(REFERENCE), total=st.one_of(st.none(), hostile_value))
@example(first=REFERENCE, second=REFERENCE, total="3")
def test_references(draft, first, second, total):
    _check_section(draft, "references", _formset("ref", [first, second], total))


@FUZZ
@given(value=hostile_value)
def test_terms(draft, value):
    _check_section(draft, "terms", {"accepts_terms": value})


@FUZZ
@given(note=hostile_value)
@example(note=SCRIPT)
@example(note="x" * 10_000)
def test_withdraw(db, note):
    with rolled_back():
        application = application_in(Status.SUBMITTED)
        client = fuzz_client(application.applicant)
        url = reverse("apply:withdraw", kwargs={"pk": application.pk})
        outcome = send(client, "post", url, {"note": note})
        application.refresh_from_db()
        if application.status != Status.WITHDRAWN:
            assert not outcome.writes
            form = outcome.response.context["form"]
            assert_field_errors(form, outcome.html)
            assert not typed_values_kept(form, {"note": note}, outcome.html)
            return
        status = send(client, "get", reverse("apply:status", kwargs={"pk": application.pk}))
        text = note[-1] if isinstance(note, list) else note
        if "<" in text:
            assert shown_escaped(status.html, text.strip())
