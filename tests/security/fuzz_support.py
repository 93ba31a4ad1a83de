"""What every bad-input test shares: hostile values, and the checks made on each answer.

`hostile_text()` draws the values people (and robots) send: blank, very long, RTL and emoji,
NUL bytes, HTML and script, SQL, out-of-range numbers, malformed dates. `form_data()` builds a
POST or query from them, with fields left out and fields sent twice.

`Probe` runs one request and checks it: never a 5xx (a 500 fails with the view's own
traceback), no raw markup of ours echoed back; on refusal the error sits next to the field,
what was typed is still in the input, nothing was written to the database and no email left.
"""

import re
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from .writes import Writes

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# Raw markup a page must never echo back: it would run in the reader's browser.
RAW_MARKUP = (SCRIPT, "<img src=x onerror")

ODD_VALUES = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    SCRIPT,
    IMG,
    "' OR 1=1 --",
    "1; DROP TABLE accounts_user; --",
    "x" * 10_000,
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "🎉🏳️‍🌈👩🏽‍💻",
    "\r\n\r\n",
    "-1",
    "0",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999",
    "-99999999999999999999999",
    "0x1F",
    "2024-02-30",
    "0000-00-00",
    "31/12/2025",
    "9999-99-99",
    "../../etc/passwd",
    "{{ 7|add:7 }}",
    "%s%s%s",
    "true",
    "None",
    "[]",
)

# Text of any kind except lone surrogates (category Cs): those cannot travel in HTTP at all.
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
hostile_text = st.one_of(st.sampled_from(ODD_VALUES), any_text)
# A field sent twice (?a=1&a=2) arrives as a list.
hostile_value = st.one_of(
    hostile_text, hostile_text, st.lists(hostile_text, min_size=2, max_size=3)
)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def form_data(fields, **fixed) -> st.SearchStrategy[dict]:
    """A form's data: each of `fields` hostile or missing, `fixed` as given (strategies)."""
    return st.fixed_dictionaries(fixed, optional=dict.fromkeys(fields, hostile_value))


def fuzz_client(user=None) -> Client:
    """A client that hands back a 500 instead of raising, so the check can show its traceback."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_no_server_error(response) -> None:
    if response.status_code >= 500:
        detail = ""
        if getattr(response, "exc_info", None):
            detail = "".join(traceback.format_exception(*response.exc_info))
        raise AssertionError(f"{response.status_code} from {response.request}\n{detail}")


def assert_no_raw_markup(html: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, f"raw {raw!r} in the page"


# How far (in characters of HTML) an error may be from its input and still be "beside" it.
NEAR = 1500

TEXT_WIDGETS = ("textinput", "emailinput", "urlinput", "textarea", "numberinput", "dateinput")


def typed_values_kept(form, data: dict, html: str) -> list[str]:
    """The text fields whose typed value is not in the page (escaped, as the input shows it)."""
    lost = []
    for name, bound in form.fields.items():
        widget = type(bound.widget).__name__.lower()
        if not any(kind in widget for kind in TEXT_WIDGETS) or "password" in widget:
            continue
        key = form.add_prefix(name)
        if key not in data:
            continue
        sent = data[key]
        sent = sent[-1] if isinstance(sent, list) else sent  # a QueryDict keeps the last
        if not sent.strip():
            continue
        if escape(sent) not in html and escape(sent.replace("\r\n", "\n")) not in html:
            lost.append(name)
    return lost


def assert_field_errors(form, html: str) -> None:
    """Each error is on the page; a field's beside it (Django's `id_<field>_error` list, or
    the page's own markup right after the input)."""
    assert form.errors, "refused without saying why"
    for name, errors in form.errors.items():
        for message in errors:
            assert escape(message) in html, f"{name}: {message!r} is not on the page"
        if name == "__all__":
            continue
        bound = form[name]
        assert not bound.is_hidden, f"hidden field {name}: its error has no place on the page"
        field_at = html.find(f'name="{bound.html_name}"')
        assert field_at >= 0, f"{name}: the field is not on the page"
        for message in errors:
            said = [m.span() for m in re.finditer(re.escape(escape(message)), html)]
            near = any(min(abs(a - field_at), abs(b - field_at)) < NEAR for a, b in said)
            assert near, f"{name}: error not beside it"


@dataclass
class Outcome:
    response: object
    html: str
    writes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.response.status_code in (301, 302, 303)


def send(client: Client, method: str, url: str, data=None, **extra) -> Outcome:
    """One request with its writes recorded and the generic checks made."""
    mail.outbox = []
    writes = Writes()
    with connection.execute_wrapper(writes):
        if method == "get":
            response = client.get(url, data or {}, **extra)
        else:
            response = client.post(url, data or {}, **extra)
    assert_no_server_error(response)
    html = body(response)
    if response.get("Content-Type", "").startswith("text/html"):
        assert_no_raw_markup(html)
    return Outcome(response=response, html=html, writes=writes.statements)


def assert_refused(outcome: Outcome, data: dict, *, form_name: str = "form") -> None:
    """A refusal: field errors beside the fields, typed values kept, no write, no email."""
    response = outcome.response
    assert response.status_code in (200, 400, 404), response.status_code
    assert not outcome.writes, f"written on refusal: {outcome.writes}"
    assert mail.outbox == [], "an email left on refusal"
    form = response.context[form_name]
    if not form.is_bound:
        # `Form(request.POST or None)`: an empty POST (no field at all, which no browser sends)
        # shows the blank form again, saving nothing.
        assert not data, "a POST with data was not bound to the form"
        return
    assert_field_errors(form, outcome.html)
    lost = typed_values_kept(form, data, outcome.html)
    assert not lost, f"typed values lost: {lost}"


def shown_escaped(html: str, value: str) -> bool:
    """`value` is on the page only in its escaped form."""
    return escape(value) in html and (value == escape(value) or value not in html)


def mixed(valid: dict, **extra_fields) -> st.SearchStrategy[dict]:
    """Valid data with any field swapped for a hostile value or left out.

    Most examples are then refused for one or two reasons; some pass, and what they store
    must come back escaped.
    """
    choices = {
        name: st.one_of(st.just(value), hostile_value, st.just(None))
        for name, value in {**valid, **extra_fields}.items()
    }
    return st.fixed_dictionaries(choices).map(
        lambda data: {name: value for name, value in data.items() if value is not None}
    )


@contextmanager
def rolled_back():
    """One example's writes, undone when it ends (a savepoint inside the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
