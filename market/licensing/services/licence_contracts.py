"""The licence contract (实施许可), step by step: offer → counter-offers → agreed → signed by both →
effective (first payment, if any, through escrow) → 备案 filed → recorded; expiry and early termination.

Who acts: the licensee opens with an offer on a published licence (or open-licence) listing; the
side that did not make the latest offer counters or accepts; each side signs; the licensee pays
the first payment; the licensor files the 备案 (due within 3 months of effect); trading-centre
staff, acting for the simulated CNIPA registry, record it or refuse it. Each function is one
transaction: lock, check the rules (``licence_blockers``), transition, log, queue documents.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from market import locks
from market.access import require_counterparty
from market.licensing import locks as licence_locks
from market.licensing.models import (
    CONTRACT_IN_EFFECT,
    CONTRACT_OPEN_STATES,
    DEFAULT_SCOPE,
    DEFAULT_TERRITORY,
    FILING_LEVELS,
    Licence,
    LicenceContract,
    LicenceContractState,
    LicenceKind,
    LicenceOffer,
    LicenceState,
    ReminderKind,
)
from market.models import Consent, ConsentPurpose, DocumentKind, Encumbrance, ListingMode, ListingState, TransitionLog, User
from market.money import format_cny
from market.rules import Reason, RuleViolation, about_patent, licence_blockers
from market.services import payments
from market.services.consents import consent_give
from market.services.documents import document_request
from market.services.errors import ActionForbidden, require_reason, state_refusal
from market.services.transitions import apply_transition

from .royalties import clean_royalty_terms, initial_payment, licence_end, licence_grant, pay_period_locked, reminder_send

RULE = "licence"
# Consents are recorded on the contract once it exists: negotiation is not refused for lacking them.
CONSENT_CODES = {"co_owner_consent_missing", "pledged_without_consent"}


# -- helpers ---------------------------------------------------------------------------------------
def _party(contract: LicenceContract, actor: User) -> str:
    party = contract.party_of(actor.organisation)
    if party is None:
        raise ActionForbidden("只有合同双方可以执行此操作 / Only the parties to the contract may do this")
    return party


def _staff(actor: User) -> None:
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以办理备案 / Only trading-centre staff record filings")


def clean_licence_terms(*, licence_kind: str, start_date: dt.date | None, end_date: dt.date | None,
                        territory: str = "", **royalty) -> dict:
    """Check an offer's terms (kind, term, territory, royalty); returns the fields to store."""
    errors: dict[str, list[str]] = {}
    try:
        cleaned = clean_royalty_terms(**royalty)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    if licence_kind not in LicenceKind.values:
        errors["licence_kind"] = ["许可类型须为独占、排他或普通 / Exclusive, sole or ordinary"]
    if not isinstance(start_date, dt.date):
        errors["start_date"] = ["请填写许可起始日 / A start date is required"]
    elif start_date < timezone.localdate():
        errors["start_date"] = ["许可起始日不得早于今天 / The licence cannot start in the past"]
    if not isinstance(end_date, dt.date):
        errors["end_date"] = ["请填写许可终止日 / An end date is required"]
    elif isinstance(start_date, dt.date) and end_date <= start_date:
        errors["end_date"] = ["许可终止日须晚于起始日 / The end date must be after the start date"]
    if errors:
        raise ValidationError(errors)
    return {**cleaned, "licence_kind": licence_kind, "start_date": start_date, "end_date": end_date,
            "territory": territory.strip() or DEFAULT_TERRITORY}


def contract_blockers(contract: LicenceContract, terms: dict | None = None, *, consents: bool = True) -> list[Reason]:
    """The licence rules for ``contract`` on ``terms`` (its own, by default); without consents when negotiating."""
    terms = terms or contract.terms()
    own = contract.licence.encumbrance_id if hasattr(contract, "licence") else None
    reasons = licence_blockers(contract.patent, licensor=contract.licensor, licence_kind=terms["licence_kind"],
                               start_date=terms["start_date"], end_date=terms["end_date"],
                               deal=contract if contract.pk else None,
                               own_encumbrance=own)
    if not consents:
        reasons = [r for r in reasons if r.code not in CONSENT_CODES]
    return about_patent(contract.patent, reasons)


def _check(contract: LicenceContract, terms: dict | None = None, *, consents: bool = True) -> None:
    if reasons := contract_blockers(contract, terms, consents=consents):
        raise RuleViolation(reasons)


def _issue(contract: LicenceContract, kind: str) -> None:
    document_request(deal=contract, kind=kind)


