"""Pledge-loan applications up to the signed contract: pre-check, apply, the bank's review (approve with
terms / ask for more information / reject), withdrawal, co-owners' consent, the parties' informed
confirmations (registry grounds 10 and 11), the pledge contract and both signatures.

Each function is one transaction: lock the loan, check, run the transition, log, and queue side
effects (documents, notifications) after commit. Bad input raises ValidationError with field
messages and writes nothing; a rule raises RuleViolation (HTTP 409) with every reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from market.models import (
    Consent,
    ConsentCapacity,
    ConsentPurpose,
    DocumentKind,
    DocumentState,
    Listing,
    ListingMode,
    ListingState,
    Organisation,
    Patent,
    PatentOwner,
    TransitionLog,
    User,
)
from market.money import format_cny
from market.pledges import locks as pledge_locks
from market.pledges.collateral import collateral_summary
from market.pledges.models import (
    CLOSED_STATES,
    DEFAULT_DEBT_KIND,
    DEFAULT_SECURITY_SCOPE,
    PRE_REGISTRATION_STATES,
    ConfirmableGround,
    PledgeConfirmation,
    PledgeContract,
    PledgeLoan,
    PledgeLoanPatent,
    PledgeLoanState,
    RepaymentPlan,
)
from market.pledges.registry_rules import forfeiture_reasons
from market.rules import Reason, RuleViolation, about_patent
from market.services.documents import document_reissue, document_request, documents_for
from market.services.errors import ActionForbidden, state_refusal
from market.services.transitions import apply_transition
from notifications.services import notify
from valuation.requests import record_order

from .common import apply_url, debt_end, loan_notify, money, months, require_party, term_errors
from .precheck import PatentCheck, pledge_precheck

RULE = "pledge"
MAX_PATENTS = 20
# Checked as input (HTTP 400), not as a rule: the applicant must hold the patent, the term must fit it.
INPUT_CODES = {"not_registered_holder", "debt_past_expiry"}


def _patents(applicant: Organisation, patent_ids, errors: dict) -> list[Patent]:
    try:
        ids = list(dict.fromkeys(int(pk) for pk in (patent_ids or [])))
    except (TypeError, ValueError):
        errors["patents"] = ["专利编号格式不正确 / Patent ids must be numbers"]
        return []
    if not ids or len(ids) > MAX_PATENTS:
        errors["patents"] = [f"请选择1至{MAX_PATENTS}件专利 / Choose 1 to {MAX_PATENTS} patents"]
        return []
    patents = list(Patent.objects.filter(pk__in=ids).order_by("application_number"))
    held = set(PatentOwner.objects.filter(patent_id__in=ids, organisation=applicant).values_list("patent_id", flat=True))
    missing = [str(pk) for pk in ids if pk not in {p.pk for p in patents}]
    not_held = [p.application_number for p in patents if p.pk not in held]
    messages = []
    if missing:
        messages.append(f"专利不存在：{', '.join(missing)} / No such patent: {', '.join(missing)}")
    if not_held:
        names = "、".join(not_held)
        messages.append(f"{applicant.name} 不是以下专利的登记专利权人：{names} / "
                        f"{applicant.name} is not the registered holder of {names}")
    if messages:
        errors["patents"] = messages
    return patents


def _bank(bank_id, errors: dict) -> Organisation | None:
    bank = Organisation.objects.filter(pk=bank_id).first() if str(bank_id or "").isdigit() else None
    if bank is None or not bank.is_bank:
        errors["bank"] = ["请选择一家银行作为质权人 / The pledgee must be a bank"]
        return None
    return bank


def _collect(errors: dict, name: str, parse, *args):
    try:
        return parse(*args)
    except ValidationError as exc:
        errors.update(exc.message_dict if hasattr(exc, "error_dict") else {name: exc.messages})
        return None


def _hard_reasons(checks: list[PatentCheck]) -> list[Reason]:
    return [reason for c in checks for reason in about_patent(c.patent, [r for r in c.blocking
                                                                         if r.code not in INPUT_CODES])]


def _open_application_reasons(patents: list[Patent], exclude: int | None = None) -> list[Reason]:
    busy = (PledgeLoanPatent.objects.filter(patent__in=patents, released_at__isnull=True)
            .exclude(loan__state__in=CLOSED_STATES).exclude(loan_id=exclude).select_related("patent", "loan"))
    return [Reason("pledge_application_open", RULE,
                   f"{link.patent.application_number}：已在质押融资 {link.loan.number} 中 / "
                   f"already in pledge loan {link.loan.number}") for link in busy]


def pledge_apply(*, actor: User, bank_id, patent_ids, amount, term_months, purpose: str,
                 repayment_plan: str) -> PledgeLoan:
    """A rights holder applies to a bank for a loan secured by its patents (one or a package).

    Field errors (HTTP 400, nothing written): a patent it does not hold, an organisation that is not
    a bank, an amount ≤ 0, a term past a patent's remaining term, no purpose, an unknown plan.
    A patent that may not be pledged for a ground the flow cannot cure refuses the application (409).
    """
    applicant = actor.organisation
    if applicant is None:
        raise ActionForbidden("请使用机构账户 / Sign in with an organisation account")
    errors: dict[str, list[str]] = {}
    patents = _patents(applicant, patent_ids, errors)
    bank = _bank(bank_id, errors)
    amount = _collect(errors, "amount", money, amount, "amount")
    term = _collect(errors, "term_months", months, term_months)
    if term and patents and (too_long := term_errors(patents, timezone.localdate(), term)):
        errors["term_months"] = too_long
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 500:
        errors["purpose"] = ["请填写借款用途（500字以内） / State the purpose (up to 500 characters)"]
    if repayment_plan not in RepaymentPlan.values:
        errors["repayment_plan"] = ["还款方式须为按月付息到期还本或等额本金 / Bullet or equal principal"]
    if bank is not None and bank.pk == applicant.pk:
        errors["bank"] = ["不能向本机构申请 / You cannot apply to your own organisation"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the patents' rows: two applications racing for one patent are serialised here.
        list(Patent.objects.select_for_update().filter(pk__in=[p.pk for p in patents]).order_by("pk"))
        reasons = _hard_reasons(pledge_precheck(applicant=applicant, patents=patents, term_months=term))
        reasons += _open_application_reasons(patents)
        if reasons:
            raise RuleViolation(reasons)
        loan = PledgeLoan.objects.create(applicant=applicant, bank=bank, amount_requested=amount, term_months=term,
                                         purpose=purpose, repayment_plan=repayment_plan, created_by=actor)
        PledgeLoanPatent.objects.bulk_create(PledgeLoanPatent(loan=loan, patent=p) for p in patents)
        log = TransitionLog.record(loan, transition="apply", from_state="", to_state=loan.state, actor=actor,
                                   reason=f"申请质押融资 {format_cny(amount)}，期限 {term} 个月，{len(patents)} 件")
        loan_notify(loan, event=f"log:{log.pk}", title=f"新的质押融资申请：{applicant.name}",
                    body=f"申请金额 {format_cny(amount)}，期限 {term} 个月。", to=[bank])
    return loan


def _act(loan_id: int, actor: User, *parties: str) -> PledgeLoan:
    loan = pledge_locks.pledge_loan(loan_id)
    require_party(loan, actor, *parties)
    return loan


def pledge_request_info(*, loan_id: int, actor: User, message: str) -> PledgeLoan:
    """The bank sends the application back to the applicant asking for more information."""
    if not (message or "").strip():
        raise ValidationError({"message": ["请说明需补充的材料 / Say what information is needed"]})
    with transaction.atomic():
        loan = _act(loan_id, actor, "bank")
        log = apply_transition(loan, "request_info", actor=actor, label="要求补充材料", message=message.strip(),
                               reason=f"要求补充材料：{message.strip()}")
        loan_notify(loan, event=f"log:{log.pk}", title="银行要求补充材料", body=message.strip(), to=[loan.applicant])
    return loan


def pledge_resubmit(*, loan_id: int, actor: User, reply: str, amount=None, term_months=None,
                    purpose: str | None = None) -> PledgeLoan:
    """The applicant answers the bank (and may change amount, term or purpose): back in the bank's queue."""
    if not (reply or "").strip():
        raise ValidationError({"reply": ["请填写答复 / Write your answer"]})
    errors: dict[str, list[str]] = {}
    amount = _collect(errors, "amount", money, amount, "amount") if amount not in (None, "") else None
    term = _collect(errors, "term_months", months, term_months) if term_months not in (None, "") else None
    if purpose is not None and not purpose.strip():
        errors["purpose"] = ["请填写借款用途 / State the purpose"]
    with transaction.atomic():
        loan = _act(loan_id, actor, "applicant")
        if term and (too_long := term_errors(loan.patents.all(), timezone.localdate(), term)):
            errors["term_months"] = too_long
        if errors:
            raise ValidationError(errors)
        loan.amount_requested = amount or loan.amount_requested
        loan.term_months = term or loan.term_months
        loan.purpose = purpose.strip() if purpose else loan.purpose
        log = apply_transition(loan, "resubmit", actor=actor, label="补充材料后重新提交", reply=reply.strip(),
                               reason=f"补充材料：{reply.strip()}")
        loan_notify(loan, event=f"log:{log.pk}", title="申请人已补充材料", body=reply.strip(), to=[loan.bank])
    return loan


