"""Program years: July 1 to June 30, written "2026-27". One definition for every app."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

PROGRAM_YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")
program_year_validator = RegexValidator(PROGRAM_YEAR_RE, "Use the form 2026-27.")


def program_year_for(day: datetime.date) -> str:
    """The program year a day falls in: July 1 to June 30, written "2026-27"."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def program_year_start(year: str) -> int:
    """The calendar year a program year starts in ("2026-27" -> 2026); ValueError if malformed."""
    match = PROGRAM_YEAR_RE.match(year or "")
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"Not a program year: {year!r}")
    return int(match[1])


def program_year_bounds(year: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a program year ("2026-27" -> 2026-07-01, 2027-06-30)."""
    start = program_year_start(year)
    return datetime.date(start, 7, 1), datetime.date(start + 1, 6, 30)


def program_year_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def previous_program_year(year: str) -> str:
    """The program year before ("2026-27" -> "2025-26")."""
    return program_year_label(program_year_start(year) - 1)


def next_program_year(year: str) -> str:
    """The program year after ("2026-27" -> "2027-28")."""
    return program_year_label(program_year_start(year) + 1)


def program_year_choices(around: datetime.date, *, before: int = 1, after: int = 1) -> list:
    """Choices for a program-year field: the year of `around`, with some before and after."""
    current = program_year_start(program_year_for(around))
    years = [program_year_label(y) for y in range(current - before, current + after + 1)]
    return [(y, y) for y in years]


def validate_program_year(value: str) -> None:
    """A program year in the form 2026-27, the second year following the first."""
    try:
        program_year_start(value)
    except ValueError:
        raise ValidationError(
            "Use the form 2026-27, the second year following the first.", code="program_year"
        ) from None


def program_year_field(**kwargs) -> models.CharField:
    kwargs.setdefault("help_text", "July to June, e.g. 2026-27.")
    return models.CharField(max_length=7, validators=[validate_program_year], **kwargs)