# -- negotiation -----------------------------------------------------------------------------------
def contract_open(*, listing_id: int, actor: User, patent_id: int | None = None, message: str = "",
                  **terms) -> LicenceContract:
    """The licensee's first offer on a published licence or open-licence listing opens the contract."""
    terms = clean_licence_terms(**terms)
    org = require_counterparty(actor, "只有已认证机构可以报价 / Only verified organisations may make offers")
    with transaction.atomic():
        listing = locks.listing(listing_id)
        if listing.state != ListingState.PUBLISHED or listing.mode not in (ListingMode.LICENCE,
                                                                           ListingMode.OPEN_LICENCE):
            raise RuleViolation(Reason("listing_not_open", RULE,
                                       "该挂牌未发布或不是许可挂牌 / The listing is not a published licence listing"))
        if listing.organisation_id == org.pk:
            raise ActionForbidden("不能对本机构的挂牌报价 / You cannot make an offer on your own listing")
        patents = list(listing.patents.all())
        patent = next((p for p in patents if p.pk == patent_id), None) if patent_id else (
            patents[0] if len(patents) == 1 else None)
        if patent is None:
            raise ValidationError({"patent_id": ["请选择该挂牌中的一件专利 / Choose one patent of the listing"]})
        if LicenceContract.objects.filter(patent=patent, licensee=org, state__in=CONTRACT_OPEN_STATES).exists():
            raise RuleViolation(Reason("contract_exists", RULE,
                                       "贵机构就该专利已有进行中的许可合同 / You already negotiate a licence of this patent"))
        contract = LicenceContract(listing=listing, patent=patent, licensor=listing.organisation, licensee=org,
                                   created_by=actor)
        _check(contract, terms, consents=False)
        contract.save()
        LicenceOffer.objects.create(contract=contract, organisation=org, made_by=actor, message=message, **terms)
        TransitionLog.record(contract, transition="open", from_state="", to_state=contract.state, actor=actor,
                             reason=_offer_text(terms))
    return contract


def _offer_text(terms: dict) -> str:
    kind = LicenceKind(terms["licence_kind"]).label.split(" ")[0]
    return f"{kind}，{terms['start_date']:%Y-%m-%d} 至 {terms['end_date']:%Y-%m-%d}，{terms['territory']}"


def contract_counter(*, contract_id: int, actor: User, message: str = "", **terms) -> LicenceOffer:
    """The side that did not make the latest offer proposes other terms."""
    terms = clean_licence_terms(**terms)
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        _party(contract, actor)
        if contract.state != LicenceContractState.NEGOTIATING:
            raise state_refusal(contract, "还价")
        latest = contract.latest_offer()
        if latest and latest.organisation_id == actor.organisation_id:
            raise RuleViolation(Reason("await_other_side", RULE,
                                       "请等待对方回应您的上一次报价 / Wait for the other side to answer your last offer"))
        _check(contract, terms, consents=False)
        offer = LicenceOffer.objects.create(contract=contract, organisation=actor.organisation, made_by=actor,
                                            message=message, **terms)
        TransitionLog.record(contract, transition="counter", from_state=contract.state, to_state=contract.state,
                             actor=actor, reason=_offer_text(terms))
    return offer


def contract_accept(*, contract_id: int, actor: User) -> LicenceContract:
    """Accept the other side's latest offer: its terms become the contract's."""
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        _party(contract, actor)
        if contract.state != LicenceContractState.NEGOTIATING:
            raise state_refusal(contract, "接受报价")
        latest = contract.latest_offer()
        if latest.organisation_id == actor.organisation_id:
            raise RuleViolation(Reason("own_offer", RULE, "不能接受本方的报价 / You cannot accept your own offer"))
        terms = latest.terms()
        if terms["start_date"] < timezone.localdate():
            raise RuleViolation(Reason("offer_outdated", RULE,
                                       "该报价的许可起始日已过，请还价 / The offer's start date has passed: counter it"))
        _check(contract, terms, consents=False)
        apply_transition(contract, "agree", actor=actor, label="接受报价", terms=terms, reason=_offer_text(terms))
    return contract


def contract_consent(*, contract_id: int, actor: User, note: str = "") -> Consent:
    """A co-owner or the pledgee of the patent records its written consent to this licence."""
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        if contract.state not in CONTRACT_OPEN_STATES:
            raise state_refusal(contract, "同意许可")
        consent, _ = consent_give(patent=contract.patent, deal=contract, actor=actor, holder=contract.licensor,
                                  purpose=ConsentPurpose.LICENCE, note=note)
    return consent


