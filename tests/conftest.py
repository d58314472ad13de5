import pytest
from django.core.cache import cache
from django.utils import translation

from crm.roles import Role
from tests.factories import UserFactory
from tests.form_pages import form_pages  # noqa: F401  (a fixture: every page with a form)


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    """Each test starts in English with an empty cache (a French request leaves French active)."""
    cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.OFFICER, email="officer@example.test")


@pytest.fixture
def manager(db):
    return UserFactory(role=Role.MANAGER, email="manager@example.test")


@pytest.fixture
def administrator(db):
    return UserFactory(role=Role.ADMINISTRATOR, email="admin@example.test")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def admin_client_(client, administrator):
    client.force_login(administrator)
    return client


def pytest_terminal_summary(terminalreporter):
    """How many hostile inputs the property-based tests tried (tests/crm/test_hostile_input.py)."""
    from tests.crm.test_hostile_input import TRIED

    if TRIED:
        counts = ", ".join(f"{surface} {count}" for surface, count in sorted(TRIED.items()))
        terminalreporter.write_line(f"hostile-input tests tried {sum(TRIED.values())} inputs: {counts}")
