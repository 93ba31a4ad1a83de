import pytest
from django.core import mail

from geography.models import InterestSignup, RegionState, State, ZipCode
from geography.services import regions_reindex
from geography.tests.factories import RegionFactory
from partners.tests.factories import PartnerFactory


@pytest.fixture
def waiting(geography):
    region = RegionFactory(name="New York", status="open")
    RegionState.objects.create(region=region, state=State.objects.get(code="NY"))
    regions_reindex()
    for n, code in enumerate(["10001", "10002"]):
        place = ZipCode.objects.get(code=code)
        InterestSignup.objects.create(
            email=f"t{n}@example.org", role="teacher", zip_code=place, region=place.region
        )
    return region


@pytest.mark.django_db
def test_people_waiting_are_told_once_when_a_partner_starts_serving(
    waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        waiting.partner = PartnerFactory(name="Empire CS")
        waiting.status = "onboarding"
        waiting.save()
    assert mail.outbox == []  # onboarding is not serving yet

    with django_capture_on_commit_callbacks(execute=True):
        waiting.status = "served"
        waiting.save()
    assert sorted(m.to[0] for m in mail.outbox) == ["t0@example.org", "t1@example.org"]
    assert "Empire CS" in mail.outbox[0].body and "/partners/empire-cs/" in mail.outbox[0].body
    assert not InterestSignup.objects.filter(notified_at__isnull=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        waiting.description = "Still served"
        waiting.save()
    assert len(mail.outbox) == 2  # not again
