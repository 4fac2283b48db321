"""The transfer deal, step by step. Each function is one transaction: lock, check, transition, log,
and queue side effects (documents, index updates) after commit.

Who may act: the buyer opens the deal with an offer; the side that did not make the latest offer
may counter or accept; each side signs; the buyer pays into escrow; either side files the change
of holder with CNIPA and the buyer pays the fee; trading-centre staff (acting for the simulated
CNIPA registry and as the certifying trading centre) register or refuse, and release the escrow.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from market import locks
from market.access import require_counterparty
from market.models import (
    Consent,
    ConsentCapacity,
    ConsentPurpose,
    DocumentKind,
    Listing,
    ListingMode,
    ListingState,
    Organisation,
    OrganisationKind,
    PatentOwner,
    TransitionLog,
    User,
)
from market.money import ZERO, cny, format_cny
from market.register.holders import Holder, holders_replace, joint_shares
from market.rules import Reason, RuleViolation, about_patent, transfer_blockers
from market.rules.common import active_pledges
from market.rules.transfer import package_transfer_blockers
from market.services import payments, proceeds
from market.services.documents import document_reissue, document_request, documents_for
from market.services.errors import ActionForbidden, require_reason, state_refusal
from market.services.listings import listing_close
from market.services.transitions import apply_transition
from market.transfers.models import FUNDED_STATES, OPEN_STATES, DealState, Objection, Offer, TransferDeal, Transferor
from notifications.services import notify

from . import locks as deal_locks
from .selectors import deal_pending_consents

PUBLICITY_KINDS = (OrganisationKind.UNIVERSITY, OrganisationKind.RESEARCH_INSTITUTE)


# -- helpers -------------------------------------------------------------------------------------
def _party(deal: TransferDeal, actor: User) -> str:
    party = deal.party_of(actor.organisation)
    if party is None:
        raise ActionForbidden("只有交易双方可以执行此操作 / Only the parties to the deal may do this")
    return party


def _staff(actor: User) -> None:
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以执行此操作 / Only trading-centre staff may do this")


def _price(value) -> Decimal:
    try:
        price = cny(value)
    except Exception as exc:
        raise ValidationError({"price": ["价格格式不正确 / The price is not a number"]}) from exc
    if price <= ZERO:
        raise ValidationError({"price": ["价格必须大于0 / The price must be above 0"]})
    if price >= Decimal("1e13"):
        raise ValidationError({"price": ["价格超出范围 / The price is too large"]})
    return price


def _rule_check(deal: TransferDeal) -> None:
    """Every patent of the deal must be transferable by the seller now (consents of this deal count)."""
    reasons = []
    patents = list(deal.patents.all())
    for patent in patents:
        reasons += about_patent(patent, transfer_blockers(patent, seller=deal.seller, deal=deal))
    reasons += package_transfer_blockers(patents, seller=deal.seller)
    if reasons:
        raise RuleViolation(reasons)


def _issue(deal: TransferDeal, kind: str, patent=None) -> None:
    document_request(deal=deal, kind=kind, patent=patent)


def _key(deal: TransferDeal, step: str) -> str:
    """Internal idempotency key of a platform-initiated money movement of this deal."""
    return f"transfer-deal:{deal.pk}:{step}"


def _related_party_flag(listing: Listing, buyer) -> str:
    texts = " ".join(f"{p.inventors} {p.applicants}" for p in listing.patents.all())
    if buyer.name and buyer.name in texts:
        return f"受让方“{buyer.name}”是发明人或申请人 / The buyer is an inventor or applicant of the patent"
    return ""


# -- negotiation ---------------------------------------------------------------------------------
def deal_open(*, listing_id: int, actor: User, price, message: str = "") -> TransferDeal:
    """The buyer makes a first offer on a published transfer listing; this opens the deal."""
    price = _price(price)
    require_counterparty(actor, "只有已认证机构可以报价 / Only verified organisations may make offers")
    with transaction.atomic():
        listing = locks.listing(listing_id)
        if listing.state != ListingState.PUBLISHED or listing.mode != ListingMode.TRANSFER:
            raise RuleViolation(Reason("listing_not_open", "transfer",
                                       "该挂牌未发布或不是转让挂牌 / The listing is not a published transfer listing"))
        if listing.organisation_id == actor.organisation_id:
            raise ActionForbidden("不能对本机构的挂牌报价 / You cannot make an offer on your own listing")
        if TransferDeal.objects.filter(listing=listing, buyer=actor.organisation, state__in=OPEN_STATES).exists():
            raise RuleViolation(Reason("deal_exists", "transfer",
                                       "贵机构在该挂牌上已有进行中的交易 / You already have an open deal on this listing"))
        buyer = actor.organisation
        deal = TransferDeal.objects.create(
            listing=listing, seller=listing.organisation, buyer=buyer, created_by=actor,
            export_registration_required=buyer.is_foreign,
            publicity_required=(listing.organisation.kind in PUBLICITY_KINDS
                                and listing.organisation.is_public_institution and listing.organisation.in_zhejiang),
            related_party_flag=_related_party_flag(listing, buyer),
        )
        deal.patents.set(listing.patents.all())
        Offer.objects.create(deal=deal, organisation=buyer, made_by=actor, price=price, message=message)
        TransitionLog.record(deal, transition="open", from_state="", to_state=deal.state, actor=actor,
                             reason=f"报价 {format_cny(price)} / Offer {format_cny(price)}")
    return deal


def deal_counter(*, deal_id: int, actor: User, price, message: str = "") -> Offer:
    """The side that did not make the latest offer answers with another price."""
    price = _price(price)
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        _party(deal, actor)
        if deal.state != DealState.NEGOTIATING:
            raise state_refusal(deal, "还价")
        latest = deal.latest_offer()
        if latest and latest.organisation_id == actor.organisation_id:
            raise RuleViolation(Reason("await_other_side", "transfer",
                                       "请等待对方回应您的上一次报价 / Wait for the other side to answer your last offer"))
        offer = Offer.objects.create(deal=deal, organisation=actor.organisation, made_by=actor, price=price,
                                     message=message)
        TransitionLog.record(deal, transition="counter", from_state=deal.state, to_state=deal.state, actor=actor,
                             reason=f"还价 {format_cny(price)} / Counter-offer {format_cny(price)}")
    return offer


def deal_accept(*, deal_id: int, actor: User) -> TransferDeal:
    """Accept the other side's latest offer: the price is agreed; public institutions start publicity."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        _party(deal, actor)
        latest = deal.latest_offer()
        if deal.state == DealState.NEGOTIATING and latest and latest.organisation_id == actor.organisation_id:
            raise RuleViolation(Reason("own_offer", "transfer",
                                       "不能接受本方的报价 / You cannot accept your own offer"))
        apply_transition(deal, "agree", actor=actor, label="接受报价", price=latest.price if latest else None,
                         reason=f"接受报价 {format_cny(latest.price if latest else '')}")
        _agree_transferors(deal)
        if deal.publicity_required:
            ends = timezone.now() + dt.timedelta(days=settings.MARKET["PUBLICITY_DAYS"])
            apply_transition(deal, "publicise", actor=actor, ends_at=ends,
                             reason=f"公示至 {timezone.localtime(ends):%Y-%m-%d %H:%M}（浙江省促进科技成果转化条例第17条）")
    return deal


