"""The replica router: only `reporting_reads()` blocks read from the replica, if one exists."""

import pytest

from accounts.models import User
from core.db_routers import REPLICA, ReportingReplicaRouter, reading_for_reports, reporting_reads

router = ReportingReplicaRouter()


@pytest.fixture
def with_replica(settings, monkeypatch):
    replica = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    monkeypatch.setitem(settings.DATABASES, REPLICA, replica)


def test_without_a_replica_every_read_goes_to_the_primary():
    with reporting_reads():
        assert router.db_for_read(User) is None
    assert router.db_for_read(User) is None


def test_with_a_replica_only_report_reads_go_there(with_replica):
    assert router.db_for_read(User) is None
    with reporting_reads():
        assert reading_for_reports()
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_write(User) is None
    assert not reading_for_reports()
    assert router.db_for_read(User) is None


def test_the_block_ends_even_when_it_raises(with_replica):
    with pytest.raises(RuntimeError), reporting_reads():
        raise RuntimeError
    assert router.db_for_read(User) is None


def test_the_replica_is_never_migrated():
    assert router.allow_migrate(REPLICA, "accounts") is False
    assert router.allow_migrate("default", "accounts") is True
