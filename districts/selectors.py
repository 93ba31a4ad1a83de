"""Reads for districts and schools."""

from django.db.models import Count, QuerySet

from geography.models import Region

from .models import School


def schools_in_region(region: Region | int, *, include_closed: bool = False) -> QuerySet[School]:
    """The schools whose ZIP code resolves to the region (see `ZipCode.region`).

    Open schools only unless `include_closed`. A school without a ZIP code is in no region.
    """
    schools = School.objects.filter(zip_code__region=region)
    if not include_closed:
        schools = schools.filter(is_active=True)
    return schools


def school_counts_by_region() -> dict[int, int]:
    """The number of open schools in each region, by region id; one query.

    Regions without a school are absent (count 0).
    """
    rows = (
        School.objects.filter(is_active=True, zip_code__region__isnull=False)
        .values_list("zip_code__region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)
