"""Generated deal history: years of closed transfers and pledge loans, so that the
statistics cockpit of a fresh demo looks like a market (and its benchmark has a million rows to count).

Every row is invented and marked ``demo_key = "history"``; its parties are generated organisations whose
names end in （演示）, in every city of Zhejiang. Only finished states are generated (transfers closed, loans
released, settled, refused or withdrawn), so no queue, reminder or ledger check ever waits on them; they
carry no payments or documents. (Licences are left out: a licence in effect is a register entry.)
Rows are bulk-inserted: the dates are the history's, not the insertion's.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from market.models import Listing, ListingMode, ListingState, Organisation, OrganisationKind, Patent, User
from market.money import cny
from market.pledges.models import PledgeLoan, PledgeLoanPatent, PledgeLoanState, RepaymentPlan
from market.regions import City
from market.transfers.models import HISTORY_DEMO_KEY, DealState, TransferDeal

from .identifiers import credit_code

HISTORY = HISTORY_DEMO_KEY
HISTORY_LISTING = "历史成交（演示）"  # the one closed listing each generated seller's deals hang on
_KINDS = (OrganisationKind.ENTERPRISE, OrganisationKind.ENTERPRISE, OrganisationKind.UNIVERSITY,
          OrganisationKind.RESEARCH_INSTITUTE)
_BANK_CITIES = (City.HANGZHOU, City.NINGBO, City.WENZHOU, City.SHAOXING)
_BASE_PRICE = {"invention": 260_000, "utility_model": 70_000, "design": 40_000}
_INDUSTRY_FACTOR = {"digital": 1.4, "life_health": 1.3, "new_materials": 1.2, "other": 1.0}
BATCH = 5000


@dataclass
class HistoryParties:
    holders: list[Organisation]
    banks: list[Organisation]
    listings: dict[int, Listing]  # holder id → its history listing
    creator: User


def history_parties(creator: User, per_city: int = 4) -> HistoryParties:
    """The generated organisations (several in every city, of every holder kind, and four banks), created once."""
    holders, banks = [], []
    for city in [c for c in City if c != City.OTHER]:
        for n in range(per_city):
            kind = _KINDS[n % len(_KINDS)]
            noun = {"enterprise": "科技有限公司", "university": "理工学院", "institute": "技术研究院"}[kind]
            name = f"{city.label}{'甲乙丙丁戊己庚辛'[n]}{noun}（演示）"
            holders.append(_organisation(name, kind, city))
    for city in _BANK_CITIES:
        banks.append(_organisation(f"{City(city).label}科创银行（演示）", OrganisationKind.BANK, city))
    listings = {}
    for holder in holders:
        listing = Listing.objects.filter(organisation=holder, title=HISTORY_LISTING).first()
        if listing is None:
            listing = Listing(organisation=holder, created_by=creator, title=HISTORY_LISTING, mode=ListingMode.TRANSFER,
                              state=ListingState.CLOSED)
            listing.save()
        listings[holder.pk] = listing
    return HistoryParties(holders, banks, listings, creator)


def _organisation(name: str, kind: str, city: str) -> Organisation:
    code = credit_code(name, kind=kind, city=city)
    org, _ = Organisation.objects.get_or_create(credit_code=code, defaults={
        "name": name, "kind": kind, "city": city, "verified": False})
    return org


@contextmanager
def _dates_as_given(*models):
    """Bulk inserts keep the history's creation times (auto_now_add would stamp today)."""
    fields = [m._meta.get_field("created_at") for m in models]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def _price(rng: random.Random, patent: tuple, day: dt.date, start: dt.date) -> Decimal:
    """A lognormal price around the kind's and industry's level, rising about 6 % a year."""
    _, kind, industry = patent
    level = _BASE_PRICE.get(kind, 50_000) * _INDUSTRY_FACTOR.get(industry, 1.0)
    years = (day - start).days / 365.25
    return cny(round(level * math.exp(rng.gauss(0, 0.45)) * 1.06 ** years, -2))


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60))))


def generate_history(*, count: int, end: dt.date, months: int = 36, seed: int = 2026, creator: User,
                     patents: list[tuple[int, str, str]] | None = None) -> dict[str, int]:
    """Insert ``count`` deals and loans (three fifths transfers, the rest pledge loans) dated over
    the ``months`` before ``end``; ``patents`` are (id, kind, industry) to draw from (default: every patent)."""
    rng = random.Random(seed)
    parties = history_parties(creator)
    patents = patents or list(Patent.objects.values_list("pk", "kind", "industry"))
    start = end - dt.timedelta(days=round(months * 30.44))
    span = (end - start).days
    made = {"transfers": 0, "loans": 0}
    with _dates_as_given(TransferDeal, PledgeLoan):
        remaining = count
        while remaining > 0:
            size = min(BATCH, remaining)
            with transaction.atomic():
                _batch(rng, size, parties, patents, start, span, end, made)
            remaining -= size
    return made


