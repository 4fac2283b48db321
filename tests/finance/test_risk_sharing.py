"""Risk-sharing of pledge-loan losses: a bank enrols an eligible loan at approval (an ineligible one is refused
with each condition it fails); when the enrolled loan's collateral is auctioned short, the loss is split by
the shares, each participant paying the bank through the ledger up to its yearly cap, once; the ledger stays
balanced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from finance.models import LossShare, ParticipantRole, RiskScheme, SchemeEnrolment, SchemeParticipant
from finance.risk_sharing import loan_enrol, loss_split
from market.auctions import services as auctions
from market.models import PatentKind, TransitionLog
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.pledges.services import loans
from market.rules import RuleViolation
from market.services.ledger import external_account, ledger_problems
from tests.auctions.conftest import bid, deposit, end_now, make_bidder
from tests.factories import OrganisationFactory, PatentFactory
from tests.pledges.steps import advance, apply, approve

S = PledgeLoanState


@pytest.fixture
def scheme(staff):
    """A pool 40 %, an insurer 30 % capped at ¥10,000 a year, a guarantor 10 %: the bank bears 20 %."""
    scheme = RiskScheme.objects.create(name="浙江知识产权质押融资风险补偿（测试）", max_amount=Decimal("500000"),
                                       max_rate_percent=Decimal("4.5"), right_kinds=[PatentKind.INVENTION],
                                       premium_rate=Decimal("0.0100"), created_by=staff)
    for name, role, share, cap in (("省知识产权风险补偿资金池", ParticipantRole.PUBLIC_POOL, "0.40", "1000000"),
                                   ("人保财险浙江分公司", ParticipantRole.INSURER, "0.30", "10000"),
                                   ("浙江省融资担保公司", ParticipantRole.GUARANTOR, "0.10", "1000000")):
        SchemeParticipant.objects.create(scheme=scheme, organisation=OrganisationFactory(name=name), role=role,
                                         share=Decimal(share), yearly_cap=Decimal(cap))
    return scheme


@pytest.fixture
def approved(holder, holder_org, bank_officer):
    patents = [PatentFactory(holders=[holder_org], title=t, applicants=holder_org.name, filing_date=dt.date(2019, 3, 1),
                             grant_date=dt.date(2021, 6, 1)) for t in ("一种高安全性锂电池隔膜", "一种电池管理系统")]
    loan = apply(holder, bank_officer.organisation, patents, amount="120000", term_months=3)
    approve(loan, bank_officer)
    return PledgeLoan.objects.get(pk=loan.pk)


def test_an_ineligible_loan_is_refused_with_each_condition(approved, bank_officer, staff):
    strict = RiskScheme.objects.create(name="严格方案", max_amount=Decimal("100000"), max_rate_percent=Decimal("3.0"),
                                       right_kinds=[PatentKind.UTILITY_MODEL], premium_rate=Decimal("0.01"),
                                       created_by=staff)
    with pytest.raises(RuleViolation) as refused:
        loan_enrol(loan_id=approved.pk, scheme_id=strict.pk, actor=bank_officer)
    assert [r.code for r in refused.value.reasons] == ["amount_above_cap", "rate_above_cap", "right_kind_excluded"]
    assert not SchemeEnrolment.objects.exists()


def test_only_the_loans_bank_enrols_it_and_only_before_it_is_lent(approved, scheme, holder, bank_officer):
    from market.services.errors import ActionForbidden

    with pytest.raises(ActionForbidden):
        loan_enrol(loan_id=approved.pk, scheme_id=scheme.pk, actor=holder)
    bank_before = external_account(bank_officer.organisation).balance()
    enrolment = loan_enrol(loan_id=approved.pk, scheme_id=scheme.pk, actor=bank_officer)
    assert enrolment.premium == Decimal("1200.00")  # 1 % of ¥120,000
    assert loan_enrol(loan_id=approved.pk, scheme_id=scheme.pk, actor=bank_officer) == enrolment  # once
    # The bank pays the premium to the participants by their shares 40 : 30 : 10, once.
    assert external_account(bank_officer.organisation).balance() == bank_before - Decimal("1200.00")
    assert [external_account(p.organisation).balance() for p in scheme.participants.all()] == [
        Decimal("600.00"), Decimal("450.00"), Decimal("150.00")]
    assert ledger_problems() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_defaulted_enrolled_loans_loss_is_split_and_paid_within_the_caps(
        approved, scheme, holder, bank_officer, staff, bank_org):
    loan_enrol(loan_id=approved.pk, scheme_id=scheme.pk, actor=bank_officer)
    loan = advance(approved, to=S.DISBURSED, holder=holder, bank_officer=bank_officer)
    for instalment in loan.instalments.all():  # past the grace period
        instalment.due_date -= dt.timedelta(days=80)
        instalment.save(update_fields=["due_date"])
    loan = loans.loan_declare_default(loan_id=loan.pk, actor=bank_officer, reason="逾期未还")

    now = timezone.now()
    auction = auctions.auction_open_for_loan(loan_id=loan.pk, actor=staff, reserve_price="60000", increment="1000",
                                             deposit="5000", starts_at=now, ends_at=now + dt.timedelta(hours=1))
    buyer = make_bidder("宁波竞买科技有限公司")
    deposit(auction, buyer)
    bid(auction, buyer, "70000")
    end_now(auction)
    auctions.auction_close(auction_id=auction.pk, actor=staff)
    auctions.auction_pay(auction_id=auction.pk, actor=buyer, idempotency_key="pay")
    pool, insurer, guarantor = scheme.participants.order_by("pk")
    before = {p.pk: external_account(p.organisation).balance() for p in (pool, insurer, guarantor)}
    bank_before = external_account(bank_org).balance()
    auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)  # settles the loan; the split follows

    loan = PledgeLoan.objects.get(pk=loan.pk)
    loss = loan.written_off_principal
    assert loan.state == S.SETTLED and loss > 0
    shares = {s.participant_id: s for s in LossShare.objects.filter(enrolment__loan=loan)}
    assert shares[pool.pk].due == shares[pool.pk].paid == (loss * Decimal("0.40")).quantize(Decimal("0.01"))
    assert shares[insurer.pk].due == (loss * Decimal("0.30")).quantize(Decimal("0.01"))
    assert shares[insurer.pk].paid == Decimal("10000.00")  # its yearly cap; the rest stays with the bank
    assert shares[guarantor.pk].paid == (loss * Decimal("0.10")).quantize(Decimal("0.01"))
    paid = sum(s.paid for s in shares.values())
    assert shares[None].due == loss - paid and shares[None].paid == 0
    for participant in (pool, insurer, guarantor):
        assert before[participant.pk] - external_account(participant.organisation).balance() == \
            shares[participant.pk].paid
    assert external_account(bank_org).balance() - bank_before >= paid  # the shares reached the bank
    assert ledger_problems() == []
    assert TransitionLog.for_object(loan).filter(transition="risk_split").count() == 1

    assert loss_split(loan_id=loan.pk) is not None  # once: a second call pays nothing more
    assert LossShare.objects.filter(enrolment__loan=loan).count() == 4 and ledger_problems() == []

    # The cockpit: one scheme, one loan enrolled at its amount, the shares paid.
    from stats.indicators import INDICATORS
    from stats.rollups import rebuild
    from stats.selectors import Query, table

    rebuild()
    month = timezone.localdate().replace(day=1)
    total = lambda key: table(Query(INDICATORS[key], "period", "month", month, timezone.localdate(), {}))["total"]  # noqa: E731
    assert (total("risk_schemes"), total("risk_loans"), total("risk_loan_amount")) == (1, 1, loan.amount)
    assert total("risk_paid") == paid


def test_the_bank_enrols_from_its_review_and_staff_see_the_schemes(approved, scheme, bank_officer, other_bank_user,
                                                                  holder, staff):
    from django.test import Client
    from django.urls import reverse

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    review = reverse("frontend:bank_review", args=[approved.pk])
    page = client_for(bank_officer).get(review).content.decode()
    assert scheme.name in page and 'data-action="risk_enrol"' in page
    enrol = reverse("frontend:risk_enrol", args=[approved.pk])
    assert client_for(other_bank_user).post(enrol, {"scheme": scheme.pk}).status_code == 404
    assert client_for(holder).post(enrol, {"scheme": scheme.pk}).status_code == 403
    assert client_for(bank_officer).post(enrol, {"scheme": scheme.pk}).status_code == 302
    assert SchemeEnrolment.objects.get().loan_id == approved.pk
    assert "已纳入" in client_for(bank_officer).get(review).content.decode()

    listing = client_for(staff).get(reverse("frontend:staff_risk_schemes")).content.decode()
    assert scheme.name in listing and "人保财险浙江分公司" in listing and "30%" in listing and "20%" in listing
    assert client_for(bank_officer).get(reverse("frontend:staff_risk_schemes")).status_code == 403


@pytest.fixture
def other_bank_user(db):
    from market.models import OrganisationKind
    from tests.factories import UserFactory

    return UserFactory(username="banker2", organisation=OrganisationFactory(name="宁波甬江银行",
                                                                            kind=OrganisationKind.BANK))


def test_a_scheme_for_small_enterprises_reads_the_size_staff_assessed(approved, scheme, bank_officer, holder_org,
                                                                      staff):
    from market.models import EnterpriseSize
    from market.services.organisations import organisation_size_set

    scheme.holder_sizes = [EnterpriseSize.MICRO, EnterpriseSize.SMALL]
    scheme.save(update_fields=["holder_sizes"])
    with pytest.raises(RuleViolation) as refused:  # not assessed yet
        loan_enrol(loan_id=approved.pk, scheme_id=scheme.pk, actor=bank_officer)
    assert [r.code for r in refused.value.reasons] == ["holder_size_excluded"]
    assert "小型企业" in refused.value.reasons[0].message
    organisation_size_set(credit_code=holder_org.credit_code, size=EnterpriseSize.LARGE, actor=staff)
    with pytest.raises(RuleViolation):
        loan_enrol(loan_id=approved.pk, scheme_id=scheme.pk, actor=bank_officer)
    organisation_size_set(credit_code=holder_org.credit_code.lower(), size=EnterpriseSize.SMALL, actor=staff)
    assert loan_enrol(loan_id=approved.pk, scheme_id=scheme.pk, actor=bank_officer).scheme == scheme
