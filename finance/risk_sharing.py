"""Risk-sharing of pledge-loan losses (风险补偿 / 政银保): schemes, enrolment at approval, the loss split.

- Staff set up a scheme: participants (a public compensation pool, an insurer, a guarantor) with their shares
  of a loss and yearly caps; the lending bank bears the rest. Eligibility: the loan's amount and rate caps,
  the kinds of rights pledged, optionally the holder's industries and its size as staff assessed it; the
  premium each loan pays (a rate of its amount), paid by the bank at enrolment to the participants. The
  shares and caps are the scheme's own terms (Zhejiang's pilots vary them: verify).
- The loan's bank enrols it once approved and before the money is lent; an ineligible loan is refused with
  each condition it fails.
- When an enrolled loan is settled after the auction of its collateral, its loss — the principal written
  off, what the proceeds did not cover — is split by the shares; each participant pays its share to the bank
  through the ledger up to what its yearly cap leaves (a share beyond the cap stays with the bank). Split
  once, after the settlement commits (``on_transition``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from market.access import member_of
from market.models import EnterpriseSize, Organisation, PatentKind, TransitionLog, User
from market.money import ZERO, cny, format_cny, split
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.pledges.services.common import require_party
from market.rules import Reason, RuleViolation
from market.services import ledger
from market.services.errors import ActionForbidden
from market.services.payments import claim_command

from .models import LossShare, ParticipantRole, RiskScheme, SchemeEnrolment, SchemeParticipant

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
    if scheme.holder_sizes and loan.applicant.enterprise_size not in scheme.holder_sizes:
        sizes = [EnterpriseSize(size).label.split(" ", 1) for size in scheme.holder_sizes]
        reasons.append(_reason("holder_size_excluded", f"出质人须为经核定的{'、'.join(zh for zh, _ in sizes)} / The "
                                                       f"borrower must be an assessed "
                                                       f"{' or '.join(en.lower() for _, en in sizes)}"))
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
        _premium_pay(enrolment, actor)
        TransitionLog.record(loan, transition="risk_enrol", from_state=loan.state, to_state=loan.state, actor=actor,
                             reason=f"纳入风险分担方案“{scheme.name}”，保费 {format_cny(enrolment.premium)} / "
                                    f"Enrolled in the scheme {scheme.name}, premium {format_cny(enrolment.premium)}")
    return enrolment


def _premium_pay(enrolment: SchemeEnrolment, actor: User) -> None:
    """The loan's bank pays the premium to the participants, split by their shares (through the ledger)."""
    participants = list(enrolment.scheme.participants.select_related("organisation"))
    if enrolment.premium <= ZERO or not participants:
        return
    bank = enrolment.loan.bank
    command, _ = claim_command(organisation=bank, actor=actor, amount=enrolment.premium,
                               key=f"risk:{enrolment.pk}:premium", kind="risk_premium")
    parts = split(enrolment.premium, [p.share for p in participants])
    ledger.post(command=command, memo=f"风险分担保费 {enrolment.loan.number}", legs=[
        (ledger.external_account(bank), -enrolment.premium),
        *[(ledger.external_account(p.organisation), part) for p, part in zip(participants, parts, strict=True)]])


def scheme_create(*, actor: User, name: str, max_amount, max_rate_percent, right_kinds: list[str],
                  industries: list[str], premium_rate, participants: list[dict],
                  holder_sizes: list[str] = ()) -> RiskScheme:
    """Staff set up a scheme: ``participants`` rows of organisation (id), role, share (0–1) and yearly cap; the
    shares may add up to at most 1 (the bank bears the rest)."""
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以设立风险分担方案 / Only trading-centre staff set up schemes")
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["请填写方案名称 / Name the scheme"]
    for field, value in (("max_amount", max_amount), ("max_rate_percent", max_rate_percent),
                         ("premium_rate", premium_rate)):
        if value is None or Decimal(value) < 0:
            errors[field] = ["须为不小于0的数 / Must be a number of at least 0"]
    if not right_kinds or not set(right_kinds) <= set(PatentKind.values):
        errors["right_kinds"] = ["请选择权利类型 / Choose kinds of rights"]
    if not set(holder_sizes) <= set(EnterpriseSize.values):
        errors["holder_sizes"] = ["企业规模不正确 / Unknown enterprise size"]
    rows = []
    for index, row in enumerate(participants, start=1):
        org = Organisation.objects.filter(pk=row.get("organisation"), verified=True).first()
        share, cap = row.get("share"), row.get("yearly_cap")
        if org is None:
            errors[f"organisation_{index}"] = ["请选择经认证的机构 / Choose a verified organisation"]
        if row.get("role") not in ParticipantRole.values:
            errors[f"role_{index}"] = ["请选择角色 / Choose a role"]
        if share is None or not 0 < Decimal(share) <= 1:
            errors[f"share_{index}"] = ["分担比例须在0到100%之间 / A share above 0 and at most 100 %"]
        if cap is None or Decimal(cap) < 0:
            errors[f"cap_{index}"] = ["请填写年度赔付上限 / Give the yearly cap"]
        rows.append((org, row.get("role"), share, cap))
    if not errors and sum((Decimal(r[2]) for r in rows), ZERO) > 1:
        errors["share_1"] = ["各参与方分担比例合计不能超过100% / The shares add up to more than 100 %"]
    if len({r[0].pk for r in rows if r[0]}) != len(rows):
        errors["organisation_1"] = ["同一机构只能参与一次 / Each organisation takes part once"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scheme = RiskScheme.objects.create(name=name.strip()[:200], max_amount=cny(max_amount),
                                           max_rate_percent=Decimal(max_rate_percent), right_kinds=list(right_kinds),
                                           industries=[i for i in industries if i], premium_rate=Decimal(premium_rate),
                                           holder_sizes=list(holder_sizes), created_by=actor)
        SchemeParticipant.objects.bulk_create(
            SchemeParticipant(scheme=scheme, organisation=org, role=role, share=Decimal(share), yearly_cap=cny(cap))
            for org, role, share, cap in rows)
    return scheme


def shares_visible_to(user: User):
    """The loss shares a participant pays (its own), a bank receives (its loans'), staff all of them."""
    org = member_of(user)
    qs = LossShare.objects.select_related("enrolment__loan__bank", "enrolment__scheme", "participant__organisation")
    if org is None:
        return qs.none()
    if org.is_staff_org:
        return qs
    return qs.filter(Q(participant__organisation=org) | Q(enrolment__loan__bank=org))


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
                                    f"银行承担 {format_cny(bank_keeps)} / Loss {format_cny(loss)} shared: the "
                                    f"participants paid {format_cny(loss - bank_keeps)}, the bank bears "
                                    f"{format_cny(bank_keeps)}")
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
