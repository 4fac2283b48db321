"""A small market of real-text listings, indexed in the database backend, and a 宁波 buyer's demand.

The buyer (宁波甬江电池科技有限公司) wants a safe lithium-battery separator for power batteries. The
listings it should and should not be matched with:

==========  =========================================  ============  =========  ===========  ============
key         title                                      mode          price      holder city  IPC
==========  =========================================  ============  =========  ===========  ============
separator   一种高安全性锂电池隔膜及其制备方法           transfer      800,000    杭州         H01M50/403
electrolyte 锂离子电池电解液及其制备方法               licence       面议       宁波         H01M10/0567
bms         一种电池管理系统及均衡方法                 open licence  50,000     温州         H02J7/00
cellulose   一种醋酸纤维素膜的制备方法                 transfer      3,000,000  宁波         C08J5/18
pledged     锂电池隔膜生产线专利质押融资               pledge        2,000,000  温州         H01M50/403
own         锂电池隔膜回收方法 (the buyer's own)        transfer      300,000    宁波         H01M50/403
draft       高安全性锂电池隔膜（草稿） (never published) transfer      800,000    杭州         H01M50/403
==========  =========================================  ============  =========  ===========  ============
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from config import celery_app
from market.models import Listing, ListingMode, ListingState
from market.regions import City
from matching.services.demands import demand_create
from search.backends import get_search_backend, reset_search_backends

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory

DEMAND_TEXT = "寻求高安全性锂电池隔膜技术，要求热稳定性好、孔隙率高，用于动力电池。"


@dataclass
class Market:
    listings: dict[str, Listing] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Listing:
        return self.listings[key]


@pytest.fixture
def backend(settings, db):
    """The database backend, empty, as the default backend of this test."""
    settings.SEARCH_BACKEND = "database"
    reset_search_backends()
    backend = get_search_backend()
    backend.clear()
    yield backend
    reset_search_backends()


@pytest.fixture
def eager_tasks():
    """Queued tasks run in process even when a broker is configured."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def ningbo_holder(db):
    org = OrganisationFactory(name="宁波甬港新能源有限公司", city=City.NINGBO)
    return UserFactory(username="nb_holder", organisation=org, email="nb@example.cn")


@pytest.fixture
def wenzhou_holder(db):
    org = OrganisationFactory(name="温州瓯江电气有限公司", city=City.WENZHOU)
    return UserFactory(username="wz_holder", organisation=org)


def listing_of(user, title: str, abstract: str, ipc: str, mode: str, price, **fields) -> Listing:
    patent = PatentFactory(holders=[user.organisation], title=title, abstract=abstract, ipc_codes=[ipc], claims="")
    return ListingFactory(organisation=user.organisation, created_by=user, title=title, mode=mode,
                          asking_price=None if price is None else Decimal(price), patents=[patent], **fields)


@pytest.fixture
def market(backend, holder, buyer, ningbo_holder, wenzhou_holder) -> Market:
    """The listings of the module docstring, indexed (the draft too: the backend must leave it out)."""
    market = Market()
    market.listings = {
        "separator": listing_of(holder, "一种高安全性锂电池隔膜及其制备方法",
                                "本发明公开了一种锂电池隔膜，孔隙率高，热稳定性好，用于动力电池。", "H01M50/403",
                                ListingMode.TRANSFER, "800000.00"),
        "electrolyte": listing_of(ningbo_holder, "锂离子电池电解液及其制备方法",
                                  "一种锂离子电池电解液，提高动力电池的低温性能。", "H01M10/0567",
                                  ListingMode.LICENCE, None),
        "bms": listing_of(wenzhou_holder, "一种电池管理系统及均衡方法", "电池管理系统，用于均衡各单体电压。",
                          "H02J7/00", ListingMode.OPEN_LICENCE, "50000.00"),
        "cellulose": listing_of(ningbo_holder, "一种醋酸纤维素膜的制备方法", "以醋酸纤维素为原料制备分离膜。",
                                "C08J5/18", ListingMode.TRANSFER, "3000000.00"),
        "pledged": listing_of(wenzhou_holder, "锂电池隔膜生产线专利质押融资", "锂电池隔膜生产线，孔隙率高。",
                              "H01M50/403", ListingMode.PLEDGE, "2000000.00"),
        "own": listing_of(buyer, "锂电池隔膜回收方法", "回收废旧锂电池隔膜材料的方法。", "H01M50/403",
                          ListingMode.TRANSFER, "300000.00"),
        "draft": listing_of(holder, "高安全性锂电池隔膜（草稿）", "未公开的锂电池隔膜，热稳定性好。", "H01M50/403",
                            ListingMode.TRANSFER, "800000.00", state=ListingState.DRAFT, published_at=None),
    }
    backend.index_listings(Listing.objects.all())
    return market


@pytest.fixture
def demand(buyer):
    """The buyer's demand: separators for power batteries, transfer or licence, ¥500k–1m, in 杭州, IPC H01M."""
    return demand_create(actor=buyer, title="高安全性锂电池隔膜技术", text=DEMAND_TEXT, wanted_modes=["transfer", "licence"],
                         industry="new_materials", ipc_prefixes=["h01m"], budget_min="500000", budget_max="1000000",
                         regions=["杭州"])


def api_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