def deal_object(*, deal_id: int, actor: User, text: str) -> Objection:
    """Anyone signed in may object to a publicised deal; signing waits until staff resolve it."""
    if not text.strip():
        raise ValidationError({"text": ["请填写异议内容 / Say what the objection is"]})
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if deal.state != DealState.PUBLICISED:
            raise state_refusal(deal, "提出异议")
        name = actor.organisation.name if actor.organisation else str(actor)
        return Objection.objects.create(deal=deal, filed_by=actor, filed_by_name=name, text=text)


def deal_resolve_objection(*, objection_id: int, actor: User, resolution: str) -> Objection:
    """Staff record how an objection was resolved."""
    _staff(actor)
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection_id)
        if objection.resolved_at is None:
            objection.resolved_at = timezone.now()
            objection.resolution = resolution
            objection.save(update_fields=["resolved_at", "resolution"])
    return objection


# -- consents and signing ------------------------------------------------------------------------
def deal_consent_request(*, deal_id: int, actor: User, message: str = "") -> list[Organisation]:
    """The seller asks, in the platform, every co-owner and pledgee whose consent the deal still needs; each is
    notified once (asking again notifies nobody twice). Returns the organisations asked."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if _party(deal, actor) != "seller":
            raise ActionForbidden("只有转让方可以请求同意 / Only the seller asks for consents")
        if deal.state not in OPEN_STATES or deal.state == DealState.REGISTERED:
            raise state_refusal(deal, "请求同意")
        pending = {c["organisation_id"]: c["organisation"] for c in deal_pending_consents(deal)
                   if not c["given"] and c["organisation"] is not None}
        if not pending:
            raise RuleViolation(Reason("no_consent_pending", "transfer",
                                       "本交易无待出具的同意 / No consent is pending for this deal"))
        notify(key=f"deal:{deal.pk}:consent-request", kind="deal", title=f"请求同意转让（交易 {deal.number}）",
               body=(message or "").strip(), url=reverse("frontend:deal_detail", args=[deal.pk]),
               organisations=list(pending.values()))
        TransitionLog.record(deal, transition="consent_request", from_state=deal.state, to_state=deal.state,
                             actor=actor, reason="请求同意：" + "、".join(org.name for org in pending.values()))
    return list(pending.values())


def deal_consent(*, deal_id: int, actor: User, patent_id: int, note: str = "",
                 deposit_proceeds: bool = False) -> Consent:
    """A co-owner or pledgee of one of the deal's patents records its written consent to this transfer. A pledgee
    may ask for the price to be deposited (提存) until its debt falls due instead of repaying it early (Civil
    Code art. 444); the seller agrees by signing the contract that says so."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if deal.state not in OPEN_STATES:
            raise state_refusal(deal, "同意转让")
        patent = deal.patents.filter(pk=patent_id).first()
        if patent is None:
            raise ValidationError({"patent_id": ["该专利不属于本交易 / The patent is not part of this deal"]})
        org = actor.organisation
        if org and PatentOwner.objects.filter(patent=patent, organisation=org).exclude(organisation=deal.seller).exists():
            capacity = ConsentCapacity.CO_OWNER
        elif org and active_pledges(patent).filter(beneficiary=org).exists():
            capacity = ConsentCapacity.PLEDGEE
        else:
            raise ActionForbidden("只有共有人或质权人可以出具同意 / Only a co-owner or the pledgee may consent")
        if deposit_proceeds and capacity != ConsentCapacity.PLEDGEE:
            raise ValidationError({"deposit_proceeds": ["只有质权人可以选择价款提存 / Only the pledgee chooses a deposit"]})
        if deposit_proceeds and deal.seller_signed_at:
            raise RuleViolation(Reason("deposit_after_signing", "transfer",
                                       "转让方已签署合同，价款提存须在签署前约定 / The deposit must be agreed before "
                                       "the seller signs"))
        consent, _ = Consent.objects.get_or_create(
            patent=patent, organisation=org, capacity=capacity, purpose=ConsentPurpose.TRANSFER,
            deal_type=ContentType.objects.get_for_model(deal), deal_id=deal.pk,
            defaults={"given_by": actor, "note": note, "deposit_proceeds": deposit_proceeds})
    return consent


