"""A catalogue of listings built from real Chinese patent text (data/kppatent_sample.jsonl, MIT), and the
search engines the backends' tests run against.

Fields the records lack (IPC, holder, city, kind, status, dates, price, mode) are filled in
deterministically from the record's position, so that filters and facets have known answers.

Elasticsearch: a real server when ``ELASTICSEARCH_URL`` is set (each test gets its own index prefix,
deleted afterwards), otherwise osmem-server (its pytest plugin's ``osmem_clone``: an empty in-memory
copy per test, on its own port), reached through the compatibility node of
``search.backends.elasticsearch.transport``.
"""

import copy
import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from config import celery_app
from market.models import LegalStatus, Listing, ListingMode, ListingState, Patent, PatentKind
from market.regions import City
from search.backends import get_search_backend, reset_search_backends
from search.documents import documents_for
from search.tokenize import normalise

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory

DATA = Path(__file__).parent / "data" / "kppatent_sample.jsonl"
MODES = [ListingMode.TRANSFER, ListingMode.LICENCE, ListingMode.OPEN_LICENCE, ListingMode.TRANSFER,
         ListingMode.PLEDGE]
OTHER_IPC = ["G06F16/33", "A61K8/00", "E21B43/20", "B22F3/00", "C01B32/00", "D06F37/00", "F16C19/00"]
PUBLISHED_BASE = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def load_records() -> list[dict]:
    with DATA.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _ipc_for(record: dict, i: int) -> list[str]:
    if "电池" in record["title"]:
        return ["H01M10/0525"]
    if "纤维素" in record["title"]:
        return ["C08B15/02"]
    return [OTHER_IPC[i % len(OTHER_IPC)]]


def _price_for(i: int) -> Decimal | None:
    if i % 5 == 4:
        return None  # 面议
    if i % 9 == 8:
        return Decimal("6000000.00")
    return Decimal(40_000 * (1 + (i * 7) % 30)).quantize(Decimal("0.01"))


@dataclass
class Catalogue:
    """The listings of the fixture and the truths the tests compare search results with."""

    listings: list[Listing] = field(default_factory=list)
    hidden: list[Listing] = field(default_factory=list)  # never published: must never be found
    named: dict[str, Listing] = field(default_factory=dict)

    def text(self, listing: Listing) -> str:
        """Every text field the index reads, normalised like the tokeniser does."""
        parts = [listing.title, listing.description, listing.organisation.name]
        for patent in listing.patents.all():
            parts += [patent.title, patent.abstract, patent.first_claim, patent.claims, patent.publication_number]
            parts += [o.organisation.name for o in patent.ownerships.all()]
        return normalise("\n".join(parts))

    def containing(self, *words: str) -> set[int]:
        """Ids of the published listings whose text contains every word."""
        return {listing.pk for listing in self.listings if all(normalise(w) in self.text(listing) for w in words)}

    def ids(self, predicate=lambda listing: True) -> set[int]:
        return {listing.pk for listing in self.listings if predicate(listing)}

    @staticmethod
    def patents(listing: Listing) -> list[Patent]:
        return list(listing.patents.all())