def _rate(value) -> Decimal:
    try:
        rate = Decimal(str(value)).quantize(Decimal("0.001"))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({"rate_percent": ["利率格式不正确 / The rate is not a number"]}) from exc
    if not Decimal("0") < rate <= Decimal("36"):
        raise ValidationError({"rate_percent": ["年利率须大于0且不超过36% / The yearly rate is above 0 and at most 36%"]})
    return rate


def _ratio(value) -> Decimal:
    try:
        ratio = Decimal(str(value)).quantize(Decimal("0.0001"))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({"pledge_ratio": ["质押率格式不正确 / The pledge ratio is not a number"]}) from exc
    if not Decimal("0") < ratio <= Decimal("1"):
        raise ValidationError({"pledge_ratio": ["质押率须在0到1之间（如0.3表示30%） / The ratio is in (0, 1], e.g. 0.3"]})
    return ratio


def pledge_approve(*, loan_id: int, actor: User, amount, rate_percent, term_months, pledge_ratio,
                   above_advice_reason: str = "") -> PledgeLoan:
    """The bank approves with its terms: amount, yearly rate, term and pledge ratio (the bank decides).

    Terms above the platform's advice (the amount above the advised maximum loan, or the ratio above the
    advised ratio of the collateral review) need the bank's reason, kept in the loan's log.
    """
    errors: dict[str, list[str]] = {}
    amount = _collect(errors, "amount", money, amount, "amount")
    rate = _collect(errors, "rate_percent", _rate, rate_percent)
    term = _collect(errors, "term_months", months, term_months)
    ratio = _collect(errors, "pledge_ratio", _ratio, pledge_ratio)
    above_advice_reason = (above_advice_reason or "").strip()[:500]
    with transaction.atomic():
        loan = _act(loan_id, actor, "bank")
        if term and (too_long := term_errors(loan.patents.all(), timezone.localdate(), term)):
            errors["term_months"] = too_long
        # the advice is weighed only for a loan that may be approved (else the state machine's refusal answers)
        above = _above_advice(loan, actor, amount, ratio) if amount and ratio and can_proceed(loan.approve) else ""
        if above and not above_advice_reason:
            errors["above_advice_reason"] = [above]
        if errors:
            raise ValidationError(errors)
        reason = f"批准：金额 {format_cny(amount)}，年利率 {rate}%，期限 {term} 个月，质押率 {ratio:.2%}"
        if above:
            reason += f"；高于建议，理由：{above_advice_reason}"
        log = apply_transition(loan, "approve", actor=actor, label="批准", amount=amount, rate_percent=rate,
                               term_months=term, pledge_ratio=ratio, reason=reason)
        loan_notify(loan, event=f"log:{log.pk}", title="质押融资申请已获批准",
                    body=f"批准金额 {format_cny(amount)}，年利率 {rate}%，期限 {term} 个月。银行将起草质押合同。",
                    to=[loan.applicant])
    return loan