def _co_owner_row(deal: TransferDeal, actor: User) -> Transferor | None:
    """The transferor row of ``actor``'s organisation when it is a co-owner (not the seller) of this deal."""
    if actor.organisation_id is None or actor.organisation_id == deal.seller_id:
        return None
    return deal.transferors.filter(organisation_id=actor.organisation_id).first()


def _agree_transferors(deal: TransferDeal) -> None:
    """Each holder of the deal's patents becomes a transferor with its share of the price: the register's shares
    (the mean over the patents), else equal shares."""
    deal.transferors.all().delete()
    Transferor.objects.bulk_create(
        Transferor(deal=deal, name=holder.name, organisation=holder.organisation, share=holder.share)
        for holder in joint_shares(list(deal.patents.all())))


def _join_transferors(deal: TransferDeal) -> None:
    """A co-owner that joined the platform after the price was agreed signs as its organisation."""
    for row in deal.transferors.filter(organisation__isnull=True):
        holding = PatentOwner.objects.filter(patent__in=deal.patents.all(), name=row.name,
                                             organisation__isnull=False).first()
        if holding is not None:
            row.organisation_id = holding.organisation_id
            row.save(update_fields=["organisation"])


def deal_sign(*, deal_id: int, actor: User) -> TransferDeal:
    """The buyer and every transferor (the seller and each co-owner, Patent Law art. 14) sign the contract; a
    co-owner's signature is its written consent. When all have signed the deal is SIGNED and the contract issued."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        _join_transferors(deal)
        co_owner = _co_owner_row(deal, actor)
        party = "co_owner" if co_owner is not None else _party(deal, actor)
        if deal.state not in (DealState.AGREED, DealState.PUBLICISED):
            raise state_refusal(deal, "签署合同")
        if not deal.publicity_over():
            ends = timezone.localtime(deal.publicity_ends_at) if deal.publicity_ends_at else None
            raise RuleViolation(Reason(
                "publicity_running", "transfer",
                f"公示期未满或有未处理的异议（公示至 {ends:%Y-%m-%d %H:%M}） / "
                f"Publicity runs until {ends:%Y-%m-%d %H:%M} or an objection is unresolved"))
        if co_owner is not None:
            if co_owner.signed_at:
                return deal
            for patent in deal.patents.filter(ownerships__organisation=actor.organisation):
                Consent.objects.get_or_create(
                    patent=patent, organisation=actor.organisation, capacity=ConsentCapacity.CO_OWNER,
                    purpose=ConsentPurpose.TRANSFER, deal_type=ContentType.objects.get_for_model(deal),
                    deal_id=deal.pk, defaults={"given_by": actor, "note": "签署转让合同 / Signed the contract"})
            co_owner.signed_at, co_owner.signed_by = timezone.now(), actor
            co_owner.save(update_fields=["signed_at", "signed_by"])
            TransitionLog.record(deal, transition="sign_co_owner", from_state=deal.state, to_state=deal.state,
                                 actor=actor, reason=f"共有人 {co_owner.name} 签署转让合同（份额 {co_owner.share:.2f}%） / "
                                                     "A co-owner signed the contract")
        else:
            _rule_check(deal)
            field = f"{party}_signed_at"
            if getattr(deal, field):
                return deal  # this side signed already: a repeated click changes nothing
            setattr(deal, field, timezone.now())
            deal.save(update_fields=[field, "updated_at"])
            if party == "seller":
                deal.transferors.filter(organisation_id=deal.seller_id).update(signed_at=deal.seller_signed_at,
                                                                               signed_by=actor)
            TransitionLog.record(deal, transition=f"sign_{party}", from_state=deal.state, to_state=deal.state,
                                 actor=actor, reason="签署转让合同 / Signed the contract")
        if deal.both_signed():
            if co_owner is not None:  # a party's signature was checked above; the last may be a co-owner's
                _rule_check(deal)
            apply_transition(deal, "complete_signing", actor=actor, reason="各方已签署 / Every party signed")
            _issue(deal, DocumentKind.TRANSFER_CONTRACT)
    return deal


def deal_set_shares(*, deal_id: int, actor: User, shares: dict[str, Decimal]) -> TransferDeal:
    """The seller records the co-owners' agreed shares of the price (percent by transferor name, summing to
    100) before anyone signs; each co-owner's signature then agrees to them."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if _party(deal, actor) != "seller":
            raise ActionForbidden("只有转让方可以约定份额 / Only the seller records the shares")
        if deal.state not in (DealState.AGREED, DealState.PUBLICISED):
            raise state_refusal(deal, "约定份额")
        rows = {row.name: row for row in deal.transferors.all()}
        if deal.buyer_signed_at or deal.seller_signed_at or any(row.signed_at for row in rows.values()):
            raise RuleViolation(Reason("shares_after_signing", "transfer",
                                       "已有一方签署，份额不能再变更 / A party has signed: the shares are fixed"))
        if set(shares) != set(rows) or any(value <= ZERO for value in shares.values()) \
                or sum(shares.values(), ZERO) != Decimal(100):
            raise ValidationError({"shares": [
                f"须为每一转让方（{'、'.join(rows)}）约定大于0的份额，合计100 / Give every transferor a share above "
                f"0, together 100"]})
        for name, value in shares.items():
            rows[name].share = value
        Transferor.objects.bulk_update(rows.values(), ["share"])
        TransitionLog.record(deal, transition="set_shares", from_state=deal.state, to_state=deal.state, actor=actor,
                             reason="约定份额：" + "，".join(f"{name} {value}%" for name, value in shares.items()))
    return deal


