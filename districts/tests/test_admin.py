import pytest
from django.urls import reverse

from districts.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_search_and_filter(admin_client):
    school = SchoolFactory(name="Lincoln Elementary School", locale_code=13)
    SchoolFactory(name="Cedar Valley High School", lowest_grade="09", highest_grade="12")
    url = reverse("admin:districts_school_changelist")
    page = admin_client.get(url, {"q": school.nces_id})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    page = admin_client.get(url, {"locale__exact": "city", "state__id__exact": school.state_id})
    assert [s.pk for s in page.context["cl"].result_list] == [school.pk]
    page = admin_client.get(reverse("admin:districts_district_changelist"), {"q": "Cedar"})
    assert page.status_code == 200 and page.context["cl"].result_count == 2
    assert (
        admin_client.get(reverse("admin:districts_school_change", args=[school.pk])).status_code
        == 200
    )
