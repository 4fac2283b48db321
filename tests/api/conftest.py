"""The demo marketplace for the API's schema tests, and the app called in process (as schemathesis does)."""

import pytest
from knox.models import AuthToken

from market.models import OrganisationKind, User

from ..demo_marketplace import seeded_demo
from ..factories import OrganisationFactory, UserFactory


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo marketplace and an unverified "bank", seeded once for the module and rolled back at the end.

    The WSGI app is called directly, in the same transaction (tests/demo_marketplace.py).
    """
    with seeded_demo(django_db_blocker):
        bank = OrganisationFactory(name="未认证银行", kind=OrganisationKind.BANK, verified=False)
        UserFactory(username="unverified_bank", organisation=bank)
        yield


@pytest.fixture
def api_schema(demo, db, settings):
    """The API's schema as schemathesis reads it from the app; throttles off (these tests flood on purpose)."""
    import schemathesis

    from config.wsgi import application

    settings.THROTTLE_RATES = {scope: None for scope in settings.THROTTLE_RATES}
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def headers_for(role: str) -> dict[str, str]:
    """Request headers of a demo account (an API token), or none for the anonymous visitor."""
    if role == "anonymous":
        return {}
    return {"Authorization": f"Token {AuthToken.objects.create(User.objects.get(username=role))[1]}"}
