"""Online auction of defaulted pledged patents (质押专利网络拍卖), step by step.

Trading-centre staff open an auction for the pledgee (the creditor) of a defaulted debt; the
pledgee's consent to the transfer is recorded on the auction. The rules:

- Verified organisations (not the debtor, not the trading centre) pay the bidder deposit
  (竞买保证金) into escrow before they may bid; each gets a public bidder number (竞买号).
- The first bid is at least the reserve (the reserve is public and bidding starts at it, as in
  China's online judicial auctions); every later bid beats the current price by the increment;
  the leader does not outbid itself; bids at or after the end are refused.
- Anti-sniping: a bid with less than ``AUCTION_EXTENSION_MINUTES`` left moves the end to that
  many minutes after the bid (the 延时 rule of online judicial auctions).
- At the end the highest bid wins; the losers' deposits are refunded at once. The winner pays the
  price less its deposit (the deposit counts toward the price) within ``AUCTION_PAYMENT_DAYS``;
  staff confirm the payment and the auction settles: the proceeds pay the secured claim first and
  the rest goes to the debtor (Civil Code art. 444), the winner replaces the holder on the register
  and the creditor's pledges on the patents are released.
- A winner who does not pay in time forfeits the deposit. It goes to the creditor toward the
  secured claim (any surplus to the debtor), like the price would: the deposit is value realised
  from the collateral, and the Supreme People's Court's rules on online judicial auctions (2016,
  art. 24) apply a forfeited deposit to the debtor's debt once auction costs are covered (the
  platform charges none). Staff may then offer the lot to the next bidder at that bidder's highest bid.
- No bid at or above the reserve: the auction fails and can be relisted with a lower reserve.

Each function is one transaction that takes the auction's row lock first (``market.auctions.locks.auction``).
When the auction settles or fails, its source (a defaulted loan: ``AUCTION_SOURCES`` of market/extensions.py,
registered by the pledges flow) is told in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from market.access import require_counterparty
from market.auctions import locks
from market.auctions.models import ACTIVE_STATES, Auction, AuctionState, Bid, BidderDeposit, DepositStatus
from market.extensions import AUCTION_SOURCES, AuctionSource, providers
from market.models import (
    Consent,
    ConsentCapacity,
    ConsentPurpose,
    Document,
    DocumentKind,
    DocumentState,
    Encumbrance,
    EncumbranceKind,
    Escrow,
    Organisation,
    Patent,
    TransitionLog,
    User,
)
from market.money import ZERO, cny, format_cny
from market.rules import Reason, RuleViolation, transfer_blockers
from market.rules.common import active_pledges
from market.rules.transfer import package_transfer_blockers
from market.services import payments
from market.services.documents import document_reissue, document_request
from market.services.errors import ActionForbidden, IdempotencyConflict, require_reason, state_refusal
from market.services.transitions import apply_transition
from market.signals import patent_changed
from valuation.models import Valuation
from valuation.quick import quick_estimate

RULE = "auction"
MAX_AMOUNT = Decimal("1e13")
# The source an auction is opened from: the defaulted pledge loan (registered by the pledges flow).
LOAN_SOURCE = "market.pledgeloan"
# Enforcement needs no new co-owner consent: the co-owners consented to the pledge, which is what is enforced.
ENFORCEMENT_EXEMPT_CODES = {"co_owner_consent_missing"}


# -- helpers -------------------------------------------------------------------------------------
def _staff(actor: User | None) -> None:
    if actor is None or not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以管理拍卖 / Only trading-centre staff administer auctions")


def _bidder(actor: User) -> Organisation:
    """The actor's organisation if it may take part in auctions."""
    return require_counterparty(actor, "只有已认证机构可以参加竞买 / Only verified organisations may bid")


def _amount(value, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    """``value`` as a positive CNY amount, or a field message in ``errors``."""
    if value is None or value == "":
        errors.setdefault(field, []).append("必填 / Required")
        return None
    try:
        amount = cny(value)
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field, []).append("金额格式不正确 / Not an amount")
        return None
    if amount <= ZERO:
        errors.setdefault(field, []).append("金额必须大于0 / The amount must be above 0")
    elif amount >= MAX_AMOUNT:
        errors.setdefault(field, []).append("金额超出范围 / The amount is too large")
    return amount


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


def _key(auction: Auction, step: str) -> str:
    """Internal idempotency key of a platform-initiated money movement of this auction."""
    return f"auction:{auction.pk}:{step}"


def _hold(*, auction: Auction, payer: Organisation, amount: Decimal, reference: str, idempotency_key: str,
          actor: User) -> Escrow:
    """Hold ``amount`` for this auction; a key that already paid something else is a conflict, not a replay."""
    escrow, _ = payments.escrow_hold(payer=payer, payee=auction.debtor, amount=amount, reference=reference,
                                     idempotency_key=idempotency_key, actor=actor)
    if escrow is None or escrow.reference != reference:
        raise IdempotencyConflict(
            "该幂等键已用于另一笔不同的支付请求 / This idempotency key was already used for a different payment request")
    return escrow


