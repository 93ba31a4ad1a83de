"""How people type ZIP codes: `normalize_zip` takes the usual forms and refuses the rest."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geography.zips import MalformedZip, normalize_zip


@pytest.mark.parametrize(
    ("typed", "zip_code"),
    [
        ("98101", "98101"),
        (" 98101 ", "98101"),
        ("98101-1234", "98101"),
        ("98101 1234", "98101"),
        ("981011234", "98101"),
        ("\uff19\uff18\uff11\uff10\uff11", "98101"),  # full-width, from a phone keyboard
        ("\u0669\u0668\u0661\u0660\u0661", "98101"),  # Arabic-Indic digits
    ],
)
def test_the_forms_people_type(typed, zip_code):
    assert normalize_zip(typed) == zip_code


@pytest.mark.parametrize("typed", ["", "   ", "9810", "981011", "98101-12", "abcde", "98 101"])
def test_what_is_not_a_zip_code_is_refused_with_the_shape_explained(typed):
    with pytest.raises(MalformedZip, match="five digits"):
        normalize_zip(typed)


@given(st.text(max_size=30))
def test_any_text_gives_five_ascii_digits_or_a_clear_refusal(typed):
    try:
        zip_code = normalize_zip(typed)
    except MalformedZip as refusal:
        assert str(refusal)
    else:
        assert len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit()
