"""Fixtures of the pledge tests: patents of the 杭州 holder, a second bank, documents in a temporary folder."""

import datetime as dt

import pytest

from market.models import OrganisationKind
from tests.factories import OrganisationFactory, PatentFactory, UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def patent(holder_org):
    return PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法", applicants=holder_org.name,
                         filing_date=dt.date(2019, 3, 1), grant_date=dt.date(2021, 6, 1))


@pytest.fixture
def second_patent(holder_org):
    return PatentFactory(holders=[holder_org], title="一种电池管理系统", applicants=holder_org.name,
                         filing_date=dt.date(2020, 5, 8), grant_date=dt.date(2022, 2, 1))


@pytest.fixture
def other_bank(db):
    return OrganisationFactory(name="宁波甬江银行", kind=OrganisationKind.BANK)


@pytest.fixture
def other_banker(other_bank):
    return UserFactory(username="banker2", organisation=other_bank)
