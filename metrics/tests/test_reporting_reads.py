"""The dashboards and the metrics API read their figures inside `reporting_reads()` (the replica,
when one is configured); the scope check before them stays on the primary."""

import pytest
from django.urls import reverse

from core.db_routers import reading_for_reports
from metrics import selectors

from .test_views import PROGRAM, build_world, signed_in


@pytest.fixture
def world(db, make_user):
    return build_world(make_user)


@pytest.fixture
def seen(monkeypatch):
    """Which selectors ran, and whether each ran inside a reporting block."""
    calls = {}
    for name in ("program_dashboard", "partner_dashboard", "metric_evidence", "workshop_quality"):
        original = getattr(selectors, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            calls[_name] = reading_for_reports()
            return _original(*args, **kwargs)

        monkeypatch.setattr(selectors, name, spy)
    return calls


def test_the_pages_read_their_figures_for_reports(client, world, seen):
    signed_in(client, world["admin"])
    slug = world["alpha"].slug
    for url in (
        PROGRAM,
        reverse("metrics:quality"),
        reverse("workspace:metrics", args=[slug]),
        reverse("workspace:metric_evidence", args=[slug, "teachers_attended"]),
    ):
        assert client.get(url).status_code == 200, url
    assert seen == {
        "program_dashboard": True,
        "workshop_quality": True,
        "partner_dashboard": True,
        "metric_evidence": True,
    }
    assert not reading_for_reports()


def test_the_api_reads_its_figures_for_reports(client, world, seen):
    signed_in(client, world["admin"])
    assert client.get("/api/v1/metrics/partners/").status_code == 200
    assert client.get(f"/api/v1/metrics/partners/{world['alpha'].pk}/").status_code == 200
    assert seen == {"program_dashboard": True, "partner_dashboard": True}
