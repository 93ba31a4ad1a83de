from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from districts.models import School, locale_for_code
from districts.tests.factories import DistrictFactory, SchoolFactory
from workshops.models import Course

pytestmark = pytest.mark.django_db

Band = Course.GradeBand


@pytest.mark.parametrize("field", ["frl_share", "urm_share", "female_share"])
@pytest.mark.parametrize("value", [Decimal("1.0001"), Decimal("-0.0001")])
def test_shares_outside_zero_to_one_are_refused_by_the_database(field, value):
    school = SchoolFactory.build(district=DistrictFactory())
    setattr(school, field, value)
    with pytest.raises(ValidationError) as invalid:
        school.full_clean()
    assert field in invalid.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        School.objects.bulk_create([school])  # no validation on this path: the check holds


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("1"), None])
def test_shares_at_the_bounds_or_unknown_are_stored(value):
    SchoolFactory(frl_share=value, urm_share=value, female_share=value)


def test_the_locale_code_decides_the_locale():
    school = SchoolFactory(locale_code=42)
    assert (school.locale, school.get_locale_code_display()) == ("rural", "Rural: Distant")
    assert school.is_rural
    mismatched = SchoolFactory.build(district=school.district, locale="city", locale_code=42)
    with transaction.atomic(), pytest.raises(IntegrityError):
        School.objects.bulk_create([mismatched])
    SchoolFactory(locale="suburb", locale_code=None)  # set by hand, no code: allowed


@pytest.mark.parametrize(
    ("code", "locale"),
    [(11, "city"), (13, "city"), (21, "suburb"), (33, "town"), (41, "rural"), (43, "rural")],
)
def test_locale_for_code(code, locale):
    assert locale_for_code(code) == locale


@pytest.mark.parametrize("code", [None, 0, 14, 44, 51])
def test_unknown_locale_codes_have_no_locale(code):
    assert locale_for_code(code) == ""


def test_nces_ids_have_their_length_in_the_database():
    district = DistrictFactory()
    with transaction.atomic(), pytest.raises(IntegrityError):
        SchoolFactory(district=district, nces_id=f"{district.nces_id}0001")
    with pytest.raises(ValidationError):
        SchoolFactory.build(district=district, nces_id="53000O100001").full_clean()


@pytest.mark.parametrize(
    ("lowest", "highest", "span", "bands"),
    [
        ("KG", "05", "K-5", [Band.ELEMENTARY]),
        ("PK", "08", "PK-8", [Band.ELEMENTARY, Band.MIDDLE]),
        ("06", "08", "6-8", [Band.MIDDLE]),
        ("07", "12", "7-12", [Band.MIDDLE, Band.HIGH]),
        ("09", "12", "9-12", [Band.HIGH]),
        ("KG", "12", "K-12", [Band.ELEMENTARY, Band.MIDDLE, Band.HIGH]),
        ("PK", "PK", "PK", []),
        ("12", "13", "12-13", [Band.HIGH]),
        ("UG", "UG", "UG", []),
        ("", "", "", []),
    ],
)
def test_grade_span_and_bands(lowest, highest, span, bands):
    school = School(lowest_grade=lowest, highest_grade=highest)
    assert school.grade_span == span
    assert school.grade_bands == bands
    assert school.serves_band(Band.MIDDLE) == (Band.MIDDLE in bands)


def test_grades_must_not_be_inverted():
    school = SchoolFactory.build(district=DistrictFactory(), lowest_grade="09", highest_grade="05")
    with pytest.raises(ValidationError) as invalid:
        school.full_clean()
    assert "highest_grade" in invalid.value.message_dict


@pytest.mark.parametrize(
    ("share", "high_need"),
    [(Decimal("0.4999"), False), (Decimal("0.5000"), True), (Decimal("0.9"), True), (None, False)],
)
def test_high_need_is_half_or_more_on_free_or_reduced_lunch(share, high_need):
    school = SchoolFactory(frl_share=share)
    assert school.is_high_need is high_need
    assert School.objects.high_need().filter(pk=school.pk).exists() is high_need
