"""A royalty-backed securitisation pool through the ledger: staff assemble licences, set tranches, simulate and
issue (investors pay in, licensors are paid); the licensees' royalties go to the pool; each period's
distribution follows the waterfall — checked against figures computed by hand — and is issued as a document."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from finance import pools
from finance import receivable_pledges as rp
from finance.models import PoolState
from market.licensing.services import open_licences, royalties
from market.models import DocumentKind
from market.rules import RuleViolation
from market.services.documents import documents_for
from market.services.errors import ActionForbidden
from market.services.ledger import external_account, ledger_problems
from tests.factories import OrganisationFactory, PatentFactory, UserFactory
from tests.licences.conftest import ANNUAL, declare
from tests.market.test_documents import parties, pdf_text  # noqa: F401

from .test_receivable_pledges import END


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def licences(holder, holder_org, staff, buyer):
    """Two open licences of the holder's inventions, ¥12,000 a year for 3 years (the first year paid): to the
    buyer and to a second licensee."""
    other = UserFactory(organisation=OrganisationFactory(name="温州瓯江储能有限公司"))
    taken = []
    for title, licensee in (("一种高安全性锂电池隔膜", buyer), ("一种电池管理系统", other)):
        patent = PatentFactory(holders=[holder_org], title=title)
        declaration = declare(holder, staff, patent, terms=ANNUAL, licence_years=3)
        taken.append(open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=licensee,
                                                        idempotency_key=f"take-{title}", notice_confirmed=True))
    return taken


@pytest.fixture
def investors():
    return OrganisationFactory(name="浙商证券资管"), OrganisationFactory(name="杭州产业投资基金")


def pay_next(licence):
    period = licence.periods.filter(paid_at__isnull=True).order_by("sequence").first()
    licensee = licence.licensee.users.first()
    royalties.royalty_pay(period_id=period.pk, actor=licensee, idempotency_key=f"pay-{period.pk}")


def balance(org) -> Decimal:
    return external_account(org).balance()


def assembled(staff, licences, investors):
    senior, junior = investors
    pool = pools.pool_create(actor=staff, name="浙江知识产权许可收益1号", periods=2, period_months=12,
                             fee_per_period="1000")
    pools.pool_add_licences(pool_id=pool.pk, actor=staff, licence_ids=[lic.pk for lic in licences])
    pools.pool_set_tranches(pool_id=pool.pk, actor=staff, tranches=[
        {"name": "优先级", "size": "20000", "coupon_percent": "4", "investor": str(senior.pk)},
        {"name": "次级", "size": "10000", "coupon_percent": "8", "investor": str(junior.pk)}])
    return pool


def test_a_pool_from_issue_to_its_last_distribution(staff, licences, investors, holder_org, parties,  # noqa: F811
                                                    django_capture_on_commit_callbacks):
    senior, junior = investors
    pool = assembled(staff, licences, investors)
    with pytest.raises(RuleViolation) as refused:
        pools.pool_issue(pool_id=pool.pk, actor=staff)
    assert [r.code for r in refused.value.reasons] == ["simulation_missing"]
    pools.pool_simulate(pool_id=pool.pk, actor=staff, paths=500)
    pool.refresh_from_db()
    assert [t["name"] for t in pool.simulation["tranches"]] == ["优先级", "次级"]
    assert pool.simulation["tranches"][0]["expected_loss"] <= pool.simulation["tranches"][1]["expected_loss"]

    holder_before, senior_before, junior_before = balance(holder_org), balance(senior), balance(junior)
    with django_capture_on_commit_callbacks(execute=True):
        pool = pools.pool_issue(pool_id=pool.pk, actor=staff)
    assert pool.state == PoolState.ISSUED
    assert balance(senior) == senior_before - 20000 and balance(junior) == junior_before - 10000
    assert balance(holder_org) == holder_before + 30000  # the receivables' price
    assert sum(r.price for r in pool.receivables.all()) == Decimal("30000.00")
    issue_text = pdf_text(documents_for(pool).get(kind=DocumentKind.POOL_ISSUE))
    for expected in ("知识产权证券化发行说明书", "浙江知识产权许可收益1号", "优先级", "次级", "¥20,000.00", "浙商证券资管",
                     licences[0].number):
        assert expected in issue_text, expected
    assert licences[0].licensee.users.first().notifications.filter(key=f"pool:{pool.pk}:notice").exists()

    # Year 2: both licensees pay ¥12,000 into the pool, not to the licensor.
    holder_before = balance(holder_org)
    for licence in licences:
        pay_next(licence)
    assert balance(holder_org) == holder_before
    assert pools.ledger.balance(pools.pool_account(pool)) == Decimal("24000.00")

    # Period 1 by hand: ¥24,000 in; fee 1,000; coupons 20,000 × 4 % = 800 and 10,000 × 8 % = 800; senior
    # principal 20,000 (all of it); subordinated principal 24,000 − 1,000 − 1,600 − 20,000 = 1,400.
    senior_before, junior_before = balance(senior), balance(junior)
    with django_capture_on_commit_callbacks(execute=True):
        first = pools.pool_distribute(pool_id=pool.pk, actor=staff)
    assert (first.collected, first.fees_paid, first.residual) == (Decimal("24000.00"), Decimal("1000.00"), 0)
    assert [(t["coupon_paid"], t["principal_paid"], t["balance_after"]) for t in first.statement["tranches"]] == [
        ("800.00", "20000.00", "0.00"), ("800.00", "1400.00", "8600.00")]
    assert balance(senior) == senior_before + 20800 and balance(junior) == junior_before + 2200
    assert balance(staff.organisation) >= Decimal("1000.00")

    # Year 3: only one licensee pays. Period 2 (the last): ¥12,000 in; fee 1,000; subordinated coupon
    # 8,600 × 8 % = 688; its principal 8,600; residual 12,000 − 1,000 − 688 − 8,600 = 1,712 to its investor.
    pay_next(licences[0])
    junior_before = balance(junior)
    with django_capture_on_commit_callbacks(execute=True):
        last = pools.pool_distribute(pool_id=pool.pk, actor=staff)
    assert (last.collected, last.residual) == (Decimal("12000.00"), Decimal("1712.00"))
    assert [(t["coupon_paid"], t["principal_paid"], t["loss"]) for t in last.statement["tranches"]] == [
        ("0.00", "0.00", "0.00"), ("688.00", "8600.00", "0.00")]
    assert balance(junior) == junior_before + 688 + 8600 + 1712
    pool.refresh_from_db()
    assert pool.state == PoolState.CLOSED
    report = pdf_text(documents_for(last).get(kind=DocumentKind.POOL_DISTRIBUTION))
    for expected in ("证券化收益分配报告", "第2期", "¥12,000.00", "¥1,712.00", "¥8,600.00"):
        assert expected in report, expected
    assert ledger_problems() == []
    with pytest.raises(RuleViolation):  # closed: nothing more to distribute
        pools.pool_distribute(pool_id=pool.pk, actor=staff)


def test_assembly_refusals(staff, licences, investors, holder, bank_org, buyer):
    with pytest.raises(ActionForbidden):
        pools.pool_create(actor=buyer, name="x", periods=4, fee_per_period="0")
    with pytest.raises(ValidationError) as invalid:
        pools.pool_create(actor=staff, name="", periods=0, period_months=5, fee_per_period="-1")
    assert set(invalid.value.message_dict) == {"name", "periods", "period_months", "fee_per_period"}
    # A pledged receivable cannot be sold to a pool.
    rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licences[0].pk], amount="1000",
                               rate_percent="4", end_date=END)
    pool = pools.pool_create(actor=staff, name="测试池", periods=2, period_months=12, fee_per_period="0")
    with pytest.raises(RuleViolation) as refused:
        pools.pool_add_licences(pool_id=pool.pk, actor=staff, licence_ids=[licences[0].pk])
    assert [r.code for r in refused.value.reasons] == ["receivable_taken"]
    pools.pool_add_licences(pool_id=pool.pk, actor=staff, licence_ids=[licences[1].pk])
    with pytest.raises(RuleViolation) as refused:  # more than the receivable is worth
        pools.pool_set_tranches(pool_id=pool.pk, actor=staff, tranches=[
            {"name": "优先级", "size": "90000", "coupon_percent": "4", "investor": str(investors[0].pk)}])
    assert [r.code for r in refused.value.reasons] == ["tranches_above_value"]
    # Sold to this pool: the licensor can no longer pledge it.
    with pytest.raises(RuleViolation):
        rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licences[1].pk], amount="1000",
                                   rate_percent="4", end_date=END)


def test_who_sees_a_pool(staff, licences, investors):
    pool = assembled(staff, licences, investors)
    outsider = UserFactory(organisation=OrganisationFactory(name="无关公司"))
    investor = UserFactory(organisation=investors[0])
    licensee = licences[0].licensee.users.first()
    assert pools.pools_visible_to(investor).filter(pk=pool.pk).exists()
    assert not pools.pools_visible_to(outsider).filter(pk=pool.pk).exists()
    licensor = licences[0].licensor.users.first()
    pools.pool_simulate(pool_id=pool.pk, actor=staff, paths=100)
    pools.pool_issue(pool_id=pool.pk, actor=staff)
    for user in (licensee, licensor):  # notified of the sale, but the pool's book is not theirs to read
        assert not pools.pools_visible_to(user).filter(pk=pool.pk).exists()


def test_the_cockpit_counts_pledged_receivables_and_pools(staff, licences, investors, holder, bank_officer,
                                                          bank_org):
    from stats.indicators import INDICATORS
    from stats.rollups import rebuild
    from stats.selectors import Query, table

    pledge = rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licences[0].pk],
                                        amount="10000", rate_percent="4", end_date=END)
    pledge = rp.receivable_pledge_register(pledge_id=pledge.pk, actor=bank_officer)
    pool = pools.pool_create(actor=staff, name="许可收益3号", periods=2, period_months=12, fee_per_period="0")
    pools.pool_add_licences(pool_id=pool.pk, actor=staff, licence_ids=[licences[1].pk])
    pools.pool_set_tranches(pool_id=pool.pk, actor=staff, tranches=[
        {"name": "优先级", "size": "15000", "coupon_percent": "4", "investor": str(investors[0].pk)}])
    pools.pool_simulate(pool_id=pool.pk, actor=staff, paths=200)
    pools.pool_issue(pool_id=pool.pk, actor=staff)
    rebuild()
    today = timezone.localdate()

    def total(key):
        return table(Query(INDICATORS[key], "period", "month", today.replace(day=1), today, {}))["total"]

    assert total("receivable_pledges") == 1 and total("receivable_secured") == pledge.secured_amount
    assert total("receivable_outstanding") == pledge.secured_amount
    assert (total("pools_issued"), total("pool_size")) == (1, Decimal("15000.00"))
