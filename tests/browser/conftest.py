import pytest


@pytest.fixture
def site(live_server, transactional_db):
    """A live server with the program content (a transactional test starts from an empty DB)."""
    from pages.services import content_ensure_defaults

    content_ensure_defaults()
    return live_server