def _source(auction: Auction) -> AuctionSource | None:
    if auction.source_type_id is None:
        return None
    content_type = ContentType.objects.get_for_id(auction.source_type_id)
    return AUCTION_SOURCES.get(f"{content_type.app_label}.{content_type.model}")


def loan_source() -> AuctionSource | None:
    """The defaulted loans' source, if the pledges flow is installed."""
    return AUCTION_SOURCES.get(LOAN_SOURCE)


def _issue(auction: Auction, kind: str) -> None:
    document_request(deal=auction, kind=kind)


def _issue_confirmation(auction: Auction, actor: User | None) -> None:
    """The result confirmation names the buyer: a new buyer after a forfeit gets a new version."""
    current = (Document.objects.for_deal(auction).latest_versions()
               .filter(kind=DocumentKind.AUCTION_CONFIRMATION).order_by("-version").first())
    if current is not None and current.state == DocumentState.ISSUED:
        bid = auction.winning_bid
        document_reissue(document_id=current.pk, actor=actor,
                         reason=f"原买受人逾期未付款，拍品由竞买号 {bid.deposit.paddle_label} 以 {format_cny(bid.amount)} 承受 / "
                                "The buyer did not pay; the lot went to the next bidder")
    else:  # none yet, or one not rendered yet: it renders with the current buyer
        _issue(auction, DocumentKind.AUCTION_CONFIRMATION)


def _patents(patents: Iterable[Patent | int]) -> list[Patent]:
    ids = [p.pk if isinstance(p, Patent) else p for p in patents]
    found = {p.pk: p for p in Patent.objects.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"patents": [f"专利不存在：{', '.join(missing)} / No such patent"]})
    return [found[i] for i in dict.fromkeys(ids)]


# -- reads used by the services and the pages ------------------------------------------------------
def default_reserve(patents: Iterable[Patent]) -> tuple[Decimal, str]:
    """The default reserve: the sum of each patent's P10 (its latest valuation, else the quick estimate)."""
    total, zh, en = ZERO, [], []
    for patent in patents:
        latest = Valuation.objects.filter(patent=patent).order_by("-valuation_date", "-created_at", "-pk").first()
        if latest is not None:
            p10, basis = cny(latest.p10), (f"评估 {latest.number}", f"valuation {latest.number}")
        else:
            p10, basis = cny(quick_estimate(patent)["p10"]), ("平台快速估值", "the platform's quick estimate")
        total += p10
        zh.append(f"{patent.patent_number} P10 {format_cny(p10)}（{basis[0]}）")
        en.append(f"{patent.patent_number} P10 {format_cny(p10)} ({basis[1]})")
    return total, f"估值P10合计：{'；'.join(zh)} / Sum of the valuations' P10: {'; '.join(en)}"


def balance_due(auction: Auction) -> Decimal:
    """What the buyer still pays: the price less its deposit, if that deposit is still held."""
    bid = auction.winning_bid
    if bid is None:
        return ZERO
    held = bid.deposit.escrow.amount if bid.deposit.status == DepositStatus.HELD else ZERO
    return cny(bid.amount - held)


def next_bid(auction: Auction) -> Bid | None:
    """The best bid of a bidder that has not let an offer of this lot lapse (the next bidder after a forfeit)."""
    lapsed = Bid.objects.filter(auction=auction, lapsed_at__isnull=False).values("bidder_id")
    return (auction.bids.exclude(bidder_id__in=lapsed).filter(amount__gte=auction.reserve_price)
            .select_related("deposit", "bidder").order_by("-amount").first())