def _above_advice(loan: PledgeLoan, actor: User, amount: Decimal, ratio: Decimal) -> str:
    """Why the terms are above the collateral review's advice ('' when within it)."""
    summary = collateral_summary(loan, user=actor)
    if amount <= summary.max_loan and ratio <= summary.ratio:
        return ""
    advice = f"建议最高贷款额 {format_cny(summary.max_loan)}，建议质押率 {summary.ratio:.2%}"
    english = f"advised maximum loan {format_cny(summary.max_loan)}, advised ratio {summary.ratio:.2%}"
    return (f"批准金额或质押率高于建议（{advice}），请说明理由 / The terms are above the advice ({english}): "
            f"give the reason")


def pledge_reject(*, loan_id: int, actor: User, reason: str) -> PledgeLoan:
    """The bank rejects the application with a reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写拒绝理由 / Give the reason"]})
    with transaction.atomic():
        loan = _act(loan_id, actor, "bank")
        log = apply_transition(loan, "reject", actor=actor, label="拒绝", reason=f"拒绝：{reason.strip()}",
                               note=reason.strip())
        loan_notify(loan, event=f"log:{log.pk}", title="质押融资申请被拒绝", body=reason.strip(), to=[loan.applicant])
    return loan


def pledge_withdraw(*, loan_id: int, actor: User, reason: str) -> PledgeLoan:
    """The applicant withdraws before the pledge is filed for registration."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写撤回理由 / Give the reason"]})
    with transaction.atomic():
        loan = _act(loan_id, actor, "applicant")
        log = apply_transition(loan, "withdraw", actor=actor, label="撤回申请", reason=f"撤回：{reason.strip()}",
                               note=reason.strip())
        loan_notify(loan, event=f"log:{log.pk}", title="申请人已撤回质押融资申请", body=reason.strip(), to=[loan.bank])
    return loan


