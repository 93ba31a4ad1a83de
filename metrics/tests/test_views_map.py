"""The program dashboard map's bands: round, equal, at most five, every value in one."""

from decimal import Decimal

import pytest

from metrics.map import band_for, value_bands
from metrics.models import Metric
from metrics.selectors import Unit


def labels(values, unit, metric):
    return [(band.label, band.count) for band in value_bands(values, unit, metric)]


def test_counts_fall_in_round_bands_of_whole_numbers():
    assert labels([3, 40, 120, 300, None], Unit.COUNT, Metric.STUDENTS_REACHED) == [
        ("0 to 99", 2),
        ("100 to 199", 1),
        ("200 to 300", 1),
    ]


def test_shares_fall_in_percent_bands():
    values = [Decimal("0.12"), Decimal("0.45"), Decimal("0.5"), Decimal("0.61")]
    # A 49-point spread in five bands would be 9.8 points wide: rounded up to 20.
    assert labels(values, Unit.SHARE, Metric.FEMALE_SHARE) == [
        ("0% to under 20%", 1),
        ("20% to under 40%", 0),
        ("40% to under 60%", 2),
        ("60% to under 80%", 1),
    ]


def test_growth_bands_are_signed():
    values = [Decimal("-0.2"), Decimal("0.1"), Decimal("1.5")]
    assert labels(values, Unit.SHARE, Metric.TEACHER_GROWTH) == [
        ("-50% to under 0%", 1),
        ("0% to under +50%", 1),
        ("+50% to under +100%", 0),
        ("+100% to +150%", 1),
    ]


def test_one_value_makes_one_middle_band():
    bands = value_bands([7], Unit.COUNT, Metric.SUMMITS_ATTENDED)
    assert [(b.label, b.step, b.count) for b in bands] == [("7", 3, 1)]


def test_no_value_makes_no_band():
    assert value_bands([None, None], Unit.MEAN, Metric.SURVEY_MEAN) == []
    assert band_for([], None) is None


@pytest.mark.parametrize(
    ("values", "unit", "metric"),
    [
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], Unit.COUNT, Metric.TEACHERS_ATTENDED),
        ([Decimal("3.1"), Decimal("4.9"), Decimal("4.2")], Unit.MEAN, Metric.SURVEY_MEAN),
        ([Decimal("0.5"), Decimal("0.75"), Decimal("2.25")], Unit.FTE, Metric.PM_FTE),
        ([Decimal("-0.2"), Decimal("0.1"), Decimal("1.5")], Unit.SHARE, Metric.TEACHER_GROWTH),
        ([0, 1_000_000], Unit.COUNT, Metric.STUDENTS_REACHED),
    ],
)
def test_every_value_is_in_a_band_and_darker_means_more(values, unit, metric):
    bands = value_bands(values, unit, metric)
    assert 1 <= len(bands) <= 5
    assert sum(band.count for band in bands) == len(values)
    steps = [band.step for band in bands]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    for value in values:
        band = band_for(bands, value)
        assert band.lower <= value <= band.upper
    assert bands[0].lower <= min(values) and bands[-1].upper >= max(values)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0, 1, 1, 0, 0], [("0", 3), ("1", 2)]),
        ([0, 2, 4], [("0", 1), ("1", 0), ("2", 1), ("3", 0), ("4", 1)]),
        ([2, 5], [("2", 1), ("3", 0), ("4", 0), ("5", 1)]),
    ],
)
def test_few_whole_numbers_get_a_band_each(values, expected):
    bands = value_bands(values, Unit.COUNT, Metric.SUMMITS_ATTENDED)
    assert [(band.label, band.count) for band in bands] == expected
    # Each its own colour, darker for more.
    steps = [band.step for band in bands]
    assert steps == sorted(set(steps))
    assert band_for(bands, 0 if 0 in values else 2) != band_for(bands, max(values))
