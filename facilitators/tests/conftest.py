import pytest

from core.program_years import next_program_year, previous_program_year
from facilitators.selectors import current_program_year
from partners.tests.factories import PartnerFactory, ProgramManagerFactory

from .factories import CourseFactory, FacilitatorFactory


@pytest.fixture
def year():
    return current_program_year()


@pytest.fixture
def next_year(year):
    return next_program_year(year)


@pytest.fixture
def last_year(year):
    return previous_program_year(year)


@pytest.fixture
def courses(db):
    return [CourseFactory(name=name) for name in ("CS Fundamentals", "CS Discoveries", "CS A")]


@pytest.fixture
def partner(db, regional_manager, courses):
    partner = PartnerFactory(name="Cascade Computing", regional_manager=regional_manager)
    partner.courses.set(courses[:2])
    return partner


@pytest.fixture
def other_partner(db, make_user):
    return PartnerFactory(
        name="Harborview Coding", regional_manager=make_user(role="regional_manager")
    )


@pytest.fixture
def pm(partner):
    return ProgramManagerFactory(partner=partner).user


@pytest.fixture
def other_pm(other_partner):
    return ProgramManagerFactory(partner=other_partner).user


@pytest.fixture
def other_rm(other_partner):
    return other_partner.regional_manager


@pytest.fixture
def felix(db):
    return FacilitatorFactory(first_name="Felix", last_name="Marchetti", email="felix@example.org")