# -- consents and confirmations ------------------------------------------------------------------
def _loan_patent(loan: PledgeLoan, patent_id) -> Patent:
    patent = loan.patents.filter(pk=patent_id).first() if str(patent_id or "").isdigit() else None
    if patent is None:
        raise ValidationError({"patent_id": ["该专利不属于本申请 / The patent is not part of this application"]})
    return patent


def pledge_consent(*, loan_id: int, actor: User, patent_id) -> Consent:
    """A co-owner of one of the patents records its written consent to this pledge (Patent Law art. 14)."""
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        if loan.state not in PRE_REGISTRATION_STATES:
            raise state_refusal(loan, "同意质押")
        patent = _loan_patent(loan, patent_id)
        org = actor.organisation
        if org is None or org.pk == loan.applicant_id or not patent.ownerships.filter(organisation=org).exists():
            raise ActionForbidden("只有该专利的其他共有人可以同意质押 / Only another co-owner of the patent may consent")
        consent, created = Consent.objects.get_or_create(
            patent=patent, organisation=org, capacity=ConsentCapacity.CO_OWNER, purpose=ConsentPurpose.PLEDGE,
            deal_type=ContentType.objects.get_for_model(loan), deal_id=loan.pk, defaults={"given_by": actor})
        if created:
            log = TransitionLog.record(loan, transition="co_owner_consent", from_state=loan.state, to_state=loan.state,
                                       actor=actor, reason=f"共有人{org.name}同意以 {patent.application_number} 出质")
            loan_notify(loan, event=f"log:{log.pk}", title=f"共有人{org.name}已同意质押", to=[loan.applicant, loan.bank])
    return consent