def build_catalogue() -> Catalogue:
    orgs = [
        OrganisationFactory(name="杭州之江新材有限公司", city=City.HANGZHOU),
        OrganisationFactory(name="宁波甬港机械有限公司", city=City.NINGBO),
        OrganisationFactory(name="温州鹿城装备有限公司", city=City.WENZHOU),
    ]
    # One user per organisation: each new user costs a password hash.
    users = {org.pk: UserFactory(organisation=org) for org in orgs}
    catalogue = Catalogue()
    for i, record in enumerate(load_records()):
        org = orgs[[0, 0, 1, 2, 0][i % 5]]
        patent = PatentFactory(
            holders=[org],
            title=record["title"],
            abstract=record["abstract"],
            claims=record["claims"],
            first_claim=record["claims"].split("\n")[0],
            publication_number=record["publication_number"] or "",
            ipc_codes=_ipc_for(record, i),
            kind=PatentKind.UTILITY_MODEL if i % 7 == 3 else PatentKind.INVENTION,
            legal_status=LegalStatus.PENDING if i % 6 == 5 else LegalStatus.GRANTED,
            filing_date=dt.date(2006 + (i * 5) % 19, 1 + i % 12, 10),
        )
        listing = ListingFactory(organisation=org, created_by=users[org.pk], title=record["title"],
                                 mode=MODES[i % len(MODES)],
                                 asking_price=_price_for(i), patents=[patent],
                                 published_at=PUBLISHED_BASE - dt.timedelta(days=(i * 11) % 30, hours=i))
        catalogue.listings.append(listing)
        catalogue.named[record["id"]] = listing

    def extra(key, title, abstract, ipc, org, mode, price, claims="", kind=PatentKind.INVENTION, **listing_fields):
        patent = PatentFactory(holders=[org], title=title, abstract=abstract, claims=claims, ipc_codes=[ipc],
                               kind=kind, filing_date=dt.date(2020, 5, 20))
        listing = ListingFactory(organisation=org, created_by=users[org.pk], title=title, mode=mode,
                                 asking_price=price, patents=[patent], **listing_fields)
        catalogue.named[key] = listing
        return listing

    # Words that jieba's search mode alone would miss or split (docs/search.md).
    catalogue.listings += [
        extra("锂电池隔膜", "一种锂电池隔膜及其制备方法", "本发明公开了一种锂电池隔膜，孔隙率高，热稳定性好。",
              "H01M50/403", orgs[0], ListingMode.TRANSFER, Decimal("800000.00")),
        extra("电池管理系统", "一种电池管理系统及均衡方法", "本发明涉及一种电池管理系统，用于均衡各单体电压。",
              "H02J7/00", orgs[1], ListingMode.LICENCE, None),
        extra("醋酸纤维素膜", "一种醋酸纤维素膜的制备方法", "以醋酸纤维素为原料制备分离膜。",
              "C08J5/18", orgs[2], ListingMode.OPEN_LICENCE, Decimal("120000.00")),
        extra("分布式调度", "一种分布式调度方法及系统", "本发明提供一种面向云计算的分布式调度方法。",
              "G06F9/50", orgs[0], ListingMode.PLEDGE, Decimal("3000000.00")),
    ]
    # A package: a co-owned utility model and an invention; it counts under both kinds.
    storage = PatentFactory(holders=[orgs[1], orgs[2]], title="一种储能电池箱", abstract="储能电池箱的散热结构。",
                            kind=PatentKind.UTILITY_MODEL, ipc_codes=["H01M50/20"], filing_date=dt.date(2024, 2, 1))
    cleaner = PatentFactory(holders=[orgs[1]], title="一种光伏组件清洗装置", abstract="清洗光伏组件表面的装置。",
                            ipc_codes=["H02S40/10"], filing_date=dt.date(2023, 8, 8))
    package = ListingFactory(organisation=orgs[1], created_by=users[orgs[1].pk], title="储能与光伏专利包",
                             mode=ListingMode.TRANSFER, asking_price=Decimal("2500000.00"), patents=[storage, cleaner])
    catalogue.named["专利包"] = package
    catalogue.listings.append(package)

    for state in (ListingState.DRAFT, ListingState.SUBMITTED, ListingState.WITHDRAWN, ListingState.REJECTED):
        patent = PatentFactory(holders=[orgs[0]], title=f"一种电池热管理装置（{state}）",
                               abstract="未公开的电池挂牌。", ipc_codes=["H01M10/613"])
        catalogue.hidden.append(ListingFactory(organisation=orgs[0], created_by=users[orgs[0].pk],
                                               title=f"未公开电池挂牌 {state}", state=state, published_at=None,
                                               patents=[patent]))
    return catalogue


def fresh_backend(settings, name: str):
    """The backend ``name``, emptied, and the default backend (of tasks and the API) for this test."""
    # Elasticsearch: writes refresh the index at once, so that the next search sees them.
    settings.SEARCH_BACKEND = {"BACKEND": name, "REFRESH": "true"} if name == "elasticsearch" else name
    reset_search_backends()
    backend = get_search_backend()
    backend.clear()
    return backend


@pytest.fixture
def elasticsearch_settings(request, settings):
    """Settings that point the elasticsearch backend at a server of this test's own (see the module doc)."""
    url = os.environ.get("ELASTICSEARCH_URL", "")
    settings.SEARCH_INDEX_PREFIX = f"test_{uuid.uuid4().hex[:12]}"
    if url:
        settings.ELASTICSEARCH_URL = url
        settings.ELASTICSEARCH_COMPATIBILITY_SERVER = False
    else:
        settings.ELASTICSEARCH_URL = request.getfixturevalue("osmem_clone").url
        settings.ELASTICSEARCH_COMPATIBILITY_SERVER = True
    yield settings
    if url:
        from elasticsearch import Elasticsearch

        Elasticsearch(url).options(ignore_status=404).indices.delete(index=f"{settings.SEARCH_INDEX_PREFIX}_*")


def backend_fixture(request, settings, name: str):
    if name == "elasticsearch":
        request.getfixturevalue("elasticsearch_settings")
    yield fresh_backend(settings, name)
    reset_search_backends()


@pytest.fixture
def backend(request, settings, db):
    """The database backend, empty; contract test classes override it with their own."""
    yield from backend_fixture(request, settings, "database")


@pytest.fixture
def es_backend(request, settings, db):
    """The elasticsearch backend, empty, as the configured backend of this test."""
    yield from backend_fixture(request, settings, "elasticsearch")


@pytest.fixture(scope="module")
def shared_catalogue(django_db_setup, django_db_blocker):
    """The catalogue's rows and documents, built once per test module, as Django's ``setUpTestData`` does.

    They are written in a transaction that stays open for the module; each test runs in a savepoint
    inside it (pytest-django's ``db``), so what a test changes is rolled back and the next test finds
    the catalogue as built. Building it costs ~1 s on PostgreSQL: per test, that was most of the time.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            catalogue = build_catalogue()
            yield catalogue, documents_for(catalogue.listings + catalogue.hidden)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def catalogue(backend, shared_catalogue) -> Catalogue:
    """The catalogue, indexed; the unpublished listings have no document, so they stay out of the index.

    A copy per test: tests move listings' states in memory as well as in the database.
    """
    built, documents = shared_catalogue
    backend.index_documents(documents)
    return copy.deepcopy(built)


@pytest.fixture
def eager_tasks():
    """Run queued tasks in process even when a broker is configured (CI may set CELERY_BROKER_URL)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous

