"""seed_demo: a demo marketplace built on the real records shipped in ``demo/data/``.

Idempotent: every step looks for what it would create first, so a second run creates nothing.
The plan (who holds which patent, what is listed in which mode, which deal goes how far) is a
pure function of the imported records (stable hashes, ordered by ``Patent.source``), so it does
not drift when deals have moved patents to their buyers.

Listings and deals go through the services (``market.services.listings``, ``market.transfers.services``), the same
path users take, so rules, transition logs, escrow, ledger, documents and search indexing all
happen as they would for real.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from market.models import (
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    Listing,
    ListingMode,
    ListingState,
    Organisation,
    Patent,
    RegisterEvent,
    User,
    UserRole,
)
from market.money import cny
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.regions import City
from market.register.claims import claim_submit
from market.register.feed import register_apply
from market.services import listings as listing_services
from market.transfers import services as deal_services
from market.transfers.models import DealState, TransferDeal

from . import identifiers as ids
from .accounts import (
    DEMO_ACCOUNTS,
    DEMO_NOTE,
    DEMO_ORGANISATIONS,
    DEMO_PASSWORD,
    HOLDERS_BY_INDUSTRY,
    LISTING_ORGANISATIONS,
    accounts_table,
)
from .datafiles import DEMO_DATA_DIR, DEMO_FILES, KPPATENT_FILE
from .history import HISTORY, generate_history
from .importer import ImportStats, import_patents
from .licences import seed_licensing
from .pledges import seed_pledges
from .trademarks import seed_trademarks

LISTING_COUNT = 60
# What the demo's register events name as their source.
REGISTER_SOURCE = "demo register feed (market/demo/seed.py)"
# A university and an institute co-own patents with an enterprise partner (共有; Patent Law art. 14).
CO_OWNERS = {"university": "hz_tech", "institute": "nb_materials"}
# Mode of the listing an organisation publishes in each round (shifted per organisation).
MODE_CYCLE = (ListingMode.TRANSFER, ListingMode.LICENCE, ListingMode.OPEN_LICENCE, ListingMode.TRANSFER,
              ListingMode.PLEDGE, ListingMode.OPEN_LICENCE, ListingMode.LICENCE, ListingMode.TRANSFER)
# Listings (taken from the end of the plan) left in other states, for the review queue and history.
OTHER_STATES = (ListingState.SUBMITTED, ListingState.SUBMITTED, ListingState.SUBMITTED, ListingState.DRAFT,
                ListingState.DRAFT, ListingState.REJECTED, ListingState.WITHDRAWN)
# Transfer deals on enterprise listings, in plan order: how far each goes. A public university's
# negotiated sale stops in publicity (15 days, 浙江省促进科技成果转化条例 art. 17).
ENTERPRISE_DEALS = ("closed", "closed", "closed", "negotiating", "agreed", "signed", "paid", "filed", "registered",
                    "cancelled")
UNIVERSITY_DEALS = ("publicised",)
DEAL_STEPS = ("open", "counter", "accept", "sign_seller", "sign_buyer", "pay", "file", "pay_fee", "register",
              "release")
STEPS_FOR = {"negotiating": 2, "agreed": 3, "publicised": 3, "cancelled": 3, "signed": 5, "paid": 6, "filed": 7,
             "registered": 9, "closed": 10}
# Price ranges (yuan, step) by mode: transfer price, licence fee, yearly open-licence fee, financing sought.
PRICE_RANGES = {
    ListingMode.TRANSFER: (200_000, 3_000_000, 10_000),
    ListingMode.LICENCE: (50_000, 800_000, 5_000),
    ListingMode.OPEN_LICENCE: (10_000, 200_000, 1_000),
    ListingMode.PLEDGE: (1_000_000, 10_000_000, 100_000),
}
TERMS = {
    ListingMode.TRANSFER: "专利权转让，含技术资料交付及6个月技术指导。",
    ListingMode.LICENCE: "普通许可，许可期限3年，地域范围中国大陆；排他许可可另行协商。",
    ListingMode.OPEN_LICENCE: "开放许可：普通许可，按年支付许可使用费（见挂牌价），许可期限3年，全国范围。",
    ListingMode.PLEDGE: "拟以本专利权质押融资，融资需求见挂牌价，期限1-3年，欢迎银行洽谈。",
}
DEMO_LISTING_NOTE = "【演示挂牌】专利名称、摘要来自公开数据集，申请号、法律状态等部分字段为生成值。"


@dataclass
class Holding:
    """A KPPatent record of the demo with the demo organisation(s) that hold it."""

    patent: Patent
    holder: str
    # Granted when imported: the plan must not change when the demo's register events later end a patent.
    granted: bool = True
    co_owner: str | None = None


@dataclass
class PlannedListing:
    organisation: str
    mode: str
    patents: list[Patent]
    state: str = ListingState.PUBLISHED
    deal: str | None = None


@dataclass
class SeedReport:
    organisations: int = 0
    users: int = 0
    imports: list[ImportStats] = field(default_factory=list)
    holders: int = 0
    encumbrances: int = 0
    listings: int = 0
    deals: int = 0
    history: int = 0
    trademarks: int = 0
    search: str = ""

    def lines(self) -> list[str]:
        out = [f"机构 organisations +{self.organisations}，账号 accounts +{self.users}"]
        out += [stats.summary() for stats in self.imports]
        out.append(f"分配持有人 patents given demo holders +{self.holders}，权利负担 encumbrances +{self.encumbrances}，"
                   f"挂牌 listings +{self.listings}，转让交易 transfer deals +{self.deals}")
        out.append(f"生成的历史交易与贷款 generated history deals and loans +{self.history}")
        out.append(f"生成的演示注册商标 generated demo trademarks +{self.trademarks}")
        if self.search:
            out.append(self.search)
        return out


# -- organisations and accounts ------------------------------------------------------------------
def seed_organisations(report: SeedReport) -> dict[str, Organisation]:
    """The demo organisations by key (found by their generated credit code, created when missing)."""
    found = {}
    for spec in DEMO_ORGANISATIONS:
        org, created = Organisation.objects.get_or_create(
            credit_code=ids.credit_code(spec.name, kind=spec.kind, city=spec.city),
            defaults={"name": spec.name, "kind": spec.kind, "city": spec.city, "address": DEMO_NOTE,
                      "is_public_institution": spec.is_public_institution, "verified": True,
                      "enterprise_size": spec.size})
        report.organisations += created
        found[spec.key] = org
    return found


def seed_users(organisations: dict[str, Organisation], report: SeedReport) -> dict[str, User]:
    """The demo accounts by username; a new account gets the demo password (hashed once for all)."""
    password_hash = None
    users = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(username=account.username, password=password_hash,
                                       organisation=organisations[account.organisation],
                                       display_name=account.display_name, role=UserRole.ADMIN)
            report.users += 1
        users[account.username] = user
    return users


def accounts_rows() -> list[tuple[str, ...]]:
    """Rows of the demo accounts table (header first)."""
    names = {spec.key: spec for spec in DEMO_ORGANISATIONS}
    rows = [("角色 Role", "用户名 Username", "密码 Password", "机构 Organisation", "城市 City")]
    for account in DEMO_ACCOUNTS:
        spec = names[account.organisation]
        rows.append((account.role, account.username, DEMO_PASSWORD, spec.name, City(spec.city).label))
    return rows


# -- patents and their holders -------------------------------------------------------------------
def import_demo_files(data_dir: Path, report: SeedReport) -> None:
    """Import the shipped record files (already imported records are recognised and skipped)."""
    for name in DEMO_FILES:
        report.imports.append(import_patents(Path(data_dir) / name, source_tag=name))


def plan_holdings() -> list[Holding]:
    """Every KPPatent record with its demo holder (by industry, stable hash) and a few co-owned ones."""
    patents = Patent.objects.filter(source__startswith=f"{KPPATENT_FILE}#").order_by("source")
    lapsed_by_demo = set(RegisterEvent.objects.filter(key__startswith="demo-lapse:").values_list("right_id", flat=True))
    holdings = [Holding(p, ids.pick(p.source, "demo-holder", HOLDERS_BY_INDUSTRY[p.industry]),
                        granted=p.legal_status == LegalStatus.GRANTED or p.pk in lapsed_by_demo) for p in patents]
    for holder, partner in CO_OWNERS.items():  # the first two granted patents of each, with its partner (共有)
        for holding in [h for h in holdings if h.holder == holder and h.granted][:2]:
            holding.co_owner = partner
    return holdings


def register_holders(holdings: list[Holding], organisations: dict[str, Organisation], users: dict[str, User],
                     report: SeedReport) -> None:
    """The register's holders of the KPPatent records (the files name none) arrive as events of the register
    feed, with the demo organisations' names and codes (co-owned: 60 / 40); each organisation then claims its
    holdings, which the register confirms at once."""
    owners = {account.organisation: users[account.username] for account in reversed(DEMO_ACCOUNTS)}
    for holding in holdings:
        patent = holding.patent
        keys = [holding.holder] + ([holding.co_owner] if holding.co_owner else [])
        shares = ("60", "40") if holding.co_owner else (None,)
        applied = register_apply({
            "id": f"demo-holders:{patent.application_number}", "application_number": patent.application_number,
            "event": "holder_change", "date": (patent.grant_date or patent.filing_date).isoformat(),
            "holders": [{"name": organisations[key].name, "credit_code": organisations[key].credit_code, "share": share}
                        for key, share in zip(keys, shares, strict=True)]}, source=REGISTER_SOURCE)
        if not applied:
            continue  # registered and claimed on an earlier run (a deal may have changed its holders since)
        report.holders += 1
        for key in keys:
            claim_submit(actor=owners[key], application_number=patent.application_number)
        if "owners" not in patent.demo_generated_fields:  # the demo chose them: no fact of a register
            patent.demo_generated_fields = sorted([*patent.demo_generated_fields, "owners"])
            Patent.objects.filter(pk=patent.pk).update(demo_generated_fields=patent.demo_generated_fields)


def _listable(holdings: list[Holding]) -> dict[str, deque[Patent]]:
    """Granted, solely held patents of each listing organisation, in source order."""
    pools: dict[str, deque[Patent]] = {key: deque() for key in LISTING_ORGANISATIONS}
    for holding in holdings:
        if holding.co_owner is None and holding.granted:
            pools[holding.holder].append(holding.patent)
    return pools


ENCUMBERED = (("hz_tech", "ordinary_licence"), ("nb_materials", "pledge"), ("wz_electric", "dispute"),
              ("tz_machinery", "fee_overdue"), ("jx_energy", "lapsed"), ("sx_pharma", "invalidation"))


def plan_encumbrances(pools: dict[str, deque[Patent]]) -> dict[str, Patent]:
    """One patent for each kind of burden, taken (out of the listing pools) from its holder's pool."""
    return {kind: pools[holder].popleft() for holder, kind in ENCUMBERED}


def seed_encumbrances(picks: dict[str, Patent], organisations: dict[str, Organisation], report: SeedReport) -> None:
    """An ordinary licence and a registered pledge; an ownership dispute, an annual fee in its grace period, a
    lapsed patent and one under invalidation through the register's feed."""
    today = timezone.localdate()
    note = "【演示数据】/ demo data"
    entries = (
        (picks["ordinary_licence"], EncumbranceKind.ORDINARY_LICENCE, {
            "beneficiary": organisations["nb_buyer"], "start_date": today - dt.timedelta(days=200),
            "end_date": today - dt.timedelta(days=200) + relativedelta(years=3), "territory": "中国大陆",
            "note": f"{note} 普通许可合同已备案"}),
        (picks["pledge"], EncumbranceKind.PLEDGE, {
            "beneficiary": organisations["bank_hz"], "start_date": today - dt.timedelta(days=90),
            "end_date": today - dt.timedelta(days=90) + relativedelta(years=2),
            "secured_amount": cny(3_000_000), "note": f"{note} 流动资金贷款质押"}),
        )
    for patent, kind, fields in entries:
        if kind == EncumbranceKind.PLEDGE:
            fields["registration_number"] = f"Y{fields['start_date']:%Y}330000{patent.pk:05d}"
        _, created = Encumbrance.objects.get_or_create(patent=patent, kind=kind, defaults=fields)
        report.encumbrances += created
    # Facts of the register arrive through its feed: a dispute, an annual fee in its grace period, a lapse and
    # an invalidation request.
    for kind, event, days, extra in (("dispute", "dispute", 60, {"party": "温州鹿城某科技有限公司（演示）"}),
                                     ("fee_overdue", "fee_overdue", 30, {}), ("lapsed", "lapse", 20, {}),
                                     ("invalidation", "invalidation_requested", 45, {"request_number": "4W1"})):
        patent = picks[kind]
        report.encumbrances += register_apply({
            "id": f"demo-{event}:{patent.application_number}", "application_number": patent.application_number,
            "event": event, "date": (today - dt.timedelta(days=days)).isoformat(), **extra}, source=REGISTER_SOURCE)


# -- listings ------------------------------------------------------------------------------------
def asking_price(mode: str, patent: Patent) -> Decimal:
    low, high, step = PRICE_RANGES[mode]
    steps = (high - low) // step
    return cny(low + step * (ids.stable_int(patent.source, f"price:{mode}") % (steps + 1)))


def plan_listings(pools: dict[str, deque[Patent]]) -> list[PlannedListing]:
    """~60 listings round-robin over the holders (some packages of two patents), states and deals set."""
    plan: list[PlannedListing] = []
    round_no = 0
    while len(plan) < LISTING_COUNT and any(pools.values()):
        for index, key in enumerate(LISTING_ORGANISATIONS):
            if not pools[key] or len(plan) >= LISTING_COUNT:
                continue
            size = 2 if (round_no * len(LISTING_ORGANISATIONS) + index) % 11 == 5 and len(pools[key]) > 1 else 1
            mode = MODE_CYCLE[(index + round_no) % len(MODE_CYCLE)]
            plan.append(PlannedListing(key, mode, [pools[key].popleft() for _ in range(size)]))
        round_no += 1
    # Deals by seller: enterprises run to the end; the university's waits in publicity; none for the institute.
    deals = {"university": iter(UNIVERSITY_DEALS), "institute": iter(())}
    enterprise = iter(ENTERPRISE_DEALS)
    for item in plan:
        if item.mode == ListingMode.TRANSFER:
            item.deal = next(deals.get(item.organisation, enterprise), None)
    others = [item for item in plan if item.deal is None][-len(OTHER_STATES):]
    for item, state in zip(others, OTHER_STATES, strict=True):
        item.state = state
    return plan


def _listing_title(patents: list[Patent]) -> str:
    first = patents[0].title
    return first if len(patents) == 1 else f"{first}等{len(patents)}项专利"[:300]


def seed_listings(plan: list[PlannedListing], users: dict[str, User], report: SeedReport) -> dict[int, Listing]:
    """Create the planned listings through the listing services; returns them by plan index."""
    staff = users["staff"]
    owners = {account.organisation: users[account.username] for account in reversed(DEMO_ACCOUNTS)}
    result = {}
    for index, item in enumerate(plan):
        user = owners[item.organisation]
        first = item.patents[0]
        listing = Listing.objects.filter(organisation=user.organisation, mode=item.mode, patents=first).first()
        if listing is None:
            price = asking_price(item.mode, first)
            listing = listing_services.listing_create(
                actor=user, title=_listing_title(item.patents), mode=item.mode,
                patent_ids=[p.pk for p in item.patents], asking_price=price,
                description=f"{first.abstract[:300]}\n\n{DEMO_LISTING_NOTE}", terms=TERMS[item.mode])
            listing = _advance_listing(listing, item.state, user=user, staff=staff)
            report.listings += 1
        result[index] = listing
    return result


def _advance_listing(listing: Listing, state: str, *, user: User, staff: User) -> Listing:
    if state == ListingState.DRAFT:
        return listing
    listing_services.listing_submit(listing_id=listing.pk, actor=user)
    if state == ListingState.REJECTED:
        listing_services.listing_reject(listing_id=listing.pk, actor=staff,
                                        reason="请补充技术成熟度与许可条件说明 / Please describe maturity and terms")
    elif state in (ListingState.PUBLISHED, ListingState.WITHDRAWN):
        listing_services.listing_publish(listing_id=listing.pk, actor=staff)
        if state == ListingState.WITHDRAWN:
            listing_services.listing_withdraw(listing_id=listing.pk, actor=user, reason="企业经营调整 / business reasons")
    return Listing.objects.get(pk=listing.pk)  # protected FSM field: refresh_from_db would refuse


# -- deals ---------------------------------------------------------------------------------------
def seed_deals(plan: list[PlannedListing], listings: dict[int, Listing], users: dict[str, User],
               report: SeedReport) -> None:
    """Transfer deals through ``market.transfers.listing_services``: three closed, one in each intermediate state.

    Each deal's steps run in one transaction, so a failure leaves no half-made deal behind.
    """
    owners = {account.organisation: users[account.username] for account in reversed(DEMO_ACCOUNTS)}
    for index, item in enumerate(plan):
        listing = listings[index]
        if item.deal is None or TransferDeal.objects.filter(listing=listing).exists():
            continue
        with transaction.atomic():
            run_deal(listing, item.deal, seller=owners[item.organisation], buyer=users["buyer"],
                     staff=users["staff"])
        report.deals += 1


def run_deal(listing: Listing, target: str, *, seller: User, buyer: User, staff: User,
             consenting: tuple[User, ...] = ()) -> TransferDeal:
    """Open a deal on ``listing`` and take it through the steps up to ``target`` (a DealState or cancelled);
    ``consenting`` (pledgees) record their consent once the price is agreed."""
    asking = listing.asking_price
    deal = deal_services.deal_open(listing_id=listing.pk, actor=buyer, price=cny(asking * Decimal("0.85")),
                              message="有意受让，希望进一步沟通技术细节。（演示）")
    key = f"demo-seed-{listing.pk}"
    actions = {
        "counter": lambda: deal_services.deal_counter(deal_id=deal.pk, actor=seller, price=cny(asking * Decimal("0.95")),
                                                 message="可小幅让价。（演示）"),
        "accept": lambda: (deal_services.deal_accept(deal_id=deal.pk, actor=buyer),
                           [deal_services.deal_consent(deal_id=deal.pk, actor=user, patent_id=patent.pk,
                                                       note="同意转让，价款优先清偿本行贷款（演示）")
                            for user in consenting for patent in listing.patents.all()]),
        "sign_seller": lambda: deal_services.deal_sign(deal_id=deal.pk, actor=seller),
        "sign_buyer": lambda: deal_services.deal_sign(deal_id=deal.pk, actor=buyer),
        "pay": lambda: deal_services.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key=f"{key}-pay"),
        "file": lambda: deal_services.deal_file_registration(deal_id=deal.pk, actor=seller),
        "pay_fee": lambda: deal_services.deal_pay_registration_fee(deal_id=deal.pk, actor=buyer,
                                                              idempotency_key=f"{key}-fee"),
        "register": lambda: deal_services.deal_register(deal_id=deal.pk, actor=staff),
        "release": lambda: deal_services.deal_release(deal_id=deal.pk, actor=staff, idempotency_key=f"{key}-release"),
    }
    for step in DEAL_STEPS[1:STEPS_FOR[target]]:
        actions[step]()
    if target == "cancelled":
        deal_services.deal_cancel(deal_id=deal.pk, actor=buyer, reason="受让方内部决策调整（演示） / buyer changed plans")
    return TransferDeal.objects.get(pk=deal.pk)


def seed_pledged_sale(users: dict[str, User], report: SeedReport) -> None:
    """The demo loan "sold": its patent is sold with the bank's consent, and the price repays the loan first
    (Civil Code art. 444) — the loan ends repaid and its release filed, the seller gets the rest."""
    loan = PledgeLoan.objects.filter(demo_key="sold", state=PledgeLoanState.DISBURSED).first()
    if loan is None:
        return
    seller, patent = users["holder_jh"], loan.pledged_patents().first()
    with transaction.atomic():
        listing = listing_services.listing_create(
            actor=seller, title=_listing_title([patent]), mode=ListingMode.TRANSFER, patent_ids=[patent.pk],
            asking_price=Decimal("300000.00"), description=f"{patent.abstract[:300]}\n\n{DEMO_LISTING_NOTE}",
            terms=TERMS[ListingMode.TRANSFER])
        listing = _advance_listing(listing, ListingState.PUBLISHED, user=seller, staff=users["staff"])
        run_deal(listing, DealState.CLOSED, seller=seller, buyer=users["buyer"], staff=users["staff"],
                 consenting=(users["bank"],))
    report.deals += 1


# -- search --------------------------------------------------------------------------------------
def index_for_search() -> str:
    """Rebuild the search index with ``search_reindex`` when the search app provides it; say what was done.

    The listing services already queue indexing after each commit; the rebuild makes the index whole
    even when those tasks could not run (no worker yet, or a database seeded before search existed).
    """
    if "search_reindex" not in get_commands():
        return "搜索模块尚未就绪，未建索引 / search is not ready yet: listings not indexed"
    try:
        call_command("search_reindex", verbosity=0, stdout=io.StringIO())
    except CommandError as exc:
        return f"搜索索引未更新 / search index not rebuilt: {exc}"
    return "搜索索引已重建 / search index rebuilt (search_reindex)"


# -- the whole seed ------------------------------------------------------------------------------
def seed_demo(*, data_dir: Path = DEMO_DATA_DIR, with_search: bool = True) -> tuple[SeedReport, dict[str, User]]:
    """Build (or complete) the demo marketplace; returns what was created and the demo accounts."""
    report = SeedReport()
    with transaction.atomic():
        organisations = seed_organisations(report)
        users = seed_users(organisations, report)
    import_demo_files(data_dir, report)
    holdings = plan_holdings()
    pools = _listable(holdings)
    picks = plan_encumbrances(pools)
    plan = plan_listings(pools)
    with transaction.atomic():
        register_holders(holdings, organisations, users, report)
        seed_encumbrances(picks, organisations, report)
        listings = seed_listings(plan, users, report)
    seed_deals(plan, listings, users, report)
    seed_licensing(users)  # open-licence declarations, a take-up, licence contracts (demo/licences.py)
    seed_pledges(users)  # pledge loans of the demo bank in every state (demo/pledges.py)
    seed_pledged_sale(users, report)
    report.trademarks = seed_trademarks(organisations, users)  # generated marks beside the real patents
    if with_search:
        report.search = index_for_search()
    if apps.is_installed("matching"):  # demo demands and a proposal (matching/demo.py), when the app is there
        import_module("matching.demo").seed_matching_demo()
    if apps.is_installed("finance"):  # a risk-sharing scheme, a royalty pledge, a pool (finance/demo.py)
        import_module("finance.demo").seed_finance_demo(users)
    report.history = seed_history(users)
    if apps.is_installed("stats"):  # the cockpit's rollups and price index, from everything above
        import_module("stats.rollups").rebuild()
        import_module("stats.price_index").rebuild_index()
    return report, users


HISTORY_ROWS = 3000


def seed_history(users: dict[str, User]) -> int:
    """Three years of generated, finished deals and loans for the cockpit (demo/history.py), made once."""
    if TransferDeal.objects.filter(demo_key=HISTORY).exists():
        return 0
    made = generate_history(count=HISTORY_ROWS, end=timezone.localdate(), months=36, creator=users["staff"])
    return sum(made.values())


def accounts_text() -> str:
    """The demo accounts table with the shared password (printed at the end of every seed_demo run)."""
    return accounts_table(accounts_rows())