# -- opening -------------------------------------------------------------------------------------
def _validate(*, patents: list[Patent], creditor: Organisation | None, debtor: Organisation | None, claim_amount,
              reserve_price, starts_at, ends_at, increment, deposit) -> dict:
    errors: dict[str, list[str]] = {}
    values = {name: _amount(value, name, errors) for name, value in (
        ("claim_amount", claim_amount), ("increment", increment), ("deposit", deposit))}
    values["reserve_price"] = _amount(reserve_price, "reserve_price", errors)
    if creditor is None:
        errors["creditor"] = ["必填 / Required"]
    if debtor is None:
        errors["debtor"] = ["必填 / Required"]
    elif creditor is not None and creditor.pk == debtor.pk:
        errors["debtor"] = ["出质人与质权人不能相同 / The debtor cannot be the creditor"]
    if not patents:
        errors["patents"] = ["请选择拍卖的专利 / Choose the patents to auction"]
    for patent in patents:
        if debtor is not None and not patent.ownerships.filter(organisation=debtor).exists():
            errors.setdefault("patents", []).append(
                f"{patent.patent_number}：{debtor.name} 不是登记的专利权人 / The debtor is not the registered holder")
        if creditor is not None and not active_pledges(patent).filter(beneficiary=creditor).exists():
            errors.setdefault("patents", []).append(
                f"{patent.patent_number}：未质押给 {creditor.name} / Not pledged to the creditor")
    if values["deposit"] and values["reserve_price"] and values["deposit"] >= values["reserve_price"]:
        errors.setdefault("deposit", []).append("保证金须低于保留价 / The deposit must be below the reserve")
    if not isinstance(starts_at, dt.datetime):
        errors["starts_at"] = ["必填 / Required"]
    if not isinstance(ends_at, dt.datetime):
        errors["ends_at"] = ["必填 / Required"]
    elif ends_at <= timezone.now():
        errors["ends_at"] = ["结束时间须晚于现在 / The end must be in the future"]
    elif isinstance(starts_at, dt.datetime) and ends_at <= starts_at:
        errors["ends_at"] = ["结束时间须晚于开拍时间 / The end must come after the start"]
    if errors:
        raise ValidationError(errors)
    return values


def _check_transferable(auction: Auction) -> None:
    """Every patent must be transferable by the debtor within this auction (the pledgee's consent is on it)."""
    reasons = []
    patents = list(auction.patents.all())
    for patent in patents:
        reasons += [Reason(r.code, r.rule, f"{patent.patent_number}：{r.message}")
                    for r in transfer_blockers(patent, seller=auction.debtor, deal=auction)
                    if r.code not in ENFORCEMENT_EXEMPT_CODES]
    reasons += package_transfer_blockers(patents, seller=auction.debtor)  # a mark's similar marks go with it
    if reasons:
        raise RuleViolation(reasons)


def _create(*, source: models.Model | None, patents: list[Patent], creditor: Organisation, debtor: Organisation,
            values: dict, reserve_basis: str, starts_at: dt.datetime, ends_at: dt.datetime, actor: User, title: str,
            relisted_from: Auction | None = None) -> Auction:
    ids = sorted(p.pk for p in patents)
    list(Patent.objects.select_for_update().filter(pk__in=ids).order_by("pk"))  # one auction per lot at a time
    busy = Auction.objects.filter(patents__in=ids, state__in=ACTIVE_STATES).distinct()
    if busy.exists():
        numbers = "、".join(a.number for a in busy)
        raise RuleViolation(Reason("patent_in_auction", RULE,
                                   f"专利已在拍卖中（{numbers}） / The patents are already in an auction ({numbers})"))
    auction = Auction.objects.create(
        title=title or patents[0].title + (f"等{len(patents)}件专利" if len(patents) > 1 else ""),
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=source.pk if source is not None else None, creditor=creditor, debtor=debtor,
        claim_amount=values["claim_amount"], reserve_price=values["reserve_price"], reserve_basis=reserve_basis[:500],
        increment=values["increment"], deposit=values["deposit"], starts_at=starts_at, scheduled_ends_at=ends_at,
        ends_at=ends_at, relisted_from=relisted_from, created_by=actor)
    auction.patents.set(patents)
    for patent in patents:
        Consent.objects.get_or_create(
            patent=patent, organisation=creditor, capacity=ConsentCapacity.PLEDGEE, purpose=ConsentPurpose.TRANSFER,
            deal_type=ContentType.objects.get_for_model(auction), deal_id=auction.pk,
            defaults={"given_by": actor, "note": "质权人申请以拍卖方式处置质押专利（民法典第436条） / "
                                                 "The pledgee applied for disposal by auction"})
    _check_transferable(auction)
    TransitionLog.record(auction, transition="schedule", from_state="", to_state=auction.state, actor=actor,
                         reason=f"拍卖公告：保留价 {format_cny(auction.reserve_price)}，{_local(starts_at)} 开拍，"
                                f"{_local(ends_at)} 结束")
    if starts_at <= timezone.now():
        apply_transition(auction, "start", actor=actor, at=timezone.now(), reason="开拍时间已到 / Bidding opened")
    _issue(auction, DocumentKind.AUCTION_ANNOUNCEMENT)
    return auction


