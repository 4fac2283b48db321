"""Licence contracts: offer → counter → agreed → signed → effective → 备案 filed → recorded; conflicts refused;
filing-deadline warnings fire once; termination and expiry."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.licensing.models import LicenceContractState, LicenceReminder, LicenceState, ReminderKind
from market.licensing.services import licence_contracts as contracts
from market.licensing.services import royalties
from market.models import DocumentKind, Encumbrance, EncumbranceKind, ListingMode, TransitionLog
from market.rules import RuleViolation
from market.services.documents import documents_for
from market.services.errors import ActionForbidden
from market.services.ledger import external_account, ledger_problems

from ..factories import ListingFactory, PatentFactory, pledge
from .conftest import ANNUAL, PER_UNIT, declare


def terms(kind="ordinary_licence", years=2, start=None, royalty=None, **extra):
    start = start or timezone.localdate()
    return {"licence_kind": kind, "start_date": start, "end_date": start + relativedelta(years=years, days=-1),
            "territory": "浙江省", **(royalty or ANNUAL), **extra}


def codes(exc) -> list[str]:
    return [r.code for r in exc.value.reasons]


@pytest.fixture
def listing(holder, patent):
    return ListingFactory(organisation=holder.organisation, created_by=holder, mode=ListingMode.LICENCE,
                          title="锂电池隔膜专利实施许可", patents=[patent])


def agreed(listing, holder, buyer, **kw):
    contract = contracts.contract_open(listing_id=listing.pk, actor=buyer, **terms(**kw))
    return contracts.contract_accept(contract_id=contract.pk, actor=holder)


def signed(listing, holder, buyer, **kw):
    contract = agreed(listing, holder, buyer, **kw)
    contracts.contract_sign(contract_id=contract.pk, actor=holder)
    return contracts.contract_sign(contract_id=contract.pk, actor=buyer)


def effective(listing, holder, buyer, **kw):
    contract = signed(listing, holder, buyer, **kw)
    if contract.state == LicenceContractState.SIGNED:
        contract = contracts.contract_pay(contract_id=contract.pk, actor=buyer, idempotency_key=f"pay-{contract.pk}")
    return contract


def test_a_negotiated_licence_reaches_recorded(listing, holder, buyer, staff, patent):
    contract = contracts.contract_open(listing_id=listing.pk, actor=buyer, message="首次报价",
                                       **terms(royalty={"royalty_method": "annual", "annual_fee": "8000"}))
    with pytest.raises(RuleViolation) as own:
        contracts.contract_accept(contract_id=contract.pk, actor=buyer)
    assert codes(own) == ["own_offer"]
    contracts.contract_counter(contract_id=contract.pk, actor=holder, **terms())  # ¥12,000 a year
    contract = contracts.contract_accept(contract_id=contract.pk, actor=buyer)
    assert (contract.state, contract.annual_fee, contract.territory) == ("agreed", Decimal("12000.00"), "浙江省")
    contracts.contract_sign(contract_id=contract.pk, actor=holder)
    contract = contracts.contract_sign(contract_id=contract.pk, actor=buyer)
    assert contract.state == LicenceContractState.SIGNED
    assert [d.kind for d in documents_for(contract)] == [DocumentKind.LICENCE_CONTRACT]
    contract = contracts.contract_pay(contract_id=contract.pk, actor=buyer, idempotency_key="first-year")
    today = timezone.localdate()
    assert (contract.state, contract.effective_date, contract.filing_due_date) == (
        LicenceContractState.EFFECTIVE, today, today + relativedelta(months=3))
    licence = contract.licence
    assert (licence.kind, licence.state, licence.territory) == ("ordinary_licence", LicenceState.ACTIVE, "浙江省")
    assert Encumbrance.objects.in_force().get(pk=licence.encumbrance_id).beneficiary == buyer.organisation
    assert external_account(holder.organisation).balance() == Decimal("12000.00")
    # a replay of the payment changes nothing
    assert contracts.contract_pay(contract_id=contract.pk, actor=buyer, idempotency_key="first-year").pk == contract.pk
    with pytest.raises(ActionForbidden):
        contracts.contract_file_record(contract_id=contract.pk, actor=buyer)
    contract = contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    assert contract.state == LicenceContractState.FILED
    assert DocumentKind.LICENCE_RECORD in {d.kind for d in documents_for(contract)}
    with pytest.raises(ActionForbidden):
        contracts.contract_record(contract_id=contract.pk, actor=holder)
    contract = contracts.contract_record(contract_id=contract.pk, actor=staff)
    assert contract.state == LicenceContractState.RECORDED
    assert contract.record_number == f"BA{today:%Y%m%d}{contract.pk:06d}"
    licence.refresh_from_db()
    assert licence.record_number == contract.record_number
    assert Encumbrance.objects.get(pk=licence.encumbrance_id).registration_number == contract.record_number
    assert list(TransitionLog.for_object(contract).values_list("transition", flat=True)) == [
        "open", "counter", "agree", "sign_licensor", "sign_licensee", "complete_signing", "take_effect",
        "file_record", "record"]
    assert ledger_problems() == []


def test_without_a_first_payment_the_contract_takes_effect_on_signing(listing, holder, buyer):
    contract = signed(listing, holder, buyer, royalty=PER_UNIT)
    assert contract.state == LicenceContractState.EFFECTIVE
    assert contract.licence.periods.filter(paid_at__isnull=False).count() == 0


@pytest.mark.parametrize(("existing", "kind", "code"), [
    (EncumbranceKind.OPEN_LICENCE, "exclusive_licence", "open_licence_declared"),
    (EncumbranceKind.OPEN_LICENCE, "sole_licence", "open_licence_declared"),
    (EncumbranceKind.ORDINARY_LICENCE, "exclusive_licence", "ordinary_licence_in_force"),
    (EncumbranceKind.EXCLUSIVE_LICENCE, "ordinary_licence", "exclusive_licence_in_force"),
    (EncumbranceKind.SOLE_LICENCE, "ordinary_licence", "exclusive_licence_in_force"),
    (EncumbranceKind.SOLE_LICENCE, "sole_licence", "exclusive_licence_in_force"),
])
def test_conflicting_licences_are_refused(existing, kind, code, listing, patent, buyer, outsider):
    Encumbrance.objects.create(patent=patent, kind=existing, beneficiary=outsider.organisation)
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_open(listing_id=listing.pk, actor=buyer, **terms(kind=kind))
    assert code in codes(refused)
    assert refused.value.reasons[0].rule == "licence"
    assert not buyer.organisation.licence_contracts_taken.exists()


@pytest.mark.parametrize(("existing", "kind"), [
    (EncumbranceKind.EXCLUSIVE_LICENCE, "ordinary_licence"), (EncumbranceKind.SOLE_LICENCE, "sole_licence"),
    (EncumbranceKind.EXCLUSIVE_LICENCE, "exclusive_licence"),
])
def test_a_licence_registered_to_start_later_conflicts_with_an_overlapping_term(existing, kind, listing, patent,
                                                                                buyer, outsider):
    """Conflicts are between terms: an exclusive licence taking effect next year is as much in the way of a
    two-year licence starting today as one in force (and not in the way of a term ending before it)."""
    starts = timezone.localdate() + relativedelta(years=1)
    Encumbrance.objects.create(patent=patent, kind=existing, beneficiary=outsider.organisation, start_date=starts,
                               end_date=starts + relativedelta(years=3))
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_open(listing_id=listing.pk, actor=buyer, **terms(kind=kind))
    assert codes(refused) == ["exclusive_licence_registered"]
    assert f"{starts:%Y-%m-%d}" in refused.value.reasons[0].message
    assert not buyer.organisation.licence_contracts_taken.exists()
    before = contracts.contract_open(listing_id=listing.pk, actor=buyer,
                                     **{**terms(kind=kind), "end_date": starts - relativedelta(days=1)})
    assert before.pk is not None  # opened: its term ends the day before the other licence starts


def test_an_ordinary_licence_registered_to_start_later_bars_an_overlapping_exclusive_one(listing, patent, buyer,
                                                                                         outsider):
    starts = timezone.localdate() + relativedelta(months=6)
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.ORDINARY_LICENCE,
                               beneficiary=outsider.organisation, start_date=starts)
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_open(listing_id=listing.pk, actor=buyer, **terms(kind="exclusive_licence"))
    assert codes(refused) == ["ordinary_licence_in_force"]


def test_ordinary_licences_on_negotiated_terms_remain_allowed_under_a_declaration(holder, staff, patent, listing,
                                                                                  buyer):
    declare(holder, staff, patent)
    contract = effective(listing, holder, buyer)
    assert contract.state == LicenceContractState.EFFECTIVE


def test_term_may_not_pass_the_patents_expiry(listing, buyer, patent):
    assert patent.expiry_date == dt.date(2039, 2, 28)
    start = timezone.localdate()
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_open(listing_id=listing.pk, actor=buyer,
                                **{**terms(), "end_date": dt.date(2039, 3, 1), "start_date": start})
    assert codes(refused) == ["term_past_expiry"]


def test_pledged_patent_needs_the_pledgees_consent_to_sign(listing, holder, buyer, patent, bank_org, bank_officer):
    pledge(patent, bank_org)
    contract = agreed(listing, holder, buyer)  # negotiation is not refused for a consent still to come
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_sign(contract_id=contract.pk, actor=holder)
    assert codes(refused) == ["pledged_without_consent"]
    contract.refresh_from_db()
    assert contract.licensor_signed_at is None
    contracts.contract_consent(contract_id=contract.pk, actor=bank_officer)
    assert contracts.contract_sign(contract_id=contract.pk, actor=holder).licensor_signed_at is not None


def test_exclusive_licence_needs_the_co_owners_consent(holder, holder_org, buyer, outsider):
    patent = PatentFactory(holders=[holder_org, outsider.organisation])
    listing = ListingFactory(organisation=holder_org, created_by=holder, mode=ListingMode.LICENCE, patents=[patent])
    contract = agreed(listing, holder, buyer, kind="exclusive_licence")
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_sign(contract_id=contract.pk, actor=buyer)
    assert codes(refused) == ["co_owner_consent_missing"]
    contracts.contract_consent(contract_id=contract.pk, actor=outsider)
    contracts.contract_sign(contract_id=contract.pk, actor=buyer)


def test_recording_an_exclusive_licence_is_no_conflict_with_itself(listing, holder, buyer, staff):
    contract = effective(listing, holder, buyer, kind="exclusive_licence")
    contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    assert contracts.contract_record(contract_id=contract.pk, actor=staff).state == LicenceContractState.RECORDED


def test_a_refused_filing_can_be_cured_and_filed_again(listing, holder, buyer, staff):
    contract = effective(listing, holder, buyer)
    contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    with pytest.raises(ValidationError):
        contracts.contract_refuse_record(contract_id=contract.pk, actor=staff, reason="")
    refused = contracts.contract_refuse_record(contract_id=contract.pk, actor=staff, reason="合同缺少许可地域")
    assert (refused.state, refused.filing_refusal_reason) == (LicenceContractState.EFFECTIVE, "合同缺少许可地域")
    assert contracts.contract_file_record(contract_id=contract.pk, actor=holder).state == LicenceContractState.FILED


def test_filing_deadline_warnings_fire_once_each(listing, holder, buyer):
    contract = effective(listing, holder, buyer)
    due = contract.filing_due_date
    sent = {day: contracts.licence_contracts_warn_filing(today=due + dt.timedelta(days=day))
            for day in (-31, -30, -29, -8, -7, -6, 0, 1, 2, 40)}
    assert sent == {-31: 0, -30: 1, -29: 0, -8: 0, -7: 1, -6: 0, 0: 0, 1: 1, 2: 0, 40: 0}
    assert list(LicenceReminder.objects.order_by("pk").values_list("kind", "organisation")) == [
        (ReminderKind.FILING_DUE_30, holder.organisation_id), (ReminderKind.FILING_DUE_7, holder.organisation_id),
        (ReminderKind.FILING_OVERDUE, holder.organisation_id)]
    assert "备案" in LicenceReminder.objects.first().message


def test_a_late_first_run_sends_only_the_most_urgent_warning_and_filed_contracts_none(listing, holder, buyer,
                                                                                      outsider, patent):
    contract = effective(listing, holder, buyer)
    assert contracts.licence_contracts_warn_filing(today=contract.filing_due_date - dt.timedelta(days=5)) == 1
    assert LicenceReminder.objects.get().kind == ReminderKind.FILING_DUE_7
    contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    assert contracts.licence_contracts_warn_filing(today=contract.filing_due_date + dt.timedelta(days=5)) == 0


def test_overdue_filing_is_flagged(listing, holder, buyer, clock):
    contract = effective(listing, holder, buyer)
    assert not contract.filing_overdue
    clock(contract.filing_due_date + dt.timedelta(days=1))
    assert contract.filing_overdue


def test_early_termination_ends_the_licence_and_cancels_future_dues(listing, holder, buyer):
    contract = effective(listing, holder, buyer)
    ended = contracts.contract_terminate(contract_id=contract.pk, actor=buyer, reason="产品线停产")
    licence = ended.licence
    licence.refresh_from_db()
    assert (ended.state, licence.state) == (LicenceContractState.TERMINATED, LicenceState.TERMINATED)
    assert not Encumbrance.objects.in_force().filter(pk=licence.encumbrance_id).exists()
    second_year = licence.periods.get(sequence=2)
    assert second_year.cancelled_at is not None
    with pytest.raises(RuleViolation):
        royalties.royalty_pay(period_id=second_year.pk, actor=buyer, idempotency_key="after-end")


def test_contracts_and_licences_expire_after_their_term(listing, holder, buyer):
    contract = effective(listing, holder, buyer, years=1)
    assert contracts.licences_expire_due(today=contract.end_date) == 0
    assert contracts.licences_expire_due(today=contract.end_date + dt.timedelta(days=1)) == 1
    contract.refresh_from_db()
    contract.licence.refresh_from_db()
    assert (contract.state, contract.licence.state) == (LicenceContractState.EXPIRED, LicenceState.EXPIRED)
    assert contracts.licences_expire_due(today=contract.end_date + dt.timedelta(days=2)) == 0


def test_only_the_parties_act_and_either_may_cancel_before_effect(listing, holder, buyer, outsider, staff):
    contract = contracts.contract_open(listing_id=listing.pk, actor=buyer, **terms())
    for call in (lambda: contracts.contract_counter(contract_id=contract.pk, actor=outsider, **terms()),
                 lambda: contracts.contract_accept(contract_id=contract.pk, actor=outsider),
                 lambda: contracts.contract_cancel(contract_id=contract.pk, actor=outsider, reason="x"),
                 lambda: contracts.contract_consent(contract_id=contract.pk, actor=outsider)):
        with pytest.raises(ActionForbidden):
            call()
    cancelled = contracts.contract_cancel(contract_id=contract.pk, actor=holder, reason="条件不合适")
    assert (cancelled.state, cancelled.end_reason) == (LicenceContractState.CANCELLED, "条件不合适")


def test_terms_are_validated(listing, buyer):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as invalid:
        contracts.contract_open(listing_id=listing.pk, actor=buyer, licence_kind="exclusive", start_date=yesterday,
                                end_date=yesterday, royalty_method="per_unit")
    assert set(invalid.value.message_dict) == {"licence_kind", "start_date", "end_date", "unit_fee"}


def test_a_transfer_listing_cannot_be_licensed(holder, patent, buyer):
    transfer = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    with pytest.raises(RuleViolation) as refused:
        contracts.contract_open(listing_id=transfer.pk, actor=buyer, **terms())
    assert codes(refused) == ["listing_not_open"]


def test_the_daily_tasks_are_scheduled_and_run(listing, holder, buyer, settings):
    from config.celery import app
    from market.licensing import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("licences_expire_due_task", "royalties_remind_late_task", "licence_contracts_warn_filing_task"):
        assert f"market.tasks.{name}" in scheduled and f"market.tasks.{name}" in app.tasks
    effective(listing, holder, buyer)
    assert tasks.licence_contracts_warn_filing_task.delay().get() == 0  # due in 3 months: nothing yet
    assert tasks.royalties_remind_late_task.delay().get() == 0
    assert tasks.licences_expire_due_task.delay().get() == 0