def deal_price_shares(deal: TransferDeal) -> list[tuple[Organisation, Decimal]]:
    """Who receives the price (after secured debts) and by which weight: each transferor by its share."""
    rows = list(deal.transferors.select_related("organisation"))
    if not rows or any(row.organisation is None for row in rows):
        return [(deal.seller, Decimal(1))]
    return [(row.organisation, row.share) for row in rows]


# -- money and registration ----------------------------------------------------------------------
def deal_pay(*, deal_id: int, actor: User, idempotency_key: str) -> TransferDeal:
    """The buyer pays the price into escrow. Replaying the same key moves no money twice."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if _party(deal, actor) != "buyer":
            raise ActionForbidden("只有受让方可以付款 / Only the buyer pays")
        if deal.state != DealState.SIGNED:
            # already paid with this key: a replay is answered with the deal as it is now
            if deal.escrow_id and payments.is_replay(organisation=deal.buyer, key=idempotency_key, kind="hold",
                                                     escrow=deal.escrow):
                return deal
            raise state_refusal(deal, "付款")
        escrow, _ = payments.escrow_hold(payer=deal.buyer, payee=deal.seller, amount=deal.price,
                                         reference=f"ZT-{deal.pk}", idempotency_key=idempotency_key, actor=actor)
        apply_transition(deal, "fund", actor=actor, escrow=escrow,
                         reason=f"价款 {format_cny(escrow.amount)}已托管 / {format_cny(escrow.amount)} held in escrow")
    return deal


def deal_file_registration(*, deal_id: int, actor: User, export_registration_number: str = "") -> TransferDeal:
    """File the change of holder (著录项目变更) with CNIPA: one request per patent, fee due in a month."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        _party(deal, actor)
        if deal.state != DealState.PAID:
            raise state_refusal(deal, "提交变更登记")
        if export_registration_number:
            deal.export_registration_number = export_registration_number.strip()
        if deal.export_registration_required and not deal.export_registration_number:
            raise RuleViolation(Reason(
                "export_registration_missing", "transfer",
                "向境外转让专利须先办理技术出口登记 / A transfer abroad needs the technology-export registration first"))
        _rule_check(deal)
        count = deal.patents.count()
        fee = cny(Decimal(settings.MARKET["CHANGE_REGISTRATION_FEE_PER_PATENT"]) * count)
        due = timezone.localdate() + dt.timedelta(days=settings.MARKET["CHANGE_REGISTRATION_FEE_DAYS"])
        apply_transition(deal, "file_registration", actor=actor, fee=fee, due_date=due,
                         reason=f"提交著录项目变更申报书 {count} 份，规费 {format_cny(fee)}，缴费期限 {due:%Y-%m-%d}")
        _issue_change_requests(deal, actor)
    return deal


