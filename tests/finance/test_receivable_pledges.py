"""Licence royalties as collateral: a licensor pledges the royalties of its licences to a bank; once the bank
registers the pledge (lending the amount through the ledger), the licensees' royalties are paid to the bank
until the secured amount is covered, then to the licensor again. Refusals name their rule and source."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from finance import receivable_pledges as rp
from finance.models import ReceivablePledgeState
from market.licensing.services import open_licences, royalties
from market.models import DocumentKind
from market.rules import RuleViolation
from market.services.documents import documents_for
from market.services.errors import ActionForbidden
from market.services.ledger import external_account, ledger_problems
from tests.factories import OrganisationFactory, PatentFactory, UserFactory
from tests.licences.conftest import ANNUAL, declare
from tests.market.test_documents import parties, pdf_text  # noqa: F401

S = ReceivablePledgeState
END = dt.date.today() + dt.timedelta(days=365)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def licence(holder, holder_org, staff, buyer):
    """An open licence of the holder's invention taken up by the buyer: ¥12,000 a year for 3 years, the first
    year paid at take-up."""
    patent = PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法")
    declaration = declare(holder, staff, patent, terms=ANNUAL, licence_years=3)
    return open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="take",
                                              notice_confirmed=True)


def balance(org) -> Decimal:
    return external_account(org).balance()


def next_period(licence):
    return licence.periods.filter(paid_at__isnull=True).order_by("sequence").first()


def test_the_secured_amount_is_the_loan_with_its_interest_to_the_term():
    # ¥100,000 at 4.35 % for 365 days: 100,000 × 1.0435.
    assert rp.secured_amount(Decimal("100000"), Decimal("4.35"), start=dt.date(2027, 1, 1),
                             end=dt.date(2028, 1, 1)) == Decimal("104350.00")


def test_a_registered_pledge_diverts_the_next_royalties_to_the_bank_until_covered(
        licence, holder, holder_org, buyer, buyer_org, bank_officer, bank_org, django_capture_on_commit_callbacks):
    pledge = rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk],
                                        amount="15000", rate_percent="4.000", end_date=END)
    assert pledge.state == S.APPLIED
    bank_before, holder_before = balance(bank_org), balance(holder_org)
    assert not rp.pledges_visible_to(buyer).exists()  # an application is not the licensee's business
    pledge = rp.receivable_pledge_register(pledge_id=pledge.pk, actor=bank_officer)
    assert rp.pledges_visible_to(buyer).get() == pledge  # registered: the licensee reads whom it pays
    days = (END - timezone.localdate()).days
    expected_secured = (Decimal("15000") * (1 + Decimal("0.04") * days / 365)).quantize(Decimal("0.01"))
    assert (pledge.state, pledge.secured_amount) == (S.REGISTERED, expected_secured)
    assert len(pledge.registration_number) == 20 and buyer_org.name in pledge.notice
    assert balance(bank_org) == bank_before - Decimal("15000") and balance(holder_org) == holder_before + 15000

    # The licensee pays year 2 (¥12,000): all of it goes to the bank.
    bank_before, holder_before = balance(bank_org), balance(holder_org)
    royalties.royalty_pay(period_id=next_period(licence).pk, actor=buyer, idempotency_key="y2")
    assert balance(bank_org) == bank_before + Decimal("12000") and balance(holder_org) == holder_before
    assert rp.collected(pledge) == Decimal("12000.00")
    left = rp.outstanding(pledge)
    assert left == expected_secured - 12000

    # Year 3: the bank takes what is left, the licensor the rest; the pledge is discharged.
    bank_before, holder_before = balance(bank_org), balance(holder_org)
    with django_capture_on_commit_callbacks(execute=True):
        royalties.royalty_pay(period_id=next_period(licence).pk, actor=buyer, idempotency_key="y3")
    pledge.refresh_from_db()
    assert pledge.state == S.DISCHARGED and rp.outstanding(pledge) == 0
    assert balance(bank_org) == bank_before + left and balance(holder_org) == holder_before + (12000 - left)
    assert ledger_problems() == []
    from notifications.models import Notification

    assert Notification.objects.filter(recipient=buyer, key=f"receivable-pledge:{pledge.pk}:discharged").exists()


def test_the_registration_certificate_and_the_licensees_notice(licence, holder, buyer, bank_officer, bank_org,
                                                               parties, django_capture_on_commit_callbacks):  # noqa: F811
    pledge = rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk],
                                        amount="20000", rate_percent="5", end_date=END)
    with django_capture_on_commit_callbacks(execute=True):
        pledge = rp.receivable_pledge_register(pledge_id=pledge.pk, actor=bank_officer)
    document = documents_for(pledge).get(kind=DocumentKind.RECEIVABLE_PLEDGE)
    text = pdf_text(document)
    for expected in ("应收账款质押登记证明", pledge.registration_number, holder.organisation.name, bank_org.name,
                     buyer.organisation.name, licence.number, "¥20,000.00", "贰万元整"):
        assert expected in text, expected
    notice = buyer.notifications.get(key=f"receivable-pledge:{pledge.pk}:notice")
    assert bank_org.name in notice.title and pledge.registration_number in notice.body


def test_refusals_name_each_rule(licence, holder, buyer, bank_officer, bank_org, holder_org):
    with pytest.raises(ValidationError) as invalid:
        rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk], amount="0",
                                   rate_percent="40", end_date=dt.date(2020, 1, 1))
    assert set(invalid.value.message_dict) == {"amount", "rate_percent", "end_date"}
    not_bank = OrganisationFactory(name="某投资公司")
    with pytest.raises(ValidationError) as invalid:
        rp.receivable_pledge_apply(actor=holder, bank_id=not_bank.pk, licence_ids=[licence.pk], amount="1000",
                                   rate_percent="4", end_date=END)
    assert "bank" in invalid.value.message_dict
    # The licensee cannot pledge what it owes.
    with pytest.raises(RuleViolation) as refused:
        rp.receivable_pledge_apply(actor=buyer, bank_id=bank_org.pk, licence_ids=[licence.pk], amount="1000",
                                   rate_percent="4", end_date=END)
    assert [r.code for r in refused.value.reasons] == ["not_licensor"]
    assert "第四百四十五条" in refused.value.reasons[0].source
    first = rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk], amount="1000",
                                       rate_percent="4", end_date=END)
    with pytest.raises(RuleViolation) as refused:  # pledged once already (applied)
        rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk], amount="1000",
                                   rate_percent="4", end_date=END)
    assert [r.code for r in refused.value.reasons] == ["receivable_taken"]
    assert "第四百一十四条" in refused.value.reasons[0].source
    # Only the pledgee bank decides; only the pledgor withdraws.
    other_bank = UserFactory(organisation=OrganisationFactory(name="另一银行", kind="bank"))
    for actor, call in ((other_bank, rp.receivable_pledge_register), (holder, rp.receivable_pledge_register)):
        with pytest.raises(ActionForbidden):
            call(pledge_id=first.pk, actor=actor)
    with pytest.raises(ActionForbidden):
        rp.receivable_pledge_withdraw(pledge_id=first.pk, actor=bank_officer)
    declined = rp.receivable_pledge_decline(pledge_id=first.pk, actor=bank_officer, reason="许可使用费规模不足")
    assert declined.state == S.DECLINED
    with pytest.raises(RuleViolation):  # a decided application is not registered later
        rp.receivable_pledge_register(pledge_id=first.pk, actor=bank_officer)
    # Declined: the licence may be pledged again.
    assert rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk], amount="1000",
                                      rate_percent="4", end_date=END).state == S.APPLIED


def test_the_pledgor_may_pay_what_the_royalties_have_not_covered(licence, holder, holder_org, bank_officer, bank_org):
    pledge = rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk],
                                        amount="30000", rate_percent="4", end_date=END)
    pledge = rp.receivable_pledge_register(pledge_id=pledge.pk, actor=bank_officer)
    owed = rp.outstanding(pledge)
    bank_before = balance(bank_org)
    rp.receivable_pledge_repay(pledge_id=pledge.pk, actor=holder, idempotency_key="repay-1")
    pledge.refresh_from_db()
    assert pledge.state == S.DISCHARGED and balance(bank_org) == bank_before + owed
    with pytest.raises(RuleViolation):
        rp.receivable_pledge_repay(pledge_id=pledge.pk, actor=holder, idempotency_key="repay-2")
    assert ledger_problems() == []


def test_the_banks_review_values_each_licence(licence, holder, bank_org):
    pledge = rp.receivable_pledge_apply(actor=holder, bank_id=bank_org.pk, licence_ids=[licence.pk],
                                        amount="10000", rate_percent="4", end_date=END)
    rows, total = rp.pledge_value(pledge)
    [(row_licence, value)] = rows
    assert row_licence == licence and value.dues == 2 and value.expected == Decimal("24000.00")
    assert total == value.present_value and Decimal("20000") < total < Decimal("24000")
