"""Personas shared by the suite: a 杭州 holder, a 宁波 buyer, a bank, trading-centre staff, an outsider."""

import pytest

from market.models import OrganisationKind
from market.regions import City

from .factories import OrganisationFactory, UserFactory

pytest_plugins = ["tests.celery_worker"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def holder_org(db):
    return OrganisationFactory(name="杭州锂能新材料有限公司", city=City.HANGZHOU)


@pytest.fixture
def holder(holder_org):
    return UserFactory(username="holder", organisation=holder_org, display_name="张经理")


@pytest.fixture
def buyer_org(db):
    return OrganisationFactory(name="宁波甬江电池科技有限公司", city=City.NINGBO)


@pytest.fixture
def buyer(buyer_org):
    return UserFactory(username="buyer", organisation=buyer_org, display_name="李总")


@pytest.fixture
def bank_org(db):
    return OrganisationFactory(name="中国工商银行杭州分行", kind=OrganisationKind.BANK)


@pytest.fixture
def bank_officer(bank_org):
    return UserFactory(username="bank", organisation=bank_org, display_name="王行长")


@pytest.fixture
def staff_org(db):
    return OrganisationFactory(name="浙江知识产权交易中心", kind=OrganisationKind.TRADING_CENTRE)


@pytest.fixture
def staff(staff_org):
    return UserFactory(username="staff", organisation=staff_org, display_name="赵审核")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", organisation=OrganisationFactory(name="温州无关贸易有限公司",
                                                                             city=City.WENZHOU))


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
