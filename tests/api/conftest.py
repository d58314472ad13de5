import pytest
from django.test import Client

from crm.accounts.tokens import token_create


def bearer(user, **kwargs) -> Client:
    """A client sending a fresh personal token of `user` (no session, no cookie)."""
    _token, key = token_create(user=user, name="tests", **kwargs)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def officer_api(officer):
    return bearer(officer)


@pytest.fixture
def manager_api(manager):
    return bearer(manager)


@pytest.fixture
def admin_api(administrator):
    return bearer(administrator)