def auction_open(*, source: models.Model | None, patents: Iterable[Patent | int], creditor: Organisation,
                 debtor: Organisation, claim_amount, reserve_price=None, starts_at: dt.datetime, ends_at: dt.datetime,
                 increment, deposit, actor: User, title: str = "") -> Auction:
    """Staff open (schedule) the auction of pledged ``patents`` for ``creditor``; the announcement is issued.

    ``source`` is what is enforced (the defaulted loan; stored as a generic reference, may be None).
    ``reserve_price`` defaults to the sum of the patents' valuation P10. A start time already past
    opens bidding at once. Bad input raises ValidationError (field messages); a patent already in an
    auction or not transferable now raises RuleViolation.
    """
    _staff(actor)
    patent_list = _patents(patents)
    basis = "交易中心设定 / set by the trading centre"
    if reserve_price in (None, "") and patent_list:
        reserve_price, basis = default_reserve(patent_list)
    values = _validate(patents=patent_list, creditor=creditor, debtor=debtor, claim_amount=claim_amount,
                       reserve_price=reserve_price, starts_at=starts_at, ends_at=ends_at, increment=increment,
                       deposit=deposit)
    with transaction.atomic():
        return _create(source=source, patents=patent_list, creditor=creditor, debtor=debtor, values=values,
                       reserve_basis=basis, starts_at=starts_at, ends_at=ends_at, actor=actor, title=title)


def auction_open_for_loan(*, loan_id: int, actor: User, patents: Iterable[Patent | int] | None = None,
                          creditor: Organisation | None = None, debtor: Organisation | None = None,
                          claim_amount=None, **terms) -> Auction:
    """Open the auction of a defaulted pledge loan's collateral; what is not given comes from the loan
    (the bank as creditor, the holder as debtor, the pledged patents, the outstanding debt)."""
    _staff(actor)
    source = loan_source()
    loan = source.model.objects.filter(pk=loan_id).first() if source is not None else None
    if loan is None:
        raise ValidationError({"loan": ["贷款不存在 / No such loan"]})
    prefill = source.prefill(loan)
    if not prefill["defaulted"]:
        raise RuleViolation(Reason("loan_not_defaulted", RULE,
                                   "只有已违约的质押贷款可以拍卖处置 / Only a defaulted loan's collateral is auctioned"))
    return auction_open(source=loan, patents=patents or prefill["patents"], creditor=creditor or prefill["creditor"],
                        debtor=debtor or prefill["debtor"],
                        claim_amount=claim_amount if claim_amount not in (None, "") else prefill["claim_amount"],
                        actor=actor, **terms)


def auction_relist(*, auction_id: int, actor: User, reserve_price, starts_at: dt.datetime, ends_at: dt.datetime,
                   increment=None, deposit=None) -> Auction:
    """Relist a failed auction as a new one with a lower reserve; the claim is what is still unpaid."""
    _staff(actor)
    with transaction.atomic():
        old = locks.auction(auction_id)
        if old.state != AuctionState.FAILED:
            raise state_refusal(old, "重新挂拍")
        if Auction.objects.filter(relisted_from=old).exists():
            raise RuleViolation(Reason("already_relisted", RULE, "该场拍卖已重新挂拍 / Already relisted"))
        errors: dict[str, list[str]] = {}
        reserve = _amount(reserve_price, "reserve_price", errors)
        if reserve is not None and reserve >= old.reserve_price:
            errors.setdefault("reserve_price", []).append(
                f"重新挂拍的保留价须低于原保留价 {format_cny(old.reserve_price)} / The new reserve must be lower")
        if errors:
            raise ValidationError(errors)
        patents = list(old.patents.order_by("pk"))
        values = _validate(patents=patents, creditor=old.creditor, debtor=old.debtor,
                           claim_amount=old.claim_amount - old.proceeds_to_creditor, reserve_price=reserve,
                           starts_at=starts_at, ends_at=ends_at, increment=increment or old.increment,
                           deposit=deposit or min(old.deposit, cny(reserve / 2)))
        return _create(source=old.source, patents=patents, creditor=old.creditor, debtor=old.debtor, values=values,
                       reserve_basis=f"流拍后降价重新挂拍（原保留价 {format_cny(old.reserve_price)}）",
                       starts_at=starts_at, ends_at=ends_at, actor=actor, title=old.title, relisted_from=old)


def auction_start(*, auction_id: int, actor: User | None = None) -> Auction:
    """Open bidding: staff at any time before the end, or the beat task once the start time has come."""
    if actor is not None:
        _staff(actor)
    with transaction.atomic():
        auction = locks.auction(auction_id)
        if auction.state != AuctionState.SCHEDULED:
            raise state_refusal(auction, "开拍")
        now = timezone.now()
        if auction.has_ended(now):
            raise RuleViolation(Reason("auction_ended", RULE, "结束时间已过，请撤拍后重新挂拍 / The end time has passed"))
        if actor is None and auction.starts_at > now:
            raise RuleViolation(Reason("not_started", RULE, "尚未到开拍时间 / The start time has not come"))
        apply_transition(auction, "start", actor=actor, at=now, reason="开始竞价 / Bidding opened")
    return auction


