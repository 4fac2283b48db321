"""The rules module: each rule's allowed and refused path, with the reason it gives."""

import datetime as dt

import pytest
from django.utils import timezone

from market.models import ConsentCapacity, ConsentPurpose, Encumbrance, EncumbranceKind, LegalStatus, PatentKind
from market.rules import blockers_for, licence_blockers, open_licence_blockers, pledge_blockers, transfer_blockers

from ..factories import OrganisationFactory, PatentFactory, application_number, pledge


def codes(reasons):
    return [r.code for r in reasons]


@pytest.fixture
def patent(holder_org):
    return PatentFactory(holders=[holder_org])


def test_clean_patent_may_be_transferred_licensed_pledged_and_openly_licensed(patent, holder_org):
    assert blockers_for(patent, holder_org) == {
        "transfer": [], "licence": [], "exclusive_licence": [], "pledge": [], "open_licence": []}


@pytest.mark.parametrize("status_case,status,code", [
    ("lapsed", LegalStatus.LAPSED, "lapsed"),
    ("expired", LegalStatus.EXPIRED, "expired"),
    ("invalidated", LegalStatus.INVALIDATED, "invalidated"),
    ("abandoned", LegalStatus.ABANDONED, "abandoned"),
])
def test_terminated_patent_is_blocked_for_every_act(status_case, status, code, holder_org):
    patent = PatentFactory(holders=[holder_org], legal_status=status)
    for act, reasons in blockers_for(patent, holder_org).items():
        assert code in codes(reasons), act


def test_term_past_expiry_counts_as_expired_even_if_status_not_updated(holder_org):
    patent = PatentFactory(holders=[holder_org], kind=PatentKind.UTILITY_MODEL, filing_date=dt.date(2010, 1, 5),
                           application_number=application_number(1, PatentKind.UTILITY_MODEL, year=2010))
    assert "expired" in codes(transfer_blockers(patent, seller=holder_org))


def test_pending_application_may_be_transferred_but_not_pledged(holder_org):
    patent = PatentFactory(holders=[holder_org], legal_status=LegalStatus.PENDING)
    assert transfer_blockers(patent, seller=holder_org) == []
    assert "not_granted" in codes(pledge_blockers(patent, pledgor=holder_org))


def test_annual_fee_overdue_blocks_with_its_reason(holder_org):
    patent = PatentFactory(holders=[holder_org], annual_fee_overdue=True)
    reasons = transfer_blockers(patent, seller=holder_org)
    assert codes(reasons) == ["annual_fee_unpaid"]
    assert "年费" in reasons[0].message and "annual fee" in reasons[0].message


@pytest.mark.parametrize("kind,code", [
    (EncumbranceKind.OWNERSHIP_DISPUTE, "ownership_dispute"),
    (EncumbranceKind.PRESERVATION, "court_preservation"),
])
def test_dispute_or_preservation_suspends_everything(kind, code, patent, holder_org):
    entry = Encumbrance.objects.create(patent=patent, kind=kind, beneficiary_name="杭州市中级人民法院")
    for act, reasons in blockers_for(patent, holder_org).items():
        assert code in codes(reasons), act
    entry.released_at = entry.registered_at
    entry.save()
    assert transfer_blockers(patent, seller=holder_org) == []


def test_only_the_registered_holder_may_act(patent, buyer_org):
    assert codes(transfer_blockers(patent, seller=buyer_org)) == ["not_registered_holder"]


def test_pledged_patent_needs_the_pledgees_consent_to_this_deal(patent, holder_org, bank_org, bank_officer):
    from django.contrib.contenttypes.models import ContentType

    from market.models import Consent

    pledge(patent, bank_org)
    deal_like = patent  # any saved object stands for "this deal" in the consent's generic key
    assert codes(transfer_blockers(patent, seller=holder_org, deal=deal_like)) == ["pledged_without_consent"]
    Consent.objects.create(patent=patent, organisation=bank_org, capacity=ConsentCapacity.PLEDGEE,
                           purpose=ConsentPurpose.TRANSFER, deal_type=ContentType.objects.get_for_model(deal_like),
                           deal_id=deal_like.pk, given_by=bank_officer)
    assert transfer_blockers(patent, seller=holder_org, deal=deal_like) == []
    # a consent to a transfer is not a consent to a licence
    assert codes(licence_blockers(patent, licensor=holder_org, deal=deal_like)) == ["pledged_without_consent"]


def test_co_owned_patent_needs_every_co_owners_consent(holder_org, buyer_org):
    third = OrganisationFactory(name="绍兴第三共有人有限公司")
    patent = PatentFactory(holders=[holder_org, buyer_org, third])
    reasons = transfer_blockers(patent, seller=holder_org)
    assert codes(reasons) == ["co_owner_consent_missing"]
    assert buyer_org.name in reasons[0].message and third.name in reasons[0].message
    # ordinary licences need no co-owner consent (Patent Law art. 14)
    assert licence_blockers(patent, licensor=holder_org) == []
    assert "co_owner_consent_missing" in codes(licence_blockers(patent, licensor=holder_org,
                                                                licence_kind=EncumbranceKind.SOLE_LICENCE))


