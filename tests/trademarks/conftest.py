"""Fixtures of the trademark tests: documents in a temporary folder; after each test the ledger balances."""

import pytest

from market.services.ledger import ledger_problems


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def books_balance(db):
    yield
    assert ledger_problems() == []