# -- deposits and bids ---------------------------------------------------------------------------
def auction_deposit(*, auction_id: int, actor: User, idempotency_key: str) -> BidderDeposit:
    """A verified organisation pays the bidder deposit into escrow and gets its bidder number.

    Replaying the same key returns the deposit and moves no money; another key is refused.
    """
    org = _bidder(actor)
    with transaction.atomic():
        auction = locks.auction(auction_id)
        existing = BidderDeposit.objects.filter(auction=auction, organisation=org).select_related("escrow").first()
        if existing is not None:
            if payments.is_replay(organisation=org, key=idempotency_key, kind="hold", escrow=existing.escrow):
                return existing
            raise RuleViolation(Reason("deposit_paid", RULE,
                                       f"贵机构已缴纳本场保证金（竞买号 {existing.paddle_label}） / Deposit already paid"))
        if org.pk == auction.debtor_id:
            raise RuleViolation(Reason("debtor_cannot_bid", RULE,
                                       "出质人不能参加本场竞买 / The debtor may not bid for its own patents"))
        if auction.state not in (AuctionState.SCHEDULED, AuctionState.OPEN):
            raise state_refusal(auction, "缴纳保证金")
        if auction.has_ended():
            raise RuleViolation(Reason("auction_ended", RULE, "竞价已结束 / Bidding has ended"))
        paddle = auction.deposit_count + 1
        escrow = _hold(auction=auction, payer=org, amount=auction.deposit, reference=f"{auction.number}-BZJ-{paddle:03d}",
                       idempotency_key=idempotency_key, actor=actor)
        deposit = BidderDeposit.objects.create(auction=auction, organisation=org, paddle=paddle, escrow=escrow,
                                               paid_by=actor)
        auction.deposit_count = paddle
        auction.save(update_fields=["deposit_count", "updated_at"])
    return deposit


# Every bid attempt starts with this read, refused ones included: written out in SQL, it costs the
# process about a tenth of what the ORM spends compiling the same query.
SNAPSHOT_SQL = (f"SELECT d.id, a.state, a.current_price, a.reserve_price, a.increment "
                f"FROM {BidderDeposit._meta.db_table} d JOIN {Auction._meta.db_table} a ON a.id = d.auction_id "
                f"WHERE d.auction_id = %s AND d.organisation_id = %s AND d.status = %s")


def _bid_snapshot(auction_id: int, organisation_id: int) -> tuple[int | None, Auction | None]:
    """The bidder's held deposit and the auction's price as they are now, without a lock."""
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT_SQL, [auction_id, organisation_id, DepositStatus.HELD.value])
        row = cursor.fetchone()
    if row is None:
        return None, None
    deposit_id, state, current_price, reserve_price, increment = row
    # SQLite hands decimals back as numbers: cny() makes them the same Decimals PostgreSQL gives.
    return deposit_id, Auction(pk=auction_id, state=state, reserve_price=cny(reserve_price), increment=cny(increment),
                               current_price=None if current_price is None else cny(current_price))


def _check_bid(auction: Auction, amount: Decimal, org: Organisation, *, now: dt.datetime | None) -> None:
    """The bid rules on ``auction`` as read; ``now`` None is the early check on an unlocked read (only the
    refusals a later state cannot undo: a closed auction, a price already too high)."""
    if auction.state != AuctionState.OPEN and (now is not None or auction.state != AuctionState.SCHEDULED):
        raise state_refusal(auction, "出价")
    if now is not None and auction.has_ended(now):
        raise RuleViolation(Reason("auction_ended", RULE,
                                   f"竞价已于 {_local(auction.ends_at)} 结束 / Bidding ended at {_local(auction.ends_at)}"))
    if now is not None and auction.leading_bidder_id == org.pk:
        raise RuleViolation(Reason("already_leading", RULE, "您已是当前最高出价人 / You already lead"))
    minimum = auction.minimum_bid()
    if amount < minimum:
        raise RuleViolation(Reason("bid_too_low", RULE,
                                   f"出价须不低于 {format_cny(minimum)} / The bid must be at least {format_cny(minimum)}"))


