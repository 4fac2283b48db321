"""Risk-sharing of pledge-loan losses (风险补偿 / 政银保): schemes, enrolment at approval, the loss split.

- Staff set up a scheme: participants (a public compensation pool, an insurer, a guarantor) with their shares
  of a loss and yearly caps; the lending bank bears the rest. Eligibility: the loan's amount and rate caps,
  the kinds of rights pledged, optionally the holder's industries; the premium each loan pays (a rate of its
  amount). The shares and caps are the scheme's own terms (Zhejiang's pilots vary them: verify).
- The loan's bank enrols it once approved and before the money is lent; an ineligible loan is refused with
  each condition it fails.
- When an enrolled loan is settled after the auction of its collateral, its loss — the principal written
  off, what the proceeds did not cover — is split by the shares; each participant pays its share to the bank
  through the ledger up to what its yearly cap leaves (a share beyond the cap stays with the bank). Split
  once, after the settlement commits (``on_transition``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from market.models import TransitionLog, User
from market.money import ZERO, cny, format_cny
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.pledges.services.common import require_party
from market.rules import Reason, RuleViolation
from market.services import ledger
from market.services.payments import claim_command

from .models import LossShare, RiskScheme, SchemeEnrolment, SchemeParticipant

RULE = "risk_sharing"  # the scheme's own terms, no legal source
ENROLLABLE = (PledgeLoanState.APPROVED, PledgeLoanState.SIGNED, PledgeLoanState.FILED, PledgeLoanState.REGISTERED)


def _reason(code: str, message: str) -> Reason:
    return Reason(code, RULE, message)


def eligibility(scheme: RiskScheme, loan: PledgeLoan) -> list[Reason]:
    """Every condition of ``scheme`` the loan fails (none: it may be enrolled)."""
    reasons = []
    if not scheme.active:
        reasons.append(_reason("scheme_inactive", "该风险分担方案已停止 / The scheme is closed"))
    amount = loan.amount or loan.amount_requested
    if amount > scheme.max_amount:
        reasons.append(_reason("amount_above_cap", f"贷款金额 {format_cny(amount)} 超过方案上限 "
                                                   f"{format_cny(scheme.max_amount)} / The amount is above the "
                                                   f"scheme's cap"))
    if loan.rate_percent is None or loan.rate_percent > scheme.max_rate_percent:
        reasons.append(_reason("rate_above_cap", f"年利率须不超过 {scheme.max_rate_percent}% / The rate must be at "
                                                 f"most {scheme.max_rate_percent}%"))
    kinds = sorted({p.kind for p in loan.patents.all()} - set(scheme.right_kinds))
    if kinds:
        reasons.append(_reason("right_kind_excluded", f"方案不接受该类权利：{'、'.join(kinds)} / The scheme does "
                                                      f"not take rights of kind {', '.join(kinds)}"))
    industries = {p.industry for p in loan.patents.all()}
    if scheme.industries and not industries & set(scheme.industries):
        reasons.append(_reason("industry_excluded", "质押物不属于方案支持的产业 / The collateral is not in an "
                                                    "industry the scheme supports"))
    return reasons


def loan_enrol(*, loan_id: int, scheme_id: int, actor: User) -> SchemeEnrolment:
    """The loan's bank enrols an approved loan (before disbursement) in an eligible scheme; enrolling again in
    the same scheme changes nothing."""
    with transaction.atomic():
        loan = PledgeLoan.objects.select_for_update().get(pk=loan_id)
        require_party(loan, actor, "bank")
        scheme = RiskScheme.objects.get(pk=scheme_id)
        existing = SchemeEnrolment.objects.filter(loan=loan).first()
        if existing is not None:
            if existing.scheme_id == scheme.pk:
                return existing
            raise RuleViolation(_reason("already_enrolled", "该贷款已纳入其他风险分担方案 / The loan is enrolled "
                                                            "in another scheme"))
        reasons = ([] if loan.state in ENROLLABLE else [_reason(
            "not_at_approval", "仅可在批准后、放款前纳入方案 / A loan is enrolled once approved, before it is lent")])
        reasons += eligibility(scheme, loan)
        if reasons:
            raise RuleViolation(reasons)
        enrolment = SchemeEnrolment.objects.create(scheme=scheme, loan=loan, enrolled_by=actor,
                                                   premium=cny(loan.amount * scheme.premium_rate))
        TransitionLog.record(loan, transition="risk_enrol", from_state=loan.state, to_state=loan.state, actor=actor,
                             reason=f"纳入风险分担方案“{scheme.name}”，保费 {format_cny(enrolment.premium)}")
    return enrolment


def _paid_this_year(participant: SchemeParticipant, year: int) -> Decimal:
    return sum(participant.loss_shares.filter(year=year).values_list("paid", flat=True), ZERO)


def loss_split(*, loan_id: int, actor: User | None = None) -> SchemeEnrolment | None:
    """Split a settled enrolled loan's loss by the scheme's shares, each participant paying the bank through
    the ledger up to its yearly cap; once (None for a loan not enrolled)."""
    with transaction.atomic():
        enrolment = (SchemeEnrolment.objects.select_for_update().select_related("scheme", "loan__bank")
                     .filter(loan_id=loan_id).first())
        if enrolment is None or enrolment.split_at is not None:
            return enrolment
        loan = enrolment.loan
        if loan.state != PledgeLoanState.SETTLED:
            raise RuleViolation(_reason("not_settled", "贷款尚未拍卖结案 / The loan is not settled yet"))
        loss = cny(loan.written_off_principal)
        year = timezone.localdate().year
        bank_keeps = loss
        for participant in enrolment.scheme.participants.select_for_update().select_related("organisation"):
            due = cny(loss * participant.share)
            room = max(ZERO, participant.yearly_cap - _paid_this_year(participant, year))
            paid = min(due, room)
            command = None
            if paid > ZERO:
                command, _ = claim_command(organisation=participant.organisation, actor=actor, amount=paid,
                                           key=f"risk:{enrolment.pk}:{participant.pk}", kind="risk_share")
                ledger.post(command=command, memo=f"风险分担赔付 {loan.number}", legs=[
                    (ledger.external_account(participant.organisation), -paid),
                    (ledger.external_account(loan.bank), paid)])
            LossShare.objects.create(enrolment=enrolment, participant=participant, year=year, due=due, paid=paid,
                                     command=command)
            bank_keeps -= paid
        LossShare.objects.create(enrolment=enrolment, participant=None, year=year, due=bank_keeps, paid=ZERO)
        enrolment.loss, enrolment.split_at = loss, timezone.now()
        enrolment.save(update_fields=["loss", "split_at"])
        TransitionLog.record(loan, transition="risk_split", from_state=loan.state, to_state=loan.state, actor=actor,
                             reason=f"风险分担：损失 {format_cny(loss)}，各方赔付 {format_cny(loss - bank_keeps)}，"
                                    f"银行承担 {format_cny(bank_keeps)}")
    return enrolment


def on_transition(sender, instance: TransitionLog, created: bool, **kwargs) -> None:
    """After a pledge loan's settlement commits, split its loss if it is enrolled."""
    if created and instance.to_state == PledgeLoanState.SETTLED and instance.transition == "settle" \
            and instance.content_type.model == "pledgeloan":
        loan_id = instance.object_id
        transaction.on_commit(lambda: loss_split(loan_id=loan_id))


def schemes_for(loan: PledgeLoan) -> list[tuple[RiskScheme, list[Reason]]]:
    """The active schemes with what each finds wrong with the loan (an empty list: it may be enrolled)."""
    return [(scheme, eligibility(scheme, loan))
            for scheme in RiskScheme.objects.filter(active=True).prefetch_related("participants__organisation")]
