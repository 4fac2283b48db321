"""Applications up to the signed contract: input errors write nothing, rules refuse with reasons, each
transition is allowed from its states only and by its side only."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.models import (
    Consent,
    Document,
    DocumentKind,
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    OrganisationKind,
    TransitionLog,
)
from market.pledges.models import PledgeContract, PledgeLoan, PledgeLoanState
from market.pledges.services import applications as apps
from market.rules import RuleViolation
from market.services.errors import ActionForbidden
from notifications.models import Notification
from tests.factories import OrganisationFactory, PatentFactory, UserFactory, hold, pledge

from .steps import advance, apply, approve, sign

S = PledgeLoanState


def apply_with(holder, bank_org, patents, **changes):
    fields = {"bank_id": bank_org.pk, "patent_ids": [p.pk for p in patents], "amount": "500000",
              "term_months": 12, "purpose": "购买原材料", "repayment_plan": "bullet", **changes}
    return apps.pledge_apply(actor=holder, **fields)


def test_it_files_an_application_logs_it_and_tells_the_bank(holder, bank_officer, patent, second_patent):
    loan = apply_with(holder, bank_officer.organisation, [patent, second_patent])

    assert (loan.state, loan.amount_requested, loan.term_months) == (S.SUBMITTED, Decimal("500000.00"), 12)
    assert set(loan.patents.all()) == {patent, second_patent}
    assert TransitionLog.for_object(loan).get().to_state == S.SUBMITTED
    assert Notification.objects.get(recipient=bank_officer).title.startswith("新的质押融资申请")


@pytest.mark.parametrize(("case", "changes", "field"), [
    ("amount_zero", {"amount": "0"}, "amount"),
    ("amount_negative", {"amount": "-5"}, "amount"),
    ("term_past_expiry", {"term_months": 360}, "term_months"),
    ("no_purpose", {"purpose": "  "}, "purpose"),
    ("unknown_plan", {"repayment_plan": "balloon"}, "repayment_plan"),
])
def test_bad_input_is_a_field_error_and_writes_nothing(case, changes, field, holder, bank_officer, patent):
    with pytest.raises(ValidationError) as error:
        apply_with(holder, bank_officer.organisation, [patent], **changes)

    assert field in error.value.message_dict
    assert not PledgeLoan.objects.exists() and not TransitionLog.objects.exists()


def test_a_patent_not_held_and_a_bank_that_is_not_a_bank_are_field_errors(holder, buyer_org, bank_officer, patent):
    foreign = PatentFactory(holders=[buyer_org])
    with pytest.raises(ValidationError) as error:
        apply_with(holder, buyer_org, [patent, foreign])

    assert "银行" in error.value.message_dict["bank"][0]
    assert foreign.application_number in error.value.message_dict["patents"][0]
    assert not PledgeLoan.objects.exists()


def test_a_term_past_a_patents_expiry_names_the_patent(holder, bank_officer, holder_org):
    old = PatentFactory(holders=[holder_org], kind="utility_model", filing_date=dt.date(2017, 6, 1))
    with pytest.raises(ValidationError) as error:
        apply_with(holder, bank_officer.organisation, [old], term_months=24)

    assert old.application_number in error.value.message_dict["term_months"][0]


@pytest.mark.parametrize(("case", "breaks", "code"), [
    ("lapsed", lambda p, bank: setattr(p, "legal_status", LegalStatus.LAPSED) or p.save(), "lapsed"),
    ("pending", lambda p, bank: setattr(p, "legal_status", LegalStatus.PENDING) or p.save(), "not_granted"),
    ("pledged", lambda p, bank: pledge(p, bank), "already_pledged"),
])
def test_a_patent_that_cannot_be_pledged_refuses_the_application(case, breaks, code, holder, bank_officer, patent):
    breaks(patent, OrganisationFactory(kind=OrganisationKind.BANK))
    with pytest.raises(RuleViolation) as refusal:
        apply_with(holder, bank_officer.organisation, [patent])

    assert [r.code for r in refusal.value.reasons] == [code]
    assert not PledgeLoan.objects.exists()


def test_curable_grounds_are_shown_by_the_precheck_but_do_not_refuse(holder, bank_officer, patent, buyer_org):
    hold(patent, buyer_org)
    patent.invalidation_pending = True
    patent.annual_fee_overdue = True
    patent.save()

    [check] = apps.pledge_precheck(applicant=holder.organisation, patents=[patent], term_months=12)
    assert check.allowed
    assert {r.code for r in check.to_cure} == {"co_owner_consent_missing", "invalidation_pending", "annual_fee_unpaid"}
    assert apply_with(holder, bank_officer.organisation, [patent]).state == S.SUBMITTED


def test_a_patent_in_an_open_application_cannot_be_offered_again(holder, bank_officer, patent, other_bank):
    apply_with(holder, bank_officer.organisation, [patent])
    with pytest.raises(RuleViolation, match="已在质押融资"):
        apply_with(holder, other_bank, [patent])


def test_review_more_information_then_approve(holder, bank_officer, patent):
    loan = apply_with(holder, bank_officer.organisation, [patent])
    apps.pledge_request_info(loan_id=loan.pk, actor=bank_officer, message="请补充近两年财务报表")
    loan = apps.pledge_resubmit(loan_id=loan.pk, actor=holder, reply="已上传财务报表", amount="400000")
    assert (loan.state, loan.amount_requested, loan.applicant_reply) == (S.SUBMITTED, Decimal("400000.00"), "已上传财务报表")

    loan = apps.pledge_approve(loan_id=loan.pk, actor=bank_officer, amount="350000", rate_percent="3.65",
                               term_months=12, pledge_ratio="0.25", above_advice_reason="另有保证担保")
    assert (loan.state, loan.amount, loan.rate_percent, loan.pledge_ratio) == (
        S.APPROVED, Decimal("350000.00"), Decimal("3.650"), Decimal("0.2500"))
    assert [log.to_state for log in TransitionLog.for_object(loan)] == [S.SUBMITTED, S.INFO_REQUESTED, S.SUBMITTED,
                                                                        S.APPROVED]


@pytest.mark.parametrize(("case", "changes", "field"), [
    ("amount", {"amount": "0"}, "amount"), ("rate", {"rate_percent": "0"}, "rate_percent"),
    ("ratio", {"pledge_ratio": "1.5"}, "pledge_ratio"), ("term", {"term_months": 300}, "term_months"),
])
def test_approval_terms_are_checked(case, changes, field, holder, bank_officer, patent):
    loan = apply_with(holder, bank_officer.organisation, [patent])
    terms = {"amount": "300000", "rate_percent": "3.5", "term_months": 12, "pledge_ratio": "0.3",
             "above_advice_reason": "另有保证担保", **changes}
    with pytest.raises(ValidationError) as error:
        apps.pledge_approve(loan_id=loan.pk, actor=bank_officer, **terms)
    assert list(error.value.message_dict) == [field]
    assert PledgeLoan.objects.get(pk=loan.pk).state == S.SUBMITTED


# Which services each state allows (everything else is refused by the state machine).
STEPS = {
    "request_info": lambda loan, h, b: apps.pledge_request_info(loan_id=loan.pk, actor=b, message="补充"),
    "resubmit": lambda loan, h, b: apps.pledge_resubmit(loan_id=loan.pk, actor=h, reply="已补充"),
    "approve": lambda loan, h, b: approve(loan, b),
    "reject": lambda loan, h, b: apps.pledge_reject(loan_id=loan.pk, actor=b, reason="估值不足"),
    "withdraw": lambda loan, h, b: apps.pledge_withdraw(loan_id=loan.pk, actor=h, reason="不再需要"),
}
ALLOWED = {S.SUBMITTED: {"request_info", "approve", "reject", "withdraw"}, S.INFO_REQUESTED: {"resubmit", "reject",
                                                                                              "withdraw"},
           S.APPROVED: {"withdraw"}, S.SIGNED: {"withdraw"}, S.REGISTERED: set()}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("step", list(STEPS))
def test_each_review_step_is_allowed_only_from_its_states(state, step, holder, bank_officer, patent):
    loan = apply_with(holder, bank_officer.organisation, [patent])
    if state == S.INFO_REQUESTED:
        STEPS["request_info"](loan, holder, bank_officer)
    else:
        loan = advance(loan, to=state, holder=holder, bank_officer=bank_officer)
    if step in ALLOWED[state]:
        STEPS[step](loan, holder, bank_officer)
    else:
        with pytest.raises(RuleViolation) as refusal:
            STEPS[step](loan, holder, bank_officer)
        assert refusal.value.reasons[0].code == "invalid_state"
        assert PledgeLoan.objects.get(pk=loan.pk).state == state


def test_each_side_acts_only_for_itself(holder, bank_officer, other_banker, outsider, patent):
    loan = apply_with(holder, bank_officer.organisation, [patent])
    for actor in (holder, other_banker, outsider):
        with pytest.raises(ActionForbidden):
            approve(loan, actor)
    with pytest.raises(ActionForbidden):
        apps.pledge_withdraw(loan_id=loan.pk, actor=bank_officer, reason="x")
    assert PledgeLoan.objects.get(pk=loan.pk).state == S.SUBMITTED


def test_a_co_owner_consents_in_the_platform(holder, bank_officer, patent, buyer, outsider):
    hold(patent, buyer.organisation)
    loan = apply_with(holder, bank_officer.organisation, [patent])
    with pytest.raises(ActionForbidden):
        apps.pledge_consent(loan_id=loan.pk, actor=outsider, patent_id=patent.pk)
    with pytest.raises(ActionForbidden):
        apps.pledge_consent(loan_id=loan.pk, actor=holder, patent_id=patent.pk)

    consent = apps.pledge_consent(loan_id=loan.pk, actor=buyer, patent_id=patent.pk)
    apps.pledge_consent(loan_id=loan.pk, actor=buyer, patent_id=patent.pk)  # a second click changes nothing
    assert Consent.objects.get() == consent and (consent.purpose, consent.capacity) == ("pledge", "co_owner")


def test_the_contract_cannot_carry_a_forfeiture_clause(holder, bank_officer, patent):
    loan = approve(apply_with(holder, bank_officer.organisation, [patent]), bank_officer)
    for terms in ({"forfeiture_clause": True}, {"other_terms": "债务人到期不履行债务的，质押专利权归质权人所有。"}):
        with pytest.raises(RuleViolation) as refusal:
            apps.pledge_contract_draft(loan_id=loan.pk, actor=bank_officer, **terms)
        assert refusal.value.reasons[0].code == "forfeiture_clause"
        assert "流质" in refusal.value.reasons[0].message
    assert not PledgeContract.objects.exists()


def test_both_sides_sign_the_contract_and_its_document_is_requested(holder, bank_officer, patent):
    loan = approve(apply_with(holder, bank_officer.organisation, [patent]), bank_officer)
    with pytest.raises(RuleViolation):
        apps.pledge_contract_sign(loan_id=loan.pk, actor=holder)  # nothing drafted yet
    start = timezone.localdate() + dt.timedelta(days=2)
    loan = sign(loan, holder, bank_officer, start_date=start)

    contract = loan.contract()
    assert loan.state == S.SIGNED and contract.both_signed()
    assert (contract.start_date, contract.end_date, contract.principal, contract.rate_percent) == (
        start, start + relativedelta(months=12), Decimal("500000.00"), Decimal("3.600"))
    assert Document.objects.for_deal(loan).get().kind == DocumentKind.PLEDGE_CONTRACT


def test_amending_a_signed_contract_asks_both_to_sign_again(holder, bank_officer, patent):
    loan = advance(apply_with(holder, bank_officer.organisation, [patent]), to=S.SIGNED, holder=holder,
                   bank_officer=bank_officer)
    apps.pledge_contract_draft(loan_id=loan.pk, actor=bank_officer, security_scope="主债权本金及利息")

    loan = PledgeLoan.objects.get(pk=loan.pk)
    assert loan.state == S.APPROVED and loan.contract().version == 2 and not loan.contract().holder_signed_at
    assert sign_again(loan, holder, bank_officer).state == S.SIGNED


def sign_again(loan, holder, bank_officer):
    apps.pledge_contract_sign(loan_id=loan.pk, actor=bank_officer)
    return apps.pledge_contract_sign(loan_id=loan.pk, actor=holder)


def test_the_register_shows_no_pledge_before_registration(holder, bank_officer, patent):
    advance(apply(holder, bank_officer.organisation, [patent]), to=S.FILED, holder=holder, bank_officer=bank_officer)
    assert not Encumbrance.objects.filter(kind=EncumbranceKind.PLEDGE).exists()


def test_a_user_without_organisation_cannot_apply(bank_officer, patent):
    lone = UserFactory(organisation=None)
    with pytest.raises(ActionForbidden):
        apply_with(lone, bank_officer.organisation, [patent])