def pledge_confirm(*, loan_id: int, actor: User, patent_id, ground: str) -> PledgeConfirmation:
    """One party confirms, informed, that it proceeds despite ground 10 (same-day invention and utility
    model) or 11 (invalidation started) on a patent; the registry lifts the ground once both have."""
    if ground not in ConfirmableGround.values:
        raise ValidationError({"ground": ["只能确认第10项或第11项情形 / Only grounds 10 and 11 can be confirmed"]})
    with transaction.atomic():
        loan = _act(loan_id, actor, "applicant", "bank")
        if loan.state not in PRE_REGISTRATION_STATES:
            raise state_refusal(loan, "知情确认")
        patent = _loan_patent(loan, patent_id)
        confirmation, created = PledgeConfirmation.objects.get_or_create(
            loan=loan, patent=patent, ground=ground, organisation=actor.organisation, defaults={"confirmed_by": actor})
        if created:
            label = ConfirmableGround(ground).label.split(" ")[0]
            TransitionLog.record(loan, transition=f"confirm_{ground}", from_state=loan.state, to_state=loan.state,
                                 actor=actor, reason=f"{actor.organisation.name}知情确认继续办理：{label}"
                                                     f"（{patent.application_number}）")
    return confirmation


# -- the pledge contract -------------------------------------------------------------------------
def pledge_contract_draft(*, loan_id: int, actor: User, debt_kind: str = DEFAULT_DEBT_KIND,
                          security_scope: str = DEFAULT_SECURITY_SCOPE, other_terms: str = "",
                          forfeiture_clause: bool = False, start_date: dt.date | None = None) -> PledgeContract:
    """The bank drafts the pledge contract on the approved terms (a new version replaces an unsigned or
    refused one; a signed contract goes back to signing). A 流质 clause — the patent going to the
    creditor on default — cannot be produced (ground 7, Civil Code art. 428): refused with the reason."""
    if reasons := forfeiture_reasons(other_terms, declared=forfeiture_clause):
        raise RuleViolation(reasons)
    today = timezone.localdate()
    start = start_date or today
    if start < today:
        raise ValidationError({"start_date": ["起始日不能早于今天 / The start date cannot be in the past"]})
    with transaction.atomic():
        loan = _act(loan_id, actor, "bank")
        if loan.state == PledgeLoanState.SIGNED:
            apply_transition(loan, "amend_contract", actor=actor, label="修改质押合同",
                             reason="修改质押合同，双方须重新签署 / Contract amended: both sides sign again")
        if loan.state != PledgeLoanState.APPROVED:
            raise state_refusal(loan, "起草质押合同")
        current = loan.contract()
        contract = PledgeContract.objects.create(
            loan=loan, version=(current.version + 1) if current else 1, debt_kind=(debt_kind or "").strip(),
            principal=loan.amount, rate_percent=loan.rate_percent, repayment_plan=loan.repayment_plan,
            start_date=start, end_date=debt_end(start, loan.term), security_scope=(security_scope or "").strip(),
            other_terms=(other_terms or "").strip(), created_by=actor)
        log = TransitionLog.record(loan, transition="draft_contract", from_state=loan.state, to_state=loan.state,
                                   actor=actor, reason=f"起草质押合同第{contract.version}版，债务履行期 "
                                                       f"{contract.start_date:%Y-%m-%d} 至 {contract.end_date:%Y-%m-%d}")
        loan_notify(loan, event=f"log:{log.pk}", title="质押合同待签署", to=[loan.applicant])
    return contract


