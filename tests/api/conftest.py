"""The demo marketplace for the API's schema tests, and the app called in process (as schemathesis does)."""

import io

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from knox.models import AuthToken

from market.demo.seed import index_for_search
from market.models import OrganisationKind, User

from ..factories import OrganisationFactory, UserFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo marketplace and an unverified "bank", seeded once for the module inside a transaction that is
    rolled back at the end.

    The WSGI app is called directly: Django would close the database connection (and with it this
    transaction) at the end of each request, as its test client prevents too.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS),
              transaction.atomic()):
            call_command("seed_demo", "--no-search", stdout=io.StringIO())
            index_for_search()
            bank = OrganisationFactory(name="未认证银行", kind=OrganisationKind.BANK, verified=False)
            UserFactory(username="unverified_bank", organisation=bank)
            yield
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


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
