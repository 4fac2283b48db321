import pytest

from .builders import build_market


@pytest.fixture
def market(holder_org, buyer_org, bank_org):
    return build_market(holder_org, buyer_org, bank_org)