# -- signing and effect ----------------------------------------------------------------------------
def contract_sign(*, contract_id: int, actor: User) -> LicenceContract:
    """One side signs; when both have, the contract is SIGNED and issued, and takes effect at once if
    nothing is payable at the start (otherwise when the licensee pays)."""
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        party = _party(contract, actor)
        if contract.state != LicenceContractState.AGREED:
            raise state_refusal(contract, "签署合同")
        _check(contract)
        field = f"{party}_signed_at"
        if getattr(contract, field):
            return contract
        setattr(contract, field, timezone.now())
        contract.save(update_fields=[field, "updated_at"])
        TransitionLog.record(contract, transition=f"sign_{party}", from_state=contract.state,
                             to_state=contract.state, actor=actor, reason="签署实施许可合同 / Signed the contract")
        if contract.both_signed():
            apply_transition(contract, "complete_signing", actor=actor, reason="双方已签署 / Both sides signed")
            _issue(contract, DocumentKind.LICENCE_CONTRACT)
            if not _first_payment_due(contract):
                _take_effect(contract, actor=actor)
    return contract


def _first_payment_due(contract: LicenceContract) -> bool:
    return initial_payment(contract, contract.start_date, contract.end_date) > 0


def _take_effect(contract: LicenceContract, *, actor: User, idempotency_key: str | None = None) -> None:
    """The licence exists from now: on the register, with its royalty schedule (first payment paid)."""
    today = timezone.localdate()
    licence = licence_grant(
        patent=contract.patent, licensor=contract.licensor, licensee=contract.licensee, kind=contract.licence_kind,
        terms=contract, start_date=contract.start_date, end_date=contract.end_date, territory=contract.territory,
        scope=DEFAULT_SCOPE, actor=actor,
        note=f"实施许可合同 {contract.number}", contract=contract)
    first = licence.periods.filter(due_date=contract.start_date, amount_due__gt=0).order_by("sequence").first()
    if first is not None:
        pay_period_locked(first, licence=licence, actor=actor, idempotency_key=idempotency_key)
    due = today + relativedelta(months=settings.MARKET["LICENCE_FILING_MONTHS"])
    paid = f"，首期许可使用费 {format_cny(first.amount_due)}已付" if first else ""
    apply_transition(contract, "take_effect", actor=actor, effective_date=today, filing_due_date=due,
                     reason=f"合同生效{paid}；备案期限 {due:%Y-%m-%d}")
    TransitionLog.record(licence, transition="grant", from_state="", to_state=licence.state, actor=actor,
                         reason=f"实施许可合同 {contract.number} 生效")


def contract_pay(*, contract_id: int, actor: User, idempotency_key: str) -> LicenceContract:
    """The licensee pays the first payment (entry fee or first year) through escrow: the contract takes effect."""
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        if _party(contract, actor) != "licensee":
            raise ActionForbidden("只有被许可方付款 / Only the licensee pays")
        if contract.state != LicenceContractState.SIGNED:
            licence = getattr(contract, "licence", None)
            first = licence.periods.filter(escrow__isnull=False).order_by("sequence").first() if licence else None
            if first and payments.is_replay(organisation=contract.licensee, key=idempotency_key, kind="hold",
                                            escrow=first.escrow):
                return contract
            raise state_refusal(contract, "支付首期许可使用费")
        _check(contract)
        _take_effect(contract, actor=actor, idempotency_key=idempotency_key)
    return contract


# -- 备案 ------------------------------------------------------------------------------------------
def contract_file_record(*, contract_id: int, actor: User) -> LicenceContract:
    """The licensor files the contract record (备案) with CNIPA; the filing application is issued."""
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        if _party(contract, actor) != "licensor":
            raise ActionForbidden("备案由许可方办理 / The licensor files the record")
        if contract.state != LicenceContractState.EFFECTIVE:
            raise state_refusal(contract, "提交备案")
        _check(contract)
        apply_transition(contract, "file_record", actor=actor, label="提交备案",
                         reason=f"提交专利实施许可合同备案（期限 {contract.filing_due_date:%Y-%m-%d}）")
        _issue(contract, DocumentKind.LICENCE_RECORD)
    return contract


def contract_record(*, contract_id: int, actor: User, record_number: str = "") -> LicenceContract:
    """CNIPA records the filing (备案): the register entry carries the record number."""
    _staff(actor)
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        if contract.state != LicenceContractState.FILED:
            raise state_refusal(contract, "备案登记")
        _check(contract)
        number = record_number.strip() or f"BA{timezone.localdate():%Y%m%d}{contract.pk:06d}"
        apply_transition(contract, "record", actor=actor, label="备案登记", record_number=number,
                         reason=f"准予备案，备案号 {number}")
        licence = licence_locks.licence(contract.licence.pk)
        licence.record_number = number
        licence.save(update_fields=["record_number"])
        Encumbrance.objects.filter(pk=licence.encumbrance_id).update(registration_number=number)
    return contract


