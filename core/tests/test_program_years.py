import datetime

import pytest
from django.core.exceptions import ValidationError

from core.program_years import (
    next_program_year,
    previous_program_year,
    program_year_bounds,
    validate_program_year,
)


def test_years_before_and_after_cross_the_century():
    assert previous_program_year("2026-27") == "2025-26"
    assert next_program_year("2026-27") == "2027-28"
    assert next_program_year("2099-00") == "2100-01"
    assert previous_program_year("2100-01") == "2099-00"


def test_bounds_and_validation():
    assert program_year_bounds("2026-27") == (datetime.date(2026, 7, 1), datetime.date(2027, 6, 30))
    validate_program_year("2026-27")
    for bad in ("2026-28", "2026/27", "26-27", ""):
        with pytest.raises(ValidationError):
            validate_program_year(bad)
