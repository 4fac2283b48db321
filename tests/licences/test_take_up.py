"""Taking an open licence in one step: each royalty method, replays, refusals, many licensees, withdrawal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.licensing.models import Licence, LicenceState, OpenLicenceState, RoyaltyKind
from market.licensing.services import open_licences
from market.models import DocumentKind, Encumbrance, EncumbranceKind, Escrow, EscrowState, LedgerEntry, PatentKind, TransitionLog
from market.rules import RuleViolation
from market.services.documents import documents_for
from market.services.errors import ActionForbidden, IdempotencyConflict
from market.services.ledger import external_account, ledger_problems

from ..factories import OrganisationFactory, PatentFactory, UserFactory
from .conftest import ANNUAL, PER_UNIT, PERCENTAGE, declare


def take_up(declaration, user, key="take-up-1", confirmed=True):
    return open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=user, idempotency_key=key,
                                              notice_confirmed=confirmed)


def codes(exc) -> list[str]:
    return [r.code for r in exc.value.reasons]


METHODS = {
    # terms, paid at once, royalty kinds of the schedule of a 3-year licence
    "annual": (ANNUAL, Decimal("12000.00"), [RoyaltyKind.ANNUAL] * 3),
    "percentage": (PERCENTAGE, Decimal("50000.00"), [RoyaltyKind.ENTRY_FEE] + [RoyaltyKind.SALES] * 12),
    "per_unit": (PER_UNIT, None, [RoyaltyKind.UNITS] * 6),
    "per_unit_with_entry_fee": ({**PER_UNIT, "entry_fee": Decimal("8000.00")}, Decimal("8000.00"),
                                [RoyaltyKind.ENTRY_FEE] + [RoyaltyKind.UNITS] * 6),
}


@pytest.mark.parametrize("method", list(METHODS))
def test_take_up_grants_an_ordinary_licence_at_once_with_each_royalty_method(method, holder, staff, patent, buyer):
    terms, paid, kinds = METHODS[method]
    declaration = declare(holder, staff, patent, terms=terms)
    licence = take_up(declaration, buyer)
    today = timezone.localdate()
    assert (licence.kind, licence.state, licence.licensee, licence.licensor) == (
        "ordinary_licence", LicenceState.ACTIVE, buyer.organisation, holder.organisation)
    assert (licence.start_date, licence.end_date) == (today, today.replace(year=today.year + 3) - dt.timedelta(days=1))
    entry = Encumbrance.objects.in_force().get(patent=patent, kind=EncumbranceKind.ORDINARY_LICENCE)
    assert entry.beneficiary == buyer.organisation and entry.registration_number == licence.record_number != ""
    assert [p.kind for p in licence.periods.all()] == kinds
    payments = [p for p in licence.periods.all() if p.paid_at]
    if paid is None:
        assert payments == [] and not Escrow.objects.exists()
    else:
        [first] = payments
        assert first.amount_due == paid and first.escrow.state == EscrowState.RELEASED
        assert external_account(buyer.organisation).balance() == -paid
        assert external_account(holder.organisation).balance() == paid
    assert ledger_problems() == []
    assert sorted(d.kind for d in documents_for(licence)) == [DocumentKind.LICENCE_NOTICE, DocumentKind.LICENCE_RECORD]
    assert TransitionLog.for_object(licence).get().transition == "grant"
    assert TransitionLog.for_object(declaration).filter(transition="take_up").count() == 1


def test_a_replayed_take_up_returns_the_same_licence_and_pays_once(declaration, buyer):
    first = take_up(declaration, buyer, key="k-1")
    entries = LedgerEntry.objects.count()
    assert take_up(declaration, buyer, key="k-1") == first
    assert (Licence.objects.count(), Escrow.objects.count(), LedgerEntry.objects.count()) == (1, 1, entries)


def test_a_second_take_up_by_the_same_licensee_is_refused(declaration, buyer):
    take_up(declaration, buyer, key="k-1")
    entries = LedgerEntry.objects.count()
    with pytest.raises(RuleViolation) as refused:
        take_up(declaration, buyer, key="k-2")
    assert codes(refused) == ["already_licensed"]
    assert (Licence.objects.count(), LedgerEntry.objects.count()) == (1, entries)


def test_a_key_used_for_another_declaration_conflicts(declaration, holder, holder_org, staff, buyer):
    other = declare(holder, staff, PatentFactory(holders=[holder_org]))
    take_up(declaration, buyer, key="k-1")
    with pytest.raises(IdempotencyConflict):
        take_up(other, buyer, key="k-1")


def test_the_written_notice_must_be_confirmed(declaration, buyer):
    with pytest.raises(ValidationError) as invalid:
        take_up(declaration, buyer, confirmed=False)
    assert list(invalid.value.message_dict) == ["notice_confirmed"]
    assert not Licence.objects.exists()


def test_only_verified_organisations_take_licences(declaration):
    unverified = UserFactory(organisation=OrganisationFactory(verified=False))
    with pytest.raises(ActionForbidden):
        take_up(declaration, unverified)


def test_the_holder_cannot_license_itself(declaration, holder):
    with pytest.raises(RuleViolation) as refused:
        take_up(declaration, holder)
    assert codes(refused) == ["own_declaration"]


def test_take_up_rechecks_the_patent(declaration, buyer):
    declaration.patent.annual_fee_overdue = True
    declaration.patent.save()
    with pytest.raises(RuleViolation) as refused:
        take_up(declaration, buyer)
    assert codes(refused) == ["annual_fee_unpaid"]
    assert not Licence.objects.exists() and not Escrow.objects.exists()


def test_many_licensees_take_the_same_declaration(declaration, patent, buyer, outsider):
    third = UserFactory(organisation=OrganisationFactory(name="嘉兴第三被许可人有限公司"))
    for user in (buyer, outsider, third):
        take_up(declaration, user)
    assert Licence.objects.filter(declaration=declaration).count() == 3
    assert Encumbrance.objects.in_force().filter(patent=patent, kind=EncumbranceKind.ORDINARY_LICENCE).count() == 3
    assert external_account(declaration.holder).balance() == Decimal("36000.00")
    assert ledger_problems() == []


def test_withdrawal_keeps_granted_licences_and_refuses_new_take_ups(declaration, holder, buyer, outsider):
    licence = take_up(declaration, buyer)
    periods = list(licence.periods.values_list("sequence", "amount_due", "paid_at"))
    open_licences.open_licence_withdraw(declaration_id=declaration.pk, actor=holder)
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert list(licence.periods.values_list("sequence", "amount_due", "paid_at")) == periods
    assert Encumbrance.objects.in_force().filter(pk=licence.encumbrance_id).exists()
    with pytest.raises(RuleViolation) as refused:
        take_up(declaration, outsider)
    assert codes(refused) == ["declaration_not_standing"]
    assert Licence.objects.count() == 1


def test_a_licence_stops_at_the_patents_expiry_and_its_last_year_is_prorated(holder, holder_org, staff, buyer, clock):
    """Utility model filed 2017-01-10 expires 2027-01-09. Taken on 2026-03-01 for 3 years at ¥12,000 a year,
    the licence ends 2027-01-09: one year cut to 315 of its 365 days, 12,000 × 315 / 365 = 10,356.16."""
    clock(dt.date(2026, 3, 1))
    patent = PatentFactory(holders=[holder_org], kind=PatentKind.UTILITY_MODEL, filing_date=dt.date(2017, 1, 10))
    from .conftest import pdf_upload

    declaration = declare(holder, staff, patent, evaluation_report=pdf_upload())
    assert declaration.listing.asking_price == Decimal("10356.16")
    licence = take_up(declaration, buyer)
    assert (licence.start_date, licence.end_date) == (dt.date(2026, 3, 1), dt.date(2027, 1, 9))
    [year] = licence.periods.all()
    assert (year.amount_due, year.paid_at is not None) == (Decimal("10356.16"), True)


def test_declaration_state_is_unchanged_by_take_ups(declaration, buyer):
    take_up(declaration, buyer)
    declaration.refresh_from_db()
    assert declaration.state == OpenLicenceState.PUBLISHED