def auction_bid(*, auction_id: int, actor: User, amount) -> Bid:
    """Place a bid. Under the auction's row lock the bids form one strictly increasing sequence."""
    errors: dict[str, list[str]] = {}
    amount = _amount(amount, "amount", errors)
    if errors:
        raise ValidationError(errors)
    org = _bidder(actor)
    # Read before the lock: a deposit is refunded only by a transition that also ends bidding (checked below).
    deposit_id, snapshot = _bid_snapshot(auction_id, org.pk)
    if deposit_id is None:
        Auction.objects.only("pk").get(pk=auction_id)  # 404 for an unknown auction
        raise RuleViolation(Reason("deposit_required", RULE,
                                   "请先缴纳竞买保证金 / Pay the bidder deposit before bidding"))
    # The same read may be a moment old, but prices only rise and ended states never reopen: what it
    # refuses the lock would refuse too, and a refused bid then costs the lot no lock time.
    _check_bid(snapshot, amount, org, now=None)
    with transaction.atomic():
        auction = locks.auction_for_bid(auction_id)
        now = timezone.now()  # taken under the lock: bid times follow the order of the bids
        _check_bid(auction, amount, org, now=now)
        window = dt.timedelta(minutes=settings.MARKET["AUCTION_EXTENSION_MINUTES"])
        extended = auction.ends_at - now < window
        # Plain inserts and updates: the row lock already excludes every concurrent change (this is the hot path).
        bid = Bid(auction=auction, deposit_id=deposit_id, bidder=org, placed_by=actor, amount=amount,
                  sequence=auction.bid_count + 1, at=now)
        Bid.objects.bulk_create([bid])
        live = {"current_price": amount, "leading_bid": bid, "leading_bidder": org, "bid_count": bid.sequence,
                "updated_at": now}
        if extended:
            live.update(ends_at=now + window, extension_count=auction.extension_count + 1)
        Auction.objects.filter(pk=auction.pk).update(**live)
        for name, value in live.items():
            setattr(auction, name, value)
        if extended:
            TransitionLog.record(auction, transition="extend", from_state=auction.state, to_state=auction.state,
                                 actor=actor, reason=f"结束前{window.seconds // 60}分钟内出价，结束时间延至 "
                                                     f"{_local(auction.ends_at)} / End extended")
    return bid


# -- the end: award, payment, settlement, forfeit, failure -----------------------------------------
def _refund_deposits(auction: Auction, actor: User | None, *, keep_bidder_id: int | None = None) -> int:
    count = 0
    for deposit in (BidderDeposit.objects.filter(auction=auction, status=DepositStatus.HELD)
                    .exclude(organisation_id=keep_bidder_id).order_by("pk")):
        payments.escrow_refund(escrow_id=deposit.escrow_id, idempotency_key=_key(auction, f"deposit-{deposit.pk}-refund"),
                               actor=actor)
        deposit.status, deposit.settled_at = DepositStatus.REFUNDED, timezone.now()
        deposit.save(update_fields=["status", "settled_at"])
        count += 1
    return count


def _award(auction: Auction, bid: Bid, actor: User | None) -> None:
    due = timezone.now() + dt.timedelta(days=settings.MARKET["AUCTION_PAYMENT_DAYS"])
    apply_transition(auction, "award", actor=actor, bid=bid, due_at=due,
                     reason=f"竞买号 {bid.deposit.paddle_label} 以 {format_cny(bid.amount)} 成交，"
                            f"付款期限 {_local(due)} / Sold, payment due {_local(due)}")
    _issue_confirmation(auction, actor)


def _fail(auction: Auction, actor: User | None, reason: str) -> None:
    apply_transition(auction, "fail", actor=actor, failure_reason=reason, reason=reason)
    source = _source(auction)
    if source is not None and source.failed is not None:
        source.failed(source_id=auction.source_id, actor=actor, proceeds_to_creditor=auction.proceeds_to_creditor)


def _pay_out(auction: Auction, escrow: Escrow, step: str, actor: User | None) -> None:
    """Capture ``escrow`` and pay it out: the unpaid secured claim first, the rest to the debtor (art. 444)."""
    unpaid = max(ZERO, auction.claim_amount - auction.proceeds_to_creditor)
    payments.escrow_capture(escrow_id=escrow.pk, idempotency_key=_key(auction, f"{step}-capture"), actor=actor)
    payments.escrow_release(escrow_id=escrow.pk, idempotency_key=_key(auction, f"{step}-release"), actor=actor,
                            first_claims=[payments.Payout(auction.creditor, unpaid)])
    to_creditor = min(unpaid, escrow.amount)
    auction.proceeds_to_creditor += to_creditor
    auction.proceeds_to_debtor += escrow.amount - to_creditor
    auction.save(update_fields=["proceeds_to_creditor", "proceeds_to_debtor", "updated_at"])


def _transfer_register(auction: Auction, buyer: Organisation, price: Decimal, actor: User) -> None:
    """The creditor's pledges on the lot are released; the sale becomes a transfer deal (providers.record_sale),
    which registers the buyer as the holder with its change requests and certificate."""
    now = timezone.now()
    patents = list(auction.patents.all())
    for patent in patents:
        for pledge in Encumbrance.objects.in_force().filter(patent=patent, kind=EncumbranceKind.PLEDGE,
                                                            beneficiary=auction.creditor):
            pledge.released_at = now
            pledge.note = (pledge.note + f" 拍卖 {auction.number} 成交，价款清偿担保债权后注销").strip()[:500]
            pledge.save(update_fields=["released_at", "note"])
    providers.record_sale(seller=auction.debtor, buyer=buyer, patents=patents, price=price,
                          reference=f"拍卖 {auction.number}", title=f"拍卖标的 {auction.number}：{auction.title}"[:300],
                          actor=actor)
    for patent in patents:
        patent_changed(patent.pk)