def _batch(rng, size, parties, patents, start, span, end, made) -> None:
    deals, deal_patents, loans, loan_patents = [], [], [], []
    for _ in range(size):
        roll = rng.random()
        patent = rng.choice(patents)
        seller, buyer = rng.sample(parties.holders, 2)
        opened = start + dt.timedelta(days=rng.randrange(span))
        if roll < 0.6:
            filed = opened + dt.timedelta(days=rng.randint(20, 70))
            registered = filed + dt.timedelta(days=rng.randint(10, 40))
            if registered > end:
                registered = filed = end - dt.timedelta(days=1)
                opened = min(opened, filed - dt.timedelta(days=20))
            deals.append(TransferDeal(
                listing=parties.listings[seller.pk], seller=seller, buyer=buyer, state=DealState.CLOSED,
                price=_price(rng, patent, registered, start), created_by=parties.creator,
                created_at=_moment(opened, rng), filed_at=_moment(filed, rng), registered_at=_moment(registered, rng),
                closed_at=_moment(registered, rng), demo_key=HISTORY))
            deal_patents.append(patent[0])
        else:
            loans.append(_loan(rng, seller, rng.choice(parties.banks), patent, opened, end, parties.creator))
            loan_patents.append(patent[0])
    TransferDeal.objects.bulk_create(deals)
    through = TransferDeal.patents.through
    through.objects.bulk_create([through(transferdeal_id=d.pk, patent_id=p) for d, p in zip(deals, deal_patents,
                                                                                          strict=True)])
    PledgeLoan.objects.bulk_create(loans)
    PledgeLoanPatent.objects.bulk_create([PledgeLoanPatent(loan_id=loan.pk, patent_id=p, released_at=loan.closed_at)
                                          for loan, p in zip(loans, loan_patents, strict=True)])
    made["transfers"] += len(deals)
    made["loans"] += len(loans)


def _loan(rng, applicant, bank, patent, opened, end, creator) -> PledgeLoan:
    """A finished loan: refused, withdrawn, repaid and released (early if its term runs past ``end``), or
    defaulted and settled by auction."""
    asked = cny(round(float(_price(rng, patent, opened, opened)) * rng.uniform(3, 12), -4))
    fields = dict(applicant=applicant, bank=bank, amount_requested=asked, term_months=12, purpose="流动资金",
                  repayment_plan=RepaymentPlan.BULLET, created_by=creator, created_at=_moment(opened, rng),
                  demo_key=HISTORY)
    decided = opened + dt.timedelta(days=rng.randint(5, 25))
    disbursed = decided + dt.timedelta(days=rng.randint(8, 30))
    roll = rng.random()
    if roll < 0.2 or disbursed >= end - dt.timedelta(days=5):
        refused = roll < 0.15 or decided < end - dt.timedelta(days=5)
        moment = _moment(min(decided, end), rng)
        return PledgeLoan(**fields, state=PledgeLoanState.REJECTED if refused else PledgeLoanState.WITHDRAWN,
                          decided_at=moment if refused else None, closed_at=moment)
    amount = cny(asked * Decimal(rng.choice(("1", "0.9", "0.8"))))
    fields.update(amount=amount, rate_percent=Decimal("3.850"), approved_term_months=12, pledge_ratio=Decimal("0.4000"),
                  decided_at=_moment(decided, rng), disbursed_on=disbursed,
                  registered_at=_moment(disbursed - dt.timedelta(days=rng.randint(1, 5)), rng))
    if roll > 0.96:  # defaulted, the collateral sold at auction
        defaulted = min(disbursed + dt.timedelta(days=rng.randint(90, 300)), end - dt.timedelta(days=2))
        proceeds = cny(amount * Decimal("0.6"))
        return PledgeLoan(**fields, state=PledgeLoanState.SETTLED, defaulted_at=_moment(defaulted, rng),
                          closed_at=_moment(min(defaulted + dt.timedelta(days=60), end), rng),
                          auction_proceeds=proceeds, written_off_principal=amount - proceeds)
    maturity = disbursed + dt.timedelta(days=365)
    repaid = maturity if maturity < end else disbursed + dt.timedelta(days=rng.randint(1, (end - disbursed).days - 1))
    return PledgeLoan(**fields, state=PledgeLoanState.RELEASED, closed_at=_moment(repaid, rng))