def contract_refuse_record(*, contract_id: int, actor: User, reason: str) -> LicenceContract:
    """CNIPA refuses the filing: the contract stays in effect; the licensor may cure and file again."""
    _staff(actor)
    require_reason(reason, "请填写不予备案的理由 / Give the ground of refusal")
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        if contract.state != LicenceContractState.FILED:
            raise state_refusal(contract, "不予备案")
        apply_transition(contract, "refuse_record", actor=actor, label="不予备案", reason=f"不予备案：{reason}",
                         refusal_reason=reason)
    return contract


# -- the end -----------------------------------------------------------------------------------------
def contract_terminate(*, contract_id: int, actor: User, reason: str) -> LicenceContract:
    """Either party ends a contract in effect early; the licence leaves the register, future dues are cancelled."""
    require_reason(reason, "请填写终止原因 / Give a reason")
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        _party(contract, actor)
        if contract.state not in CONTRACT_IN_EFFECT:
            raise state_refusal(contract, "提前终止")
        apply_transition(contract, "terminate", actor=actor, label="提前终止", reason=reason, end_reason=reason)
        licence_end(licence_locks.licence(contract.licence.pk), transition="terminate", actor=actor,
                    reason=f"合同 {contract.number} 提前终止：{reason}")
    return contract


def contract_cancel(*, contract_id: int, actor: User, reason: str) -> LicenceContract:
    """Either party (or staff) abandons the contract before it takes effect."""
    require_reason(reason, "请填写取消原因 / Give a reason")
    with transaction.atomic():
        contract = licence_locks.licence_contract(contract_id)
        if not actor.is_centre_staff:
            _party(contract, actor)
        apply_transition(contract, "cancel", actor=actor, label="取消", reason=reason, end_reason=reason)
    return contract


def contract_expire_locked(contract_id: int, *, today: dt.date) -> None:
    """Expire a contract in effect past its end date, with its licence (inside the caller's transaction)."""
    contract = licence_locks.licence_contract(contract_id)
    if contract.state in CONTRACT_IN_EFFECT and contract.end_date < today:
        apply_transition(contract, "expire", actor=None, reason="许可期限届满 / The licence term ended")
        licence_end(licence_locks.licence(contract.licence.pk), transition="expire", actor=None,
                    reason="许可期限届满 / The licence term ended")



def licences_expire_due(*, today: dt.date | None = None) -> int:
    """Daily: licences past their end date expire (a contract's licence with its contract)."""
    today = today or timezone.localdate()
    count = 0
    for licence_id in Licence.objects.filter(state=LicenceState.ACTIVE, end_date__lt=today).values_list("pk",
                                                                                                     flat=True):
        with transaction.atomic():
            licence = Licence.objects.get(pk=licence_id)
            if licence.contract_id:
                contract_expire_locked(licence.contract_id, today=today)
            licence = licence_locks.licence(licence_id)
            if licence.state == LicenceState.ACTIVE and licence.end_date < today:
                licence_end(licence, transition="expire", actor=None, reason="许可期限届满 / The licence term ended")
            count += licence.state == LicenceState.EXPIRED
    return count


def licence_contracts_warn_filing(*, today: dt.date | None = None) -> int:
    """Daily: warn the licensor 30 and 7 days before the 备案 deadline and flag it overdue after; each once.

    Only the most urgent level due is sent: a contract found 5 days before its deadline gets the
    7-day warning, not a belated 30-day one as well.
    """
    today = today or timezone.localdate()
    first_day, second_day = settings.MARKET["LICENCE_FILING_WARNING_DAYS"]
    sent = 0
    for contract in (LicenceContract.objects.filter(state=LicenceContractState.EFFECTIVE,
                                                    filing_due_date__lte=today + dt.timedelta(days=first_day))
                     .select_related("licensor", "patent")):
        days_left = (contract.filing_due_date - today).days
        if days_left < 0:
            level = ReminderKind.FILING_OVERDUE
            text = f"已逾期 {-days_left} 天"
        elif days_left <= second_day:
            level, text = ReminderKind.FILING_DUE_7, f"距期限还有 {days_left} 天"
        else:
            level, text = ReminderKind.FILING_DUE_30, f"距期限还有 {days_left} 天"
        if contract.reminders.filter(kind__in=FILING_LEVELS[FILING_LEVELS.index(level):]).exists():
            continue
        message = (f"实施许可合同 {contract.number}（{contract.patent.title}）应于 {contract.filing_due_date:%Y-%m-%d} "
                   f"前办理备案，{text}。/ The licence contract {contract.number} must be filed (备案) by "
                   f"{contract.filing_due_date:%Y-%m-%d}.")
        with transaction.atomic():
            if reminder_send(kind=level, organisation=contract.licensor, message=message, contract=contract):
                sent += 1
    return sent