def test_co_ownership_agreement_may_allow_acting_alone(holder_org, buyer_org):
    patent = PatentFactory(holders=[holder_org, buyer_org])
    patent.ownerships.filter(organisation=holder_org).update(agreement_allows_sole_action=True)
    assert transfer_blockers(patent, seller=holder_org) == []


def test_exclusive_licence_blocks_other_licences_and_open_licence(patent, holder_org, buyer_org):
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.EXCLUSIVE_LICENCE, beneficiary=buyer_org,
                               end_date=dt.date(2030, 1, 1))
    assert "exclusive_licence_in_force" in codes(licence_blockers(patent, licensor=holder_org))
    assert "exclusive_licence_in_force" in codes(open_licence_blockers(patent, holder=holder_org))
    assert transfer_blockers(patent, seller=holder_org) == []


def test_a_licence_registered_to_start_later_blocks_overlapping_terms_only(patent, holder_org, buyer_org):
    starts = timezone.localdate() + dt.timedelta(days=400)
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.SOLE_LICENCE, beneficiary=buyer_org,
                               start_date=starts, end_date=starts + dt.timedelta(days=700))
    # not in force today, but an open-ended licence or declaration from today would overlap it
    assert codes(licence_blockers(patent, licensor=holder_org)) == ["exclusive_licence_registered"]
    assert codes(open_licence_blockers(patent, holder=holder_org)) == ["exclusive_licence_registered"]
    assert licence_blockers(patent, licensor=holder_org, end_date=starts - dt.timedelta(days=1)) == []
    later = starts + dt.timedelta(days=701)
    assert licence_blockers(patent, licensor=holder_org, start_date=later, end_date=later + dt.timedelta(days=30)) == []


def test_expired_licence_no_longer_blocks(patent, holder_org, buyer_org):
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.EXCLUSIVE_LICENCE, beneficiary=buyer_org,
                               end_date=dt.date(2020, 1, 1))
    assert licence_blockers(patent, licensor=holder_org) == []


def test_open_licence_declaration_forbids_exclusive_and_sole_but_not_ordinary(patent, holder_org):
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.OPEN_LICENCE)
    assert licence_blockers(patent, licensor=holder_org) == []
    for kind in (EncumbranceKind.EXCLUSIVE_LICENCE, EncumbranceKind.SOLE_LICENCE):
        assert "open_licence_declared" in codes(licence_blockers(patent, licensor=holder_org, licence_kind=kind))


def test_licence_term_may_not_pass_the_patents_expiry(patent, holder_org):
    assert patent.expiry_date == dt.date(2039, 2, 28)
    assert licence_blockers(patent, licensor=holder_org, end_date=dt.date(2039, 2, 28)) == []
    assert codes(licence_blockers(patent, licensor=holder_org, end_date=dt.date(2039, 3, 1))) == ["term_past_expiry"]


def test_utility_model_open_licence_needs_evaluation_report(holder_org):
    patent = PatentFactory(holders=[holder_org], kind=PatentKind.UTILITY_MODEL)
    assert codes(open_licence_blockers(patent, holder=holder_org)) == ["evaluation_report_missing"]
    assert open_licence_blockers(patent, holder=holder_org, has_evaluation_report=True) == []


def test_pledge_grounds_debt_term_existing_pledge_and_invalidation(patent, holder_org, bank_org):
    assert codes(pledge_blockers(patent, pledgor=holder_org, debt_end=dt.date(2040, 1, 1))) == ["debt_past_expiry"]
    assert pledge_blockers(patent, pledgor=holder_org, debt_end=dt.date(2030, 1, 1)) == []
    pledge(patent, bank_org)
    assert codes(pledge_blockers(patent, pledgor=holder_org)) == ["already_pledged"]
    other = PatentFactory(holders=[holder_org], invalidation_pending=True)
    assert codes(pledge_blockers(other, pledgor=holder_org)) == ["invalidation_pending"]
    assert pledge_blockers(other, pledgor=holder_org, invalidation_confirmed=True) == []


@pytest.mark.parametrize("kind,filed,years", [
    (PatentKind.INVENTION, dt.date(2015, 5, 10), 20),
    (PatentKind.UTILITY_MODEL, dt.date(2015, 5, 10), 10),
    (PatentKind.DESIGN, dt.date(2021, 5, 31), 10),
    (PatentKind.DESIGN, dt.date(2021, 6, 1), 15),
])
def test_term_from_filing_date_and_kind(kind, filed, years):
    from market.models.patents import term_years

    assert term_years(kind, filed) == years