def _issue_contract(loan: PledgeLoan, actor: User) -> None:
    """Issue the contract document; a later version supersedes the issued one."""
    issued = documents_for(loan).filter(kind=DocumentKind.PLEDGE_CONTRACT, state=DocumentState.ISSUED,
                                        superseded_by__isnull=True).first()
    if issued is not None:
        document_reissue(document_id=issued.pk, actor=actor,
                         reason=f"质押合同第{loan.contract().version}版 / Contract version {loan.contract().version}")
    else:
        document_request(deal=loan, kind=DocumentKind.PLEDGE_CONTRACT)


def pledge_contract_sign(*, loan_id: int, actor: User) -> PledgeLoan:
    """One side signs the current contract; when both have, the loan is SIGNED and the contract PDF issued."""
    with transaction.atomic():
        loan = _act(loan_id, actor, "applicant", "bank")
        contract = loan.contract()
        if loan.state != PledgeLoanState.APPROVED or contract is None:
            raise state_refusal(loan, "签署质押合同")
        side = "holder" if loan.party_of(actor.organisation) == "applicant" else "bank"
        if getattr(contract, f"{side}_signed_at"):
            return loan  # a repeated click changes nothing
        setattr(contract, f"{side}_signed_at", timezone.now())
        setattr(contract, f"{side}_signed_by", actor)
        contract.save(update_fields=[f"{side}_signed_at", f"{side}_signed_by"])
        TransitionLog.record(loan, transition=f"sign_{side}", from_state=loan.state, to_state=loan.state, actor=actor,
                             reason=f"签署质押合同第{contract.version}版")
        if contract.both_signed():
            log = apply_transition(loan, "complete_signing", actor=actor, reason="双方已签署质押合同 / Both signed")
            _issue_contract(loan, actor)
            loan_notify(loan, event=f"log:{log.pk}", title="质押合同已签署，可申请质押登记", to=[loan.applicant, loan.bank])
    return loan


def pledge_valuation_order(*, loan_id: int, actor: User, patent_id: int, agency_id: int, note: str = ""):
    """The loan's bank orders a formal valuation of a right of the collateral from a valuation agency."""
    loan = PledgeLoan.objects.get(pk=loan_id)
    require_party(loan, actor, "bank")
    patent = loan.patents.filter(pk=patent_id).first()
    if patent is None:
        raise ValidationError({"patent_id": ["该权利不在本笔贷款的质押物中 / That right is not part of this loan's "
                                             "collateral"]})
    return record_order(actor=actor, patent=patent, agency_id=agency_id, purpose="质押融资", note=note, loan=loan)


def pledge_interest_express(*, listing_id: int, actor: User, note: str = "") -> Listing:
    """A bank tells the holder of a pledge-mode listing that it would finance it; the holder is notified with a
    link to apply to that bank. Saying it again notifies nobody twice."""
    org = actor.organisation if actor is not None else None
    if org is None or not org.is_bank:
        raise ActionForbidden("只有经认证的银行可以表达融资意向 / Only a verified bank may offer financing")
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if listing.state != ListingState.PUBLISHED or listing.mode != ListingMode.PLEDGE:
            raise RuleViolation(Reason("not_a_pledge_listing", "pledge",
                                       "该挂牌不是发布中的质押融资挂牌 / The listing is not a published pledge listing"))
        if not TransitionLog.for_object(listing).filter(transition="pledge_interest", organisation=org).exists():
            TransitionLog.record(listing, transition="pledge_interest", from_state=listing.state,
                                 to_state=listing.state, actor=actor,
                                 reason=f"{org.name}有意提供质押融资：{note.strip()[:300]}")
        url = apply_url(bank_id=org.pk, listing_id=listing.pk)
        transaction.on_commit(lambda: notify(
            key=f"pledge-interest:{listing.pk}:{org.pk}", kind="pledge_interest", organisations=[listing.organisation],
            title=f"{org.name}有意为挂牌“{listing.title}”提供质押融资", body=note.strip()[:2000], url=url))
    return listing
