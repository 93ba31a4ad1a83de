import pytest

from core.fingerprint import tables_fingerprint
from geography.models import Region
from geography.tests.factories import RegionFactory
from partners.models import Partner
from partners.tests.factories import PartnerFactory


@pytest.mark.django_db
def test_fingerprint_changes_with_every_insert_update_and_delete(django_assert_num_queries):
    with django_assert_num_queries(1):
        empty = tables_fingerprint(Region, Partner)
    region = RegionFactory()
    inserted = tables_fingerprint(Region, Partner)
    region.name = "Renamed"
    region.save()
    updated = tables_fingerprint(Region, Partner)
    PartnerFactory()
    partner_added = tables_fingerprint(Region, Partner)
    region.delete()
    deleted = tables_fingerprint(Region, Partner)
    assert len({empty, inserted, updated, partner_added, deleted}) == 5
    assert tables_fingerprint(Region, Partner) == deleted