def auction_close(*, auction_id: int, actor: User | None = None) -> Auction:
    """Close bidding once the end has passed: the highest bid wins (or the auction fails); losers are refunded."""
    if actor is not None:
        _staff(actor)
    with transaction.atomic():
        auction = locks.auction(auction_id)
        if auction.state != AuctionState.OPEN:
            raise state_refusal(auction, "结束竞价")
        if not auction.has_ended():
            raise RuleViolation(Reason("auction_not_ended", RULE,
                                       f"竞价至 {_local(auction.ends_at)} 结束，之前不能落槌 / Bidding runs until "
                                       f"{_local(auction.ends_at)}"))
        apply_transition(auction, "close", actor=actor,
                         reason=f"竞价结束，出价 {auction.bid_count} 次 / Bidding closed with {auction.bid_count} bids")
        leader = Bid.objects.select_related("deposit").get(pk=auction.leading_bid_id) if auction.leading_bid_id else None
        _refund_deposits(auction, actor, keep_bidder_id=leader.bidder_id if leader else None)
        if leader is None:
            _fail(auction, actor, "无人出价，无达到保留价的出价，流拍 / No bid at or above the reserve")
        else:
            _award(auction, leader, actor)
    return auction


def auction_pay(*, auction_id: int, actor: User, idempotency_key: str) -> Auction:
    """The buyer pays the price less its deposit into escrow before the deadline (a replayed key pays once)."""
    with transaction.atomic():
        auction = locks.auction(auction_id)
        bid = auction.winning_bid
        if auction.state != AuctionState.AWAITING_PAYMENT or bid is None:
            raise state_refusal(auction, "支付成交价款")
        if actor.organisation_id != bid.bidder_id:
            raise ActionForbidden("只有买受人可以支付成交价款 / Only the buyer pays the price")
        if auction.payment_escrow_id:
            if payments.is_replay(organisation=bid.bidder, key=idempotency_key, kind="hold",
                                  escrow=auction.payment_escrow):
                return auction
            raise RuleViolation(Reason("already_paid", RULE, "成交价款已支付 / The price has been paid"))
        if timezone.now() > auction.payment_due_at:
            raise RuleViolation(Reason("payment_overdue", RULE,
                                       f"付款期限 {_local(auction.payment_due_at)} 已过 / The payment deadline has passed"))
        balance = balance_due(auction)
        escrow = _hold(auction=auction, payer=bid.bidder, amount=balance, reference=f"{auction.number}-JK-{bid.pk}",
                       idempotency_key=idempotency_key, actor=actor)
        auction.payment_escrow = escrow
        auction.save(update_fields=["payment_escrow", "updated_at"])
        TransitionLog.record(auction, transition="pay", from_state=auction.state, to_state=auction.state, actor=actor,
                             reason=f"买受人支付 {format_cny(balance)}（保证金抵作价款，成交价 {format_cny(bid.amount)}） / "
                                    "Buyer paid the balance")
    return auction


def auction_confirm_payment(*, auction_id: int, actor: User) -> Auction:
    """Staff confirm the buyer's payment: money out by art. 444, holder changed on the register, pledges released."""
    _staff(actor)
    with transaction.atomic():
        auction = locks.auction(auction_id)
        if auction.state == AuctionState.SETTLED:
            return auction  # a repeated click settles nothing twice
        if auction.state != AuctionState.AWAITING_PAYMENT:
            raise state_refusal(auction, "确认收款")
        if not auction.payment_escrow_id:
            raise RuleViolation(Reason("payment_missing", RULE, "买受人尚未付款 / The buyer has not paid"))
        _check_transferable(auction)
        bid = Bid.objects.select_related("deposit__escrow", "bidder").get(pk=auction.winning_bid_id)
        if bid.deposit.status == DepositStatus.HELD:
            _pay_out(auction, bid.deposit.escrow, f"deposit-{bid.deposit.pk}", actor)
            bid.deposit.status, bid.deposit.settled_at = DepositStatus.APPLIED, timezone.now()
            bid.deposit.save(update_fields=["status", "settled_at"])
        _pay_out(auction, auction.payment_escrow, f"payment-{bid.pk}", actor)
        _transfer_register(auction, bid.bidder, bid.amount, actor)
        apply_transition(auction, "settle", actor=actor,
                         reason=f"成交价 {format_cny(bid.amount)}：偿还担保债权 {format_cny(auction.proceeds_to_creditor)}，"
                                f"余款 {format_cny(auction.proceeds_to_debtor)} 付出质人；专利权人变更为 {bid.bidder.name}")
        source = _source(auction)
        if source is not None and source.settled is not None:
            source.settled(source_id=auction.source_id, proceeds_to_creditor=auction.proceeds_to_creditor, actor=actor)
    return auction


