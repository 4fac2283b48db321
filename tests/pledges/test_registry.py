"""The simulated registry: each of the twelve grounds refuses the registration with its reason, and the
pledge is registered once the cause is removed (grounds 10 and 11: once both parties confirm)."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from market.models import Document, DocumentKind, Encumbrance, EncumbranceKind, LegalStatus, OrganisationKind, PatentOwner
from market.pledges.models import PledgeFiling, PledgeLoan, PledgeLoanState
from market.pledges.services import applications as apps
from market.pledges.services import registry
from market.rules import RuleViolation
from market.services.errors import ActionForbidden
from tests.factories import OrganisationFactory, PatentFactory, hold, pledge

from .steps import advance, apply, file_and_examine

S = PledgeLoanState


def setattrs(patent, **fields):
    for name, value in fields.items():
        setattr(patent, name, value)
    patent.save()


def resign(ctx, **terms):
    apps.pledge_contract_draft(loan_id=ctx["loan"].pk, actor=ctx["bank"], **terms)
    apps.pledge_contract_sign(loan_id=ctx["loan"].pk, actor=ctx["bank"])
    apps.pledge_contract_sign(loan_id=ctx["loan"].pk, actor=ctx["holder"])


def confirm_both(ctx, ground):
    for actor in (ctx["holder"], ctx["bank"]):
        apps.pledge_confirm(loan_id=ctx["loan"].pk, actor=actor, patent_id=ctx["patent"].pk, ground=ground)


def other_holder(ctx):
    PatentOwner.objects.filter(patent=ctx["patent"]).update(organisation=ctx["buyer_org"])


def restore_holder(ctx):
    PatentOwner.objects.filter(patent=ctx["patent"]).update(organisation=ctx["holder"].organisation)


def dispute(ctx):
    ctx["burden"] = Encumbrance.objects.create(patent=ctx["patent"], kind=EncumbranceKind.OWNERSHIP_DISPUTE,
                                               beneficiary_name="某科技公司")


def release_burden(ctx):
    ctx["burden"].released_at = timezone.now()
    ctx["burden"].save()


def other_pledge(ctx):
    ctx["burden"] = pledge(ctx["patent"], OrganisationFactory(kind=OrganisationKind.BANK))


def twin(ctx):
    p = ctx["patent"]
    other = "invention" if p.kind == "utility_model" else "utility_model"  # 一案双申: the other kind, same day
    PatentFactory(holders=[ctx["holder"].organisation], kind=other, title=p.title, applicants=p.applicants,
                  filing_date=p.filing_date)


def co_owner(ctx):
    hold(ctx["patent"], ctx["buyer_org"])


def co_owner_consents(ctx):
    apps.pledge_consent(loan_id=ctx["loan"].pk, actor=ctx["buyer"], patent_id=ctx["patent"].pk)


def short_term_patent(holder_org):
    """A utility model whose term ends 15 months from today: a 12-month debt fits only if it starts soon."""
    expiry = timezone.localdate() + relativedelta(months=15)
    return PatentFactory(holders=[holder_org], kind="utility_model", filing_date=expiry - relativedelta(years=10)
                         + dt.timedelta(days=1), grant_date=dt.date(2017, 1, 5), title="一种短期实用新型")


CASES = {
    1: ("not_registered_holder", other_holder, restore_holder),
    2: ("lapsed", lambda c: setattrs(c["patent"], legal_status=LegalStatus.LAPSED),
        lambda c: setattrs(c["patent"], legal_status=LegalStatus.GRANTED)),
    3: ("not_granted", lambda c: setattrs(c["patent"], legal_status=LegalStatus.PENDING),
        lambda c: setattrs(c["patent"], legal_status=LegalStatus.GRANTED)),
    4: ("annual_fee_unpaid", lambda c: setattrs(c["patent"], annual_fee_overdue=True),
        lambda c: setattrs(c["patent"], annual_fee_overdue=False)),
    5: ("ownership_dispute", dispute, release_burden),
    6: ("debt_past_expiry", lambda c: resign(c, start_date=timezone.localdate() + relativedelta(months=4)),
        lambda c: resign(c)),
    7: ("contract_item_missing", lambda c: resign(c, security_scope=""), lambda c: resign(c)),
    8: ("co_owner_consent_missing", co_owner, co_owner_consents),
    9: ("already_pledged", other_pledge, release_burden),
    10: ("same_day_filing", twin, lambda c: confirm_both(c, "same_day_filing")),
    11: ("invalidation_pending", lambda c: setattrs(c["patent"], invalidation_pending=True),
         lambda c: confirm_both(c, "invalidation_pending")),
    12: ("other_ground", lambda c: registry.pledge_registry_cite_other(loan_id=c["loan"].pk, actor=c["staff"],
                                                                        reason="质押合同签章与登记信息不一致"),
         lambda c: registry.pledge_registry_clear_other(loan_id=c["loan"].pk, actor=c["staff"])),
}


@pytest.mark.parametrize("ground", list(CASES))
def test_each_ground_refuses_then_registers_once_cured(ground, holder, bank_officer, staff, buyer, holder_org):
    code, break_it, cure = CASES[ground]
    patent = short_term_patent(holder_org)
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.SIGNED, holder=holder,
                   bank_officer=bank_officer)
    ctx = {"loan": loan, "patent": patent, "holder": holder, "bank": bank_officer, "staff": staff, "buyer": buyer,
           "buyer_org": buyer.organisation}
    break_it(ctx)
    refused = file_and_examine(loan, holder)

    assert refused.state == "refused" and refused.decided_at is not None
    assert [g["ground"] for g in refused.refusal_grounds] == [ground]
    assert refused.refusal_grounds[0]["code"] == code
    assert PledgeLoan.objects.get(pk=loan.pk).state == S.SIGNED
    assert not Encumbrance.objects.filter(kind=EncumbranceKind.PLEDGE, beneficiary=bank_officer.organisation).exists()

    cure(ctx)
    registered = file_and_examine(loan, bank_officer)

    assert registered.state == "registered", registered.refusal_grounds
    loan = PledgeLoan.objects.get(pk=loan.pk)
    contract = loan.contract()
    entry = Encumbrance.objects.get(kind=EncumbranceKind.PLEDGE, beneficiary=bank_officer.organisation)
    assert (loan.state, entry.patent, entry.secured_amount, entry.end_date, entry.registration_number) == (
        S.REGISTERED, patent, contract.principal, contract.end_date, registered.registration_number)


def test_ground_12_cited_while_a_filing_is_examined_refuses_it_at_once(holder, bank_officer, staff, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.FILED, holder=holder,
                   bank_officer=bank_officer)
    registry.pledge_registry_cite_other(loan_id=loan.pk, actor=staff, reason="出质人签章存疑")

    filing = PledgeFiling.objects.get()
    assert filing.state == "refused" and filing.refusal_grounds[0]["ground"] == 12
    assert "出质人签章存疑" in filing.refusal_grounds[0]["message"]
    with pytest.raises(ActionForbidden):
        registry.pledge_registry_cite_other(loan_id=loan.pk, actor=bank_officer, reason="x")


def test_the_decision_is_due_within_three_working_days_and_the_sweep_decides(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.SIGNED, holder=holder,
                   bank_officer=bank_officer)
    filing = registry.pledge_registration_file(loan_id=loan.pk, actor=holder)
    assert filing.decision_due == registry.working_days_after(timezone.localdate(), 3)
    assert registry.working_days_after(dt.date(2026, 3, 6), 3) == dt.date(2026, 3, 11)  # Friday → Wednesday

    assert registry.pledge_filings_decide_due(today=filing.decision_due - dt.timedelta(days=1)) == 0
    assert registry.pledge_filings_decide_due(today=filing.decision_due) == 1
    assert registry.pledge_filings_decide_due(today=filing.decision_due) == 0
    assert PledgeLoan.objects.get(pk=loan.pk).state == S.REGISTERED


def test_registration_issues_the_application_and_the_notice(holder, bank_officer, patent, second_patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent, second_patent]), to=S.REGISTERED,
                   holder=holder, bank_officer=bank_officer)
    filing = loan.filings.get()
    kinds = sorted(Document.objects.for_deal(filing).values_list("kind", flat=True))
    assert kinds == [DocumentKind.PLEDGE_NOTICE, DocumentKind.PLEDGE_REGISTRATION]
    assert Encumbrance.objects.filter(kind=EncumbranceKind.PLEDGE, secured_amount=Decimal("1000000.00")).count() == 2


def test_examining_twice_changes_nothing_and_filing_needs_a_signed_contract(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.REGISTERED, holder=holder,
                   bank_officer=bank_officer)
    filing = loan.filings.get()
    assert registry.pledge_registry_examine(filing_id=filing.pk).state == "registered"
    assert Encumbrance.objects.filter(kind=EncumbranceKind.PLEDGE).count() == 1
    with pytest.raises(RuleViolation):
        registry.pledge_registration_file(loan_id=loan.pk, actor=holder)


def test_a_registered_pledge_blocks_a_transfer_without_the_banks_consent(holder, bank_officer, patent):
    from market.rules import transfer_blockers

    advance(apply(holder, bank_officer.organisation, [patent]), to=S.REGISTERED, holder=holder,
            bank_officer=bank_officer)
    assert [r.code for r in transfer_blockers(patent, seller=holder.organisation)] == ["pledged_without_consent"]


def test_a_pledge_stays_on_the_register_after_the_debt_term_until_released(holder, bank_officer, patent):
    from market.rules.common import active_pledges

    advance(apply(holder, bank_officer.organisation, [patent]), to=S.REGISTERED, holder=holder,
            bank_officer=bank_officer)
    Encumbrance.objects.filter(kind=EncumbranceKind.PLEDGE).update(end_date=timezone.localdate() - dt.timedelta(days=5))
    assert active_pledges(patent).count() == 1


