"""Declaring an open licence: every refusal rule refused and then allowed, staff check, publication, withdrawal."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.fees import annual_fee_schedule
from market.licensing.models import OpenLicenceDeclaration, OpenLicenceState
from market.licensing.services import open_licences
from market.models import (
    DocumentKind,
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    Listing,
    ListingMode,
    ListingState,
    TransitionLog,
)
from market.rules import RuleViolation
from market.services.errors import ActionForbidden

from ..factories import OrganisationFactory, PatentFactory, UserFactory, pledge
from .conftest import ANNUAL, FAKE_PDF_BYTES, PDF_BYTES, declare, pdf_upload


def codes(exc) -> list[str]:
    return [r.code for r in exc.value.reasons]


def create(actor, patent, **extra):
    return open_licences.open_licence_create(actor=actor, patent_id=patent.pk, licence_years=3, **ANNUAL, **extra)


def _encumbrance(kind):
    def block(patent, other):
        return Encumbrance.objects.create(patent=patent, kind=kind, beneficiary=other, end_date=dt.date(2035, 1, 1))

    def cure(patent, entry):
        entry.released_at = timezone.now()
        entry.save()
    return block, cure


def _field(name, blocked, allowed):
    def block(patent, other):
        setattr(patent, name, blocked)
        patent.save()

    def cure(patent, entry):
        setattr(patent, name, allowed)
        patent.save()
    return block, cure


HARD_RULES = {
    "exclusive_licence": (*_encumbrance(EncumbranceKind.EXCLUSIVE_LICENCE), "exclusive_licence_in_force"),
    "sole_licence": (*_encumbrance(EncumbranceKind.SOLE_LICENCE), "exclusive_licence_in_force"),
    "ownership_dispute": (*_encumbrance(EncumbranceKind.OWNERSHIP_DISPUTE), "ownership_dispute"),
    "court_preservation": (*_encumbrance(EncumbranceKind.PRESERVATION), "court_preservation"),
    "annual_fee_unpaid": (*_field("annual_fee_overdue", True, False), "annual_fee_unpaid"),
    "lapsed": (*_field("legal_status", LegalStatus.LAPSED, LegalStatus.GRANTED), "lapsed"),
    "not_granted": (*_field("legal_status", LegalStatus.PENDING, LegalStatus.GRANTED), "not_granted"),
}


@pytest.mark.parametrize("case", list(HARD_RULES))
def test_each_rule_refuses_the_declaration_then_allows_it_once_cured(case, patent, holder, buyer_org):
    block, cure, code = HARD_RULES[case]
    entry = block(patent, buyer_org)
    with pytest.raises(RuleViolation) as refused:
        create(holder, patent)
    assert codes(refused) == [code]
    assert refused.value.reasons[0].rule == "open_licence"
    assert patent.application_number in refused.value.reasons[0].message
    assert not OpenLicenceDeclaration.objects.exists()
    cure(patent, entry)
    assert create(holder, patent).state == OpenLicenceState.DRAFT


def test_ordinary_licences_in_force_do_not_block_a_declaration(patent, holder, buyer_org):
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.ORDINARY_LICENCE, beneficiary=buyer_org)
    assert create(holder, patent).state == OpenLicenceState.DRAFT


def test_only_the_registered_holder_declares(patent, buyer):
    with pytest.raises(RuleViolation) as refused:
        create(buyer, patent)
    assert codes(refused) == ["not_registered_holder"]


def test_co_owner_must_consent_before_submission(holder, holder_org, buyer, buyer_org):
    patent = PatentFactory(holders=[holder_org, buyer_org])
    declaration = create(holder, patent)
    with pytest.raises(RuleViolation) as refused:
        open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    assert codes(refused) == ["co_owner_consent_missing"]
    assert buyer_org.name in refused.value.reasons[0].message
    declaration.refresh_from_db()
    assert declaration.state == OpenLicenceState.DRAFT
    open_licences.open_licence_consent(declaration_id=declaration.pk, actor=buyer)
    assert open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder).state == "submitted"


def test_pledged_patent_needs_the_pledgees_consent(patent, holder, bank_org, bank_officer, outsider):
    pledge(patent, bank_org)
    declaration = create(holder, patent)
    with pytest.raises(RuleViolation) as refused:
        open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    assert codes(refused) == ["pledged_without_consent"]
    with pytest.raises(ActionForbidden):
        open_licences.open_licence_consent(declaration_id=declaration.pk, actor=outsider)
    consent = open_licences.open_licence_consent(declaration_id=declaration.pk, actor=bank_officer)
    assert consent.capacity == "pledgee" and consent.purpose == "open_licence"
    assert open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder).state == "submitted"


def test_utility_model_needs_its_evaluation_report(utility_patent, holder, settings):
    declaration = create(holder, utility_patent)
    with pytest.raises(RuleViolation) as refused:
        open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    assert codes(refused) == ["evaluation_report_missing"]
    with pytest.raises(ValidationError) as not_pdf:
        open_licences.open_licence_attach_report(declaration_id=declaration.pk, actor=holder,
                                                 evaluation_report=pdf_upload(b"PK\x03\x04 a zip file", "r.pdf"))
    assert "PDF" in not_pdf.value.message_dict["evaluation_report"][0]
    settings.MARKET = {**settings.MARKET, "EVALUATION_REPORT_MAX_BYTES": len(PDF_BYTES) - 1}
    with pytest.raises(ValidationError) as too_big:
        open_licences.open_licence_attach_report(declaration_id=declaration.pk, actor=holder,
                                                 evaluation_report=pdf_upload())
    assert "0 MB" in too_big.value.message_dict["evaluation_report"][0]
    declaration.refresh_from_db()
    assert not declaration.evaluation_report
    settings.MARKET = {**settings.MARKET, "EVALUATION_REPORT_MAX_BYTES": len(PDF_BYTES)}
    open_licences.open_licence_attach_report(declaration_id=declaration.pk, actor=holder,
                                             evaluation_report=pdf_upload())
    declaration.refresh_from_db()
    assert declaration.evaluation_report.read() == PDF_BYTES
    assert len(declaration.evaluation_report_sha256) == 64
    assert open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder).state == "submitted"


@pytest.mark.parametrize("data", [FAKE_PDF_BYTES, b"%PDF-1.7\n" + b"x" * 2000],
                         ids=["header_and_eof_case", "header_and_noise_case"])
def test_a_file_that_only_starts_like_a_pdf_is_refused(utility_patent, holder, data):
    declaration = create(holder, utility_patent)

    with pytest.raises(ValidationError) as refused:
        open_licences.open_licence_attach_report(declaration_id=declaration.pk, actor=holder,
                                                 evaluation_report=pdf_upload(data))

    assert "PDF" in refused.value.message_dict["evaluation_report"][0]
    declaration.refresh_from_db()
    assert not declaration.evaluation_report


def test_a_replaced_report_leaves_no_file_behind(utility_patent, holder, django_capture_on_commit_callbacks):
    declaration = create(holder, utility_patent)
    with django_capture_on_commit_callbacks(execute=True):
        open_licences.open_licence_attach_report(declaration_id=declaration.pk, actor=holder,
                                                 evaluation_report=pdf_upload())
    declaration.refresh_from_db()
    first = declaration.evaluation_report
    first_path = first.path

    with django_capture_on_commit_callbacks(execute=True):
        open_licences.open_licence_attach_report(declaration_id=declaration.pk, actor=holder,
                                                 evaluation_report=pdf_upload())

    declaration.refresh_from_db()
    assert declaration.evaluation_report.path != first_path
    assert os.path.exists(declaration.evaluation_report.path)
    assert not os.path.exists(first_path)
    assert sorted(os.listdir(os.path.dirname(first_path))) == [os.path.basename(declaration.evaluation_report.path)]


def test_a_design_with_its_report_uploaded_at_creation_goes_through(holder, holder_org, staff):
    design = PatentFactory(holders=[holder_org], kind="design", filing_date=dt.date(2022, 1, 4))
    published = declare(holder, staff, design, evaluation_report=pdf_upload())
    assert published.state == OpenLicenceState.PUBLISHED


def test_terms_are_validated_field_by_field(patent, holder):
    with pytest.raises(ValidationError) as invalid:
        open_licences.open_licence_create(actor=holder, patent_id=patent.pk, licence_years=0,
                                          royalty_method="percentage", royalty_rate=Decimal("120"),
                                          period_months=5)
    assert set(invalid.value.message_dict) == {"licence_years", "royalty_rate", "period_months"}
    with pytest.raises(ValidationError) as missing:
        open_licences.open_licence_create(actor=holder, patent_id=patent.pk, licence_years=3,
                                          royalty_method="annual")
    assert list(missing.value.message_dict) == ["annual_fee"]


def test_staff_publish_enters_the_register_lists_it_and_issues_the_declaration(patent, holder, staff):
    declaration = declare(holder, staff, patent)
    today = timezone.localdate()
    assert declaration.announcement_number == f"CNKFXK{today:%Y%m%d}{declaration.pk:06d}"
    assert declaration.announcement_date == today
    entry = Encumbrance.objects.in_force().get(patent=patent)
    assert entry.kind == EncumbranceKind.OPEN_LICENCE and entry.registration_number == declaration.announcement_number
    listing = Listing.objects.get(open_licence_declaration=declaration)
    assert (listing.mode, listing.state, listing.asking_price) == (ListingMode.OPEN_LICENCE, ListingState.PUBLISHED,
                                                                   Decimal("12000.00"))
    assert "年许可费 ¥12,000.00" in listing.terms
    assert [d.kind for d in open_licences_documents(declaration)] == [DocumentKind.OPEN_LICENCE_DECLARATION]
    assert list(TransitionLog.for_object(declaration).values_list("transition", flat=True)) == [
        "create", "submit", "publish"]


def open_licences_documents(declaration):
    from market.services.documents import documents_for

    return list(documents_for(declaration))


def test_publication_rechecks_the_rules(patent, holder, staff):
    declaration = create(holder, patent)
    open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    patent.annual_fee_overdue = True
    patent.save()
    with pytest.raises(RuleViolation) as refused:
        open_licences.open_licence_publish(declaration_id=declaration.pk, actor=staff)
    assert codes(refused) == ["annual_fee_unpaid"]
    declaration.refresh_from_db()
    assert declaration.state == OpenLicenceState.SUBMITTED and declaration.encumbrance_id is None


def test_only_staff_publish_and_reject_then_the_holder_resubmits(patent, holder, staff):
    declaration = create(holder, patent)
    open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    with pytest.raises(ActionForbidden):
        open_licences.open_licence_publish(declaration_id=declaration.pk, actor=holder)
    with pytest.raises(ValidationError):
        open_licences.open_licence_reject(declaration_id=declaration.pk, actor=staff, reason=" ")
    rejected = open_licences.open_licence_reject(declaration_id=declaration.pk, actor=staff, reason="实施方式表述不清")
    assert rejected.state == OpenLicenceState.REJECTED and rejected.rejection_reason == "实施方式表述不清"
    resubmitted = open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    assert resubmitted.state == OpenLicenceState.SUBMITTED and resubmitted.rejection_reason == ""


def test_one_declaration_at_a_time(patent, holder, staff):
    draft = create(holder, patent)
    with pytest.raises(RuleViolation) as pending:
        create(holder, patent)
    assert codes(pending) == ["declaration_pending"]
    open_licences.open_licence_submit(declaration_id=draft.pk, actor=holder)
    open_licences.open_licence_publish(declaration_id=draft.pk, actor=staff)
    with pytest.raises(RuleViolation) as standing:
        create(holder, patent)
    assert codes(standing) == ["open_licence_already_declared"]


def test_withdrawal_is_announced_and_leaves_the_register(declaration, holder, buyer):
    with pytest.raises(ActionForbidden):
        open_licences.open_licence_withdraw(declaration_id=declaration.pk, actor=buyer)
    withdrawn = open_licences.open_licence_withdraw(declaration_id=declaration.pk, actor=holder, reason="转为独占许可")
    assert withdrawn.state == OpenLicenceState.WITHDRAWN
    assert withdrawn.withdrawal_announcement_number.startswith("CNKFCH")
    assert withdrawn.withdrawal_reason == "转为独占许可"
    assert not Encumbrance.objects.in_force().filter(patent=declaration.patent).exists()
    assert Listing.objects.get(pk=declaration.listing_id).state == ListingState.WITHDRAWN
    # withdrawing twice is refused (the caller learns it was withdrawn already) and changes nothing
    with pytest.raises(RuleViolation, match="已撤回"):
        open_licences.open_licence_withdraw(declaration_id=declaration.pk, actor=holder)
    declaration.refresh_from_db()
    assert declaration.withdrawal_announcement_number == withdrawn.withdrawal_announcement_number


def test_annual_fee_table_and_reduction_are_hand_computed():
    """Invention filed 2019-03-01; a declaration announced 2024-06-01 and withdrawn 2027-05-01.

    Years 7 (due 2025-03-01), 8 (2026-03-01) and 9 (2027-03-01) fall while it stands: year 7 and 8
    cost 2000 − 2000 × 15% = 2000 − 300.00 = 1700.00 each, year 9 too; year 6 (due 2024-03-01,
    before the announcement) 1200 in full; year 10 (2028-03-01, after withdrawal) 4000 in full.
    The 20 years in full: 3×900 + 3×1200 + 3×2000 + 3×4000 + 3×6000 + 5×8000 = 82,300.
    """
    rows = annual_fee_schedule(kind="invention", filing_date=dt.date(2019, 3, 1), term_years=20,
                               open_licence_windows=[(dt.date(2024, 6, 1), dt.date(2027, 5, 1))])
    by_year = {row.year: row for row in rows}
    assert len(rows) == 20 and sum(r.standard_fee for r in rows) == Decimal("82300.00")
    assert (by_year[6].due_date, by_year[6].payable, by_year[6].reduced) == (dt.date(2024, 3, 1), Decimal("1200.00"),
                                                                            False)
    for year in (7, 8, 9):
        assert (by_year[year].standard_fee, by_year[year].reduction, by_year[year].payable) == (
            Decimal("2000.00"), Decimal("300.00"), Decimal("1700.00"))
    assert by_year[10].payable == Decimal("4000.00") and by_year[20].standard_fee == Decimal("8000.00")
    design = annual_fee_schedule(kind="design", filing_date=dt.date(2022, 1, 4), term_years=15)
    assert [r.standard_fee for r in design][::5] == [Decimal("600.00"), Decimal("1200.00"), Decimal("3000.00")]


def test_the_patents_schedule_shows_the_reduction_while_the_declaration_stands(declaration, holder):
    today = timezone.localdate()
    rows = open_licences.annual_fee_schedule_for(declaration.patent)
    assert all(row.reduced == (row.due_date >= today) for row in rows)
    assert all(row.payable == row.standard_fee * Decimal("0.85") for row in rows if row.reduced)
    open_licences.open_licence_withdraw(declaration_id=declaration.pk, actor=holder)
    assert not any(row.reduced for row in open_licences.annual_fee_schedule_for(declaration.patent))


def test_an_organisation_without_patents_gets_a_clear_refusal(db):
    lone = UserFactory(organisation=OrganisationFactory())
    patent = PatentFactory()
    with pytest.raises(RuleViolation) as refused:
        create(lone, patent)
    assert codes(refused) == ["not_registered_holder"]


def test_the_holders_own_open_licence_listing_becomes_the_declarations(patent, holder, staff):
    from ..factories import ListingFactory

    listing = ListingFactory(organisation=holder.organisation, created_by=holder, mode=ListingMode.OPEN_LICENCE,
                             patents=[patent], asking_price=Decimal("99.00"))
    declaration = declare(holder, staff, patent)
    assert declaration.listing_id == listing.pk and Listing.objects.count() == 1
    listing.refresh_from_db()
    assert listing.asking_price == Decimal("12000.00") and "年许可费 ¥12,000.00" in listing.terms