def auction_forfeit(*, auction_id: int, actor: User | None = None) -> Auction:
    """The buyer let the deadline pass: its deposit is forfeited to the creditor's claim; the lot is free again."""
    if actor is not None:
        _staff(actor)
    with transaction.atomic():
        auction = locks.auction(auction_id)
        if auction.state != AuctionState.AWAITING_PAYMENT:
            raise state_refusal(auction, "认定悔拍")
        if auction.payment_escrow_id:
            raise RuleViolation(Reason("already_paid", RULE, "买受人已付款 / The buyer has paid"))
        if timezone.now() <= auction.payment_due_at:
            raise RuleViolation(Reason("payment_not_overdue", RULE,
                                       f"付款期限 {_local(auction.payment_due_at)} 尚未届满 / The deadline has not passed"))
        bid = Bid.objects.select_related("deposit__escrow").get(pk=auction.winning_bid_id)
        Bid.objects.filter(pk=bid.pk).update(lapsed_at=timezone.now())
        forfeited = ZERO
        if bid.deposit.status == DepositStatus.HELD:
            _pay_out(auction, bid.deposit.escrow, f"deposit-{bid.deposit.pk}-forfeit", actor)
            bid.deposit.status, bid.deposit.settled_at = DepositStatus.FORFEITED, timezone.now()
            bid.deposit.save(update_fields=["status", "settled_at"])
            forfeited = bid.deposit.escrow.amount
        apply_transition(auction, "forfeit", actor=actor,
                         reason=f"竞买号 {bid.deposit.paddle_label} 逾期未付款，保证金 {format_cny(forfeited)} 不予退还，"
                                "用于清偿担保债权 / The buyer did not pay: deposit forfeited to the secured claim")
    return auction


def auction_offer_next(*, auction_id: int, actor: User) -> Auction:
    """After a forfeit, staff offer the lot to the next bidder at that bidder's highest bid."""
    _staff(actor)
    with transaction.atomic():
        auction = locks.auction(auction_id)
        if auction.state != AuctionState.CLOSED:
            raise state_refusal(auction, "由次高出价人承受")
        bid = next_bid(auction)
        if bid is None:
            raise RuleViolation(Reason("no_next_bidder", RULE,
                                       "没有可承受的其他出价人 / No other bidder to offer the lot to"))
        _award(auction, bid, actor)
    return auction


def auction_fail(*, auction_id: int, actor: User, reason: str) -> Auction:
    """Staff end a closed auction without a sale (e.g. after a forfeit, no next bidder takes it)."""
    _staff(actor)
    require_reason(reason, "请填写流拍原因 / Give a reason")
    with transaction.atomic():
        auction = locks.auction(auction_id)
        if auction.state != AuctionState.CLOSED:
            raise state_refusal(auction, "流拍")
        _fail(auction, actor, reason.strip())
    return auction


def auction_cancel(*, auction_id: int, actor: User, reason: str) -> Auction:
    """Staff withdraw an auction before it closes (e.g. the debt was repaid); every deposit is refunded."""
    _staff(actor)
    require_reason(reason, "请填写撤拍原因 / Give a reason")
    with transaction.atomic():
        auction = locks.auction(auction_id)
        if auction.state not in (AuctionState.SCHEDULED, AuctionState.OPEN):
            raise state_refusal(auction, "撤拍")
        apply_transition(auction, "cancel", actor=actor, cancel_reason=reason.strip(), reason=reason.strip())
        _refund_deposits(auction, actor)
    return auction


def auctions_tick() -> dict[str, int]:
    """Every minute (beat): open auctions whose start has come, close those past their end, forfeit overdue buyers."""
    now = timezone.now()
    due = {
        "started": (auction_start, Auction.objects.filter(state=AuctionState.SCHEDULED, starts_at__lte=now,
                                                            ends_at__gt=now)),
        "closed": (auction_close, Auction.objects.filter(state=AuctionState.OPEN, ends_at__lte=now)),
        "forfeited": (auction_forfeit, Auction.objects.filter(state=AuctionState.AWAITING_PAYMENT,
                                                              payment_escrow__isnull=True, payment_due_at__lt=now)),
    }
    counts = {}
    for name, (service, queryset) in due.items():
        counts[name] = 0
        for auction_id in queryset.values_list("pk", flat=True):
            try:
                service(auction_id=auction_id, actor=None)
                counts[name] += 1
            except RuleViolation:
                pass  # moved on meanwhile (a bid extended the end, staff acted): the next tick sees it
    return counts
