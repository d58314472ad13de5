import pytest
from django.test import override_settings

from communications.models import Concern
from crm.webhooks import services
from tests.crm.webhooks import receiver as receivers
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def receiver():
    made = receivers.start()
    with override_settings(WEBHOOKS_ALLOW_LOCAL_HTTP=True, WEBHOOKS_TIMEOUT=5):
        yield made
    made.close()


@pytest.fixture
def endpoint(receiver, administrator):
    """An endpoint for every event, its secret given to the receiver."""
    from crm.webhooks.events import WEBHOOK_EVENTS

    made, secret = services.endpoint_create(
        name="Partner system", url=receiver.url, events=list(WEBHOOK_EVENTS), actor=administrator
    )
    receiver.secret = secret
    return made


@pytest.fixture
def raise_concern(db):
    def raise_(**fields):
        from communications import services as log

        values = {
            "organization": OrganizationFactory(name="Sahel Transit"),
            "summary": "Delays",
            "author": UserFactory(),
        }
        return log.concern_save(concern=Concern(**(values | fields)))

    return raise_