def _issue_change_requests(deal: TransferDeal, actor: User) -> None:
    """One request per patent; a re-filing after a lapse corrects the issued ones (new fee due date)."""
    for patent in deal.patents.all():
        issued = documents_for(deal).filter(kind=DocumentKind.CHANGE_REQUEST, patent=patent, state="issued",
                                            superseded_by__isnull=True).first()
        if issued:
            document_reissue(document_id=issued.pk, actor=actor,
                             reason=f"重新提交变更申请，缴费期限 {deal.fee_due_date:%Y-%m-%d} / Filed again")
        else:
            _issue(deal, DocumentKind.CHANGE_REQUEST, patent=patent)


def deal_pay_registration_fee(*, deal_id: int, actor: User, idempotency_key: str) -> TransferDeal:
    """The buyer pays the CNIPA change fee (CNY 200 per patent) within a month of filing."""
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if _party(deal, actor) != "buyer":
            raise ActionForbidden("变更登记费由受让方缴纳 / The buyer pays the change fee")
        if deal.state != DealState.FILED:
            raise state_refusal(deal, "缴纳登记费")
        _, moved = payments.fee_pay(payer=deal.buyer, amount=deal.registration_fee, reference=f"ZT-{deal.pk}-fee",
                                    idempotency_key=idempotency_key, actor=actor)
        if moved and deal.fee_paid_at is None:
            deal.fee_paid_at = timezone.now()
            deal.save(update_fields=["fee_paid_at", "updated_at"])
            TransitionLog.record(deal, transition="pay_fee", from_state=deal.state, to_state=deal.state, actor=actor,
                                 reason=f"已缴纳变更登记费 {format_cny(deal.registration_fee)}")
    return deal


