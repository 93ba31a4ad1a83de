"""Targets: program admins only, units checked, blank deletes, every change in the history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tests.factories import UserFactory
from metrics.models import Metric, Target
from metrics.services import targets_history, targets_save
from partners.tests.factories import PartnerFactory

YEAR = "2026-27"
D = Decimal


@pytest.fixture
def partner(db):
    return PartnerFactory()


def saved(partner, year=YEAR):
    return dict(
        Target.objects.filter(partner=partner, program_year=year).values_list("metric", "value")
    )


def test_admin_sets_changes_and_deletes(partner, program_admin):
    targets_save(
        partner=partner,
        program_year=YEAR,
        values={Metric.TEACHERS_ATTENDED: D("40"), "female_share": "0.45", Metric.PM_FTE: None},
        user=program_admin,
    )
    assert saved(partner) == {"teachers_attended": D("40"), "female_share": D("0.45")}
    assert Target.objects.get(metric="female_share").set_by == program_admin
    # Left out: kept; blank: deleted; changed: updated.
    targets_save(
        partner=partner,
        program_year=YEAR,
        values={Metric.TEACHERS_ATTENDED: D("50"), Metric.FEMALE_SHARE: ""},
        user=program_admin,
    )
    assert saved(partner) == {"teachers_attended": D("50")}


@pytest.mark.parametrize("role", ["program_manager", "regional_manager", "teacher"])
def test_only_program_admins(partner, role):
    with pytest.raises(PermissionDenied):
        targets_save(
            partner=partner,
            program_year=YEAR,
            values={Metric.TEACHERS_ATTENDED: D("40")},
            user=UserFactory(role=role),
        )
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("metric", "value", "ok"),
    [
        (Metric.TEACHERS_ATTENDED, "0", True),
        (Metric.TEACHERS_ATTENDED, "12", True),
        (Metric.TEACHERS_ATTENDED, "12.5", False),  # a count is whole
        (Metric.TEACHERS_ATTENDED, "-1", False),
        (Metric.FEMALE_SHARE, "0", True),
        (Metric.FEMALE_SHARE, "1", True),
        (Metric.FEMALE_SHARE, "1.01", False),
        (Metric.FEMALE_SHARE, "45", False),  # a percentage, not a fraction
        (Metric.FEMALE_SHARE, "0.455", False),  # two decimal places at most
        (Metric.TEACHER_GROWTH, "2.5", True),  # +250%
        (Metric.TEACHER_GROWTH, "10.01", False),
        (Metric.TEACHER_GROWTH, "-0.1", False),
        (Metric.SURVEY_MEAN, "1", True),
        (Metric.SURVEY_MEAN, "5", True),
        (Metric.SURVEY_MEAN, "0.9", False),
        (Metric.SURVEY_MEAN, "5.1", False),
        (Metric.PM_FTE, "10", True),
        (Metric.PM_FTE, "10.5", False),
        (Metric.PM_FTE, "lots", False),
        (Metric.PM_FTE, "NaN", False),
    ],
)
def test_units_are_checked(partner, program_admin, metric, value, ok):
    values = {metric: value}
    if ok:
        targets_save(partner=partner, program_year=YEAR, values=values, user=program_admin)
        assert saved(partner) == {metric.value: D(value)}
    else:
        with pytest.raises(ValidationError) as error:
            targets_save(partner=partner, program_year=YEAR, values=values, user=program_admin)
        assert list(error.value.message_dict) == [metric.value]
        assert not Target.objects.exists()


def test_every_error_at_once_and_nothing_saved(partner, program_admin):
    with pytest.raises(ValidationError) as error:
        targets_save(
            partner=partner,
            program_year=YEAR,
            values={"teachers_attended": "1.5", "survey_mean": "9", "pm_fte": "0.5"},
            user=program_admin,
        )
    assert set(error.value.message_dict) == {"teachers_attended", "survey_mean"}
    assert not Target.objects.exists()


def test_unknown_metric_and_bad_year(partner, program_admin):
    with pytest.raises(ValidationError):
        targets_save(partner=partner, program_year=YEAR, values={"x": "1"}, user=program_admin)
    with pytest.raises(ValidationError):
        targets_save(partner=partner, program_year="2026-28", values={}, user=program_admin)


def test_history_names_who_changed_what(partner, program_admin, django_assert_max_num_queries):
    other = PartnerFactory()
    targets_save(
        partner=partner,
        program_year=YEAR,
        values={"teachers_attended": "40", "female_share": "0.45"},
        user=program_admin,
    )
    targets_save(
        partner=partner, program_year=YEAR, values={"teachers_attended": "55"}, user=program_admin
    )
    targets_save(
        partner=partner, program_year=YEAR, values={"female_share": None}, user=program_admin
    )
    # Another partner's and another year's targets are not in this history.
    targets_save(
        partner=other, program_year=YEAR, values={"teachers_attended": "9"}, user=program_admin
    )
    targets_save(
        partner=partner, program_year="2027-28", values={"pm_fte": "1"}, user=program_admin
    )
    with django_assert_max_num_queries(3):
        history = targets_history(partner, YEAR)
    assert [c.actor for c in history] == [str(program_admin)] * 3
    removed, changed, created = history
    assert [(i.label, i.old, i.new, i.note) for i in removed.items] == [
        ("Female students", "45%", None, "Removed")
    ]
    assert [(i.label, i.old, i.new) for i in changed.items] == [
        ("Teachers who attended", "40", "55")
    ]
    assert sorted((i.label, i.old, i.new) for i in created.items) == [
        ("Female students", None, "45%"),
        ("Teachers who attended", None, "40"),
    ]


def test_saving_the_same_value_writes_nothing(partner, program_admin):
    targets_save(partner=partner, program_year=YEAR, values={"pm_fte": "0.5"}, user=program_admin)
    targets_save(partner=partner, program_year=YEAR, values={"pm_fte": "0.50"}, user=program_admin)
    assert len(targets_history(partner, YEAR)) == 1


def test_history_shows_values_at_the_precision_they_are_kept(partner, program_admin):
    # A mean target of 4.47 changed to 4.5 read "4.5 -> 4.5" (means were shown to one
    # decimal); targets and figures are now shown as kept and judged (QA of issue 8, 9).
    targets_save(
        partner=partner, program_year=YEAR, values={"survey_mean": "4.47"}, user=program_admin
    )
    targets_save(
        partner=partner, program_year=YEAR, values={"survey_mean": "4.5"}, user=program_admin
    )
    changed, _ = targets_history(partner, YEAR)
    assert [(i.old, i.new) for i in changed.items] == [("4.47", "4.50")]


def test_a_share_target_is_a_whole_percentage(partner, program_admin):
    with pytest.raises(ValidationError) as error:
        targets_save(
            partner=partner, program_year=YEAR, values={"female_share": "0.455"}, user=program_admin
        )
    assert error.value.message_dict == {
        "female_share": ["Use a whole percentage: at most two decimal places (0.45 is 45%)."]
    }