def deal_register(*, deal_id: int, actor: User, registration_number: str = "") -> TransferDeal:
    """CNIPA registers the change: only now the buyer becomes the holder on the register."""
    _staff(actor)
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if deal.state != DealState.FILED:
            raise state_refusal(deal, "登记")
        if deal.fee_paid_at is None:
            raise RuleViolation(Reason("fee_unpaid", "transfer",
                                       "变更登记费尚未缴纳 / The change fee has not been paid"))
        _rule_check(deal)
        today = timezone.localdate()
        number = registration_number or f"BG{today:%Y%m%d}{deal.pk:06d}"
        for patent in deal.patents.all():
            holders_replace(patent, [Holder.of(deal.buyer)], key=f"transfer:{deal.number}:{patent.application_number}",
                            on=today, source=f"转让交易 {deal.number} / transfer deal",
                            data={"deal": deal.number, "registration_number": number})
        # A mark's transferee holds it from the announcement of the approved transfer (Trademark Law art. 42).
        marks = "；商标转让已核准并于今日公告，受让人自公告之日起享有商标专用权" if any(
            p.is_trademark for p in deal.patents.all()) else ""
        apply_transition(deal, "register", actor=actor, registration_number=number,
                         reason=f"著录项目变更已登记，登记号 {number}{marks}")
        payments.escrow_capture(escrow_id=deal.escrow_id, idempotency_key=_key(deal, "capture"), actor=actor)
    return deal


def deal_refuse_registration(*, deal_id: int, actor: User, reason: str) -> TransferDeal:
    """CNIPA refuses the change: the deal is cancelled and the buyer refunded."""
    _staff(actor)
    require_reason(reason, "请填写不予登记的理由 / Give the ground of refusal")
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if deal.state != DealState.FILED:
            raise state_refusal(deal, "不予登记")
        _cancel(deal, actor=actor, reason=f"不予登记：{reason}")
    return deal


def deal_release(*, deal_id: int, actor: User, idempotency_key: str | None = None) -> TransferDeal:
    """The trading centre certifies the deal and releases the escrow: secured debts first, then the seller."""
    _staff(actor)
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if deal.state != DealState.REGISTERED:  # a repeated release too: the caller learns who won
            raise state_refusal(deal, "放款结案")
        depositing = Consent.objects.filter(deal_type=ContentType.objects.get_for_model(deal), deal_id=deal.pk,
                                            capacity=ConsentCapacity.PLEDGEE, deposit_proceeds=True)
        proceeds.release_proceeds(escrow_id=deal.escrow_id, patents=deal.patents.all(), actor=actor,
                                  idempotency_key=idempotency_key or _key(deal, "release"),
                                  shares=deal_price_shares(deal),
                                  depositing=depositing.values_list("organisation_id", flat=True))
        apply_transition(deal, "close", actor=actor, reason="交易中心鉴证，托管价款已放款 / Certified, escrow released")
        _close_listing(deal, actor)
        _issue(deal, DocumentKind.DEAL_CERTIFICATE)
    return deal


def deal_record_sale(*, seller: Organisation, buyer: Organisation, patents: list, price: Decimal, reference: str,
                     title: str, actor: User) -> TransferDeal:
    """A sale made elsewhere (an auction of collateral, ``reference`` its number, its money moved by the
    auction) recorded as a transfer deal: a closed listing of the lot, the deal closed at ``price``, the change
    of holder registered on the register under the deal, and its change requests and certificate issued.
    Runs in the caller's transaction; a second call for ``reference`` returns the first deal."""
    earlier = TransferDeal.objects.filter(sale_reference=reference).first()
    if earlier is not None:
        return earlier
    listing = Listing.objects.create(organisation=seller, created_by=actor, title=title, mode=ListingMode.TRANSFER,
                                     asking_price=price, state=ListingState.CLOSED,
                                     description=f"{reference} 成交 / sold at {reference}")
    listing.patents.set(patents)
    now = timezone.now()
    deal = TransferDeal.objects.create(listing=listing, seller=seller, buyer=buyer, price=price, created_by=actor,
                                       state=DealState.CLOSED, sale_reference=reference, seller_signed_at=now,
                                       buyer_signed_at=now, filed_at=now, registered_at=now, closed_at=now)
    deal.patents.set(patents)
    deal.registration_number = f"BG{timezone.localdate():%Y%m%d}{deal.pk:06d}"
    deal.save(update_fields=["registration_number"])
    for patent in patents:
        holders_replace(patent, [Holder.of(buyer)], key=f"transfer:{deal.number}:{patent.application_number}",
                        source=f"转让交易 {deal.number}（{reference}） / transfer deal",
                        data={"deal": deal.number, "sale": reference, "registration_number": deal.registration_number})
        _issue(deal, DocumentKind.CHANGE_REQUEST, patent=patent)
    TransitionLog.record(deal, transition="record_sale", from_state="", to_state=deal.state, actor=actor,
                         reason=f"{reference} 成交 {format_cny(price)}，著录项目变更已登记，登记号 {deal.registration_number}")
    _issue(deal, DocumentKind.DEAL_CERTIFICATE)
    return deal


def _close_listing(deal: TransferDeal, actor: User) -> None:
    """The listing leaves the market; other open deals on it are cancelled (and refunded)."""
    if deal.listing.state == ListingState.PUBLISHED:
        listing_close(listing_id=deal.listing_id, actor=actor, reason=f"交易 {deal.number} 已成交")
    for other_id in (TransferDeal.objects.filter(listing_id=deal.listing_id, state__in=OPEN_STATES)
                     .exclude(pk=deal.pk).values_list("pk", flat=True)):
        other = deal_locks.transfer_deal(other_id)
        _cancel(other, actor=actor, reason=f"挂牌已与其他受让方成交（{deal.number}） / Listing sold to another buyer")


# -- cancellation --------------------------------------------------------------------------------
def _cancel(deal: TransferDeal, *, actor: User | None, reason: str) -> None:
    funded = deal.state in FUNDED_STATES
    apply_transition(deal, "cancel", actor=actor, reason=reason, label="取消", cancel_reason=reason)
    if funded and deal.escrow_id:
        payments.escrow_refund(escrow_id=deal.escrow_id, idempotency_key=_key(deal, "refund"), actor=actor)


def deal_cancel(*, deal_id: int, actor: User, reason: str) -> TransferDeal:
    """Either side (or staff) cancels before registration; money in escrow goes back to the buyer."""
    require_reason(reason, "请填写取消原因 / Give a reason")
    with transaction.atomic():
        deal = deal_locks.transfer_deal(deal_id)
        if not actor.is_centre_staff:
            _party(deal, actor)
        _cancel(deal, actor=actor, reason=reason)
    return deal


def deals_lapse_unpaid_filings(*, today: dt.date | None = None) -> int:
    """Daily: a filing whose fee is unpaid a month after the request is deemed not filed (back to PAID)."""
    today = today or timezone.localdate()
    count = 0
    due = TransferDeal.objects.filter(state=DealState.FILED, fee_paid_at__isnull=True, fee_due_date__lt=today)
    for deal_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            deal = deal_locks.transfer_deal(deal_id)
            if deal.state == DealState.FILED and deal.fee_paid_at is None and deal.fee_due_date < today:
                apply_transition(deal, "lapse_filing", actor=None,
                                 reason="规费逾期未缴，变更申请视为未提出 / Fee unpaid: the request is deemed not filed")
                count += 1
    return count
