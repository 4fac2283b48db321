"""manage.py seed_demo: every role, organisations across Zhejiang, listings and deals; a second run adds nothing."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from market.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from market.demo.datafiles import CNKI_SUBSET_FILE, DEMO_DATA_DIR, DEMO_FILES, KPPATENT_FILE
from market.demo.history import HISTORY, HISTORY_LISTING
from market.demo.seed import index_for_search
from market.models import (
    Claim,
    ClaimState,
    Document,
    Encumbrance,
    EncumbranceKind,
    EscrowState,
    LedgerEntry,
    LegalStatus,
    Listing,
    ListingMode,
    ListingState,
    Organisation,
    OrganisationKind,
    Patent,
    PatentKind,
    PatentOwner,
    RegisterEvent,
    TransitionLog,
    User,
)
from market.regions import ZHEJIANG_CODES
from market.services.ledger import ledger_problems
from market.transfers.models import DealState, TransferDeal
from market.validators import validate_credit_code

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MODELS = (Organisation, User, Patent, PatentOwner, Encumbrance, Listing, TransferDeal, TransitionLog, LedgerEntry,
          Document)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--no-search", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the module (about 4 s); each test runs in a savepoint inside this transaction.

    Module scope runs before the suite's autouse fast-hasher fixture, so the same hasher is set here.
    """
    with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS),
          transaction.atomic()):
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_it_ships_small_demo_files_only():
    shipped = sorted(p.name for p in DEMO_DATA_DIR.iterdir() if p.suffix == ".gz")
    assert shipped == sorted(DEMO_FILES)
    assert sum(p.stat().st_size for p in DEMO_DATA_DIR.iterdir()) < 3 * 1024 * 1024


def test_it_is_idempotent_and_prints_the_accounts_every_run(seeded):
    before = counts()

    second = seed()

    assert counts() == before
    assert "机构 organisations +0，账号 accounts +0" in second
    assert "挂牌 listings +0，转让交易 transfer deals +0" in second
    for output in (seeded, second):
        assert f"密码 password: {DEMO_PASSWORD}" in output
        for account in DEMO_ACCOUNTS:
            assert f" {account.username} " in output


def test_it_creates_an_account_for_every_role_with_the_demo_password(seeded):
    kinds = Counter()
    for account in DEMO_ACCOUNTS:
        user = User.objects.select_related("organisation").get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        kinds[user.organisation.kind] += 1
    assert set(kinds) == set(OrganisationKind.values)
    assert kinds[OrganisationKind.BANK] == 2
    validate_password(DEMO_PASSWORD)  # the demo's password passes the validators every user's must
    assert User.objects.get(username="staff").is_centre_staff


def test_its_organisations_have_valid_codes_across_zhejiang(seeded):
    demo = Organisation.objects.filter(users__isnull=False).distinct()
    for org in demo:
        validate_credit_code(org.credit_code)
        assert org.verified and org.address.startswith("【演示数据】")
    assert len({org.city for org in demo} & ZHEJIANG_CODES) >= 5
    university = Organisation.objects.get(kind=OrganisationKind.UNIVERSITY, users__username="university")
    assert university.is_public_institution and "大学" in university.name
    assert Organisation.objects.get(kind=OrganisationKind.TRADING_CENTRE).name == "浙江知识产权交易中心"


def test_it_imports_the_shipped_records_with_generated_fields_marked(seeded):
    kpp = Patent.objects.filter(source__startswith=f"{KPPATENT_FILE}#")
    assert kpp.count() == 693  # 696 records, 3 without a title after the OCR header is cut
    assert Patent.objects.filter(source__startswith=f"{CNKI_SUBSET_FILE}#").count() == 454
    assert not kpp.filter(ownerships__isnull=True).exists()
    for patent in kpp[:50]:
        assert {"application_number", "legal_status", "owners"} <= set(patent.demo_generated_fields)
    co_owned = [p for p in kpp.prefetch_related("ownerships") if len(p.ownerships.all()) > 1]
    assert len(co_owned) == 4


def test_it_records_encumbrances_on_demo_patents(seeded):
    kinds = dict(Encumbrance.objects.values_list("kind", "beneficiary__kind"))
    assert kinds == {EncumbranceKind.ORDINARY_LICENCE: OrganisationKind.ENTERPRISE,
                     EncumbranceKind.PLEDGE: OrganisationKind.BANK, EncumbranceKind.OWNERSHIP_DISPUTE: None,
                     EncumbranceKind.OPEN_LICENCE: None}  # the open-licence declarations (market/demo/licences.py)
    pledge = Encumbrance.objects.get(kind=EncumbranceKind.PLEDGE, pledge_loan_patent__isnull=True)  # not a demo loan's
    assert pledge.secured_amount == Decimal("3000000.00") and pledge.registration_number



def test_the_registers_facts_arrive_through_its_feed_and_holders_join_by_claims(seeded):
    overdue = Patent.objects.get(annual_fee_overdue=True)
    lapsed = Patent.objects.get(pk=RegisterEvent.objects.get(key__startswith="demo-lapse:").right_id)
    assert lapsed.legal_status == LegalStatus.LAPSED
    contested = Patent.objects.get(invalidation_pending=True)
    disputed = Encumbrance.objects.get(kind=EncumbranceKind.OWNERSHIP_DISPUTE).patent
    for patent, kind in ((overdue, "fee_overdue"), (lapsed, "lapse"), (contested, "invalidation_requested"),
                         (disputed, "dispute")):
        event = RegisterEvent.objects.get(right_id=patent.pk, kind=kind)
        assert event.source.startswith("demo register feed")
    kpp = Patent.objects.filter(source__startswith=f"{KPPATENT_FILE}#")
    assert not PatentOwner.objects.filter(patent__in=kpp, organisation__isnull=True).exists()  # every demo holder claimed
    marks = Patent.objects.filter(kind=PatentKind.TRADEMARK)
    assert Claim.objects.filter(state=ClaimState.ACCEPTED).count() == PatentOwner.objects.filter(
        patent__in=kpp).count() + PatentOwner.objects.filter(patent__in=marks).count()
    co_owned = PatentOwner.objects.filter(patent__in=kpp, share__isnull=False)
    assert sorted({str(row.share) for row in co_owned}) == ["40.00", "60.00"]
    cnki = PatentOwner.objects.filter(patent__source__startswith=f"{CNKI_SUBSET_FILE}#")
    assert cnki.exists() and not cnki.filter(organisation__isnull=False).exists()  # on the register, not on the platform


def test_its_published_listings_are_priced_in_cny_across_modes_cities_and_industries(seeded):
    published = Listing.objects.filter(state=ListingState.PUBLISHED).select_related("organisation")
    planned = Listing.objects.exclude(title=HISTORY_LISTING)
    assert planned.count() == 65  # the planned 60, the pledged patent sold and 4 of the demo marks
    assert published.count() == 54
    for listing in published:
        assert isinstance(listing.asking_price, Decimal)
        assert listing.asking_price.as_tuple().exponent == -2 and listing.asking_price > 0
    assert {listing.mode for listing in published} == set(ListingMode.values)
    assert len({listing.organisation.city for listing in published}) >= 5
    assert len({p.industry for listing in published for p in listing.patents.all()}) >= 3
    states = Counter(planned.values_list("state", flat=True))
    assert states[ListingState.SUBMITTED] == 3 and states[ListingState.CLOSED] == 4  # 3 deals and the pledged sale
    assert {ListingState.DRAFT, ListingState.REJECTED, ListingState.WITHDRAWN} <= set(states)


def test_its_deals_reach_every_state_and_four_close(seeded):
    states = Counter(TransferDeal.objects.exclude(demo_key=HISTORY).values_list("state", flat=True))
    assert states == {DealState.CLOSED: 4, DealState.NEGOTIATING: 1, DealState.AGREED: 1, DealState.PUBLICISED: 1,
                      DealState.SIGNED: 1, DealState.PAID: 1, DealState.FILED: 1, DealState.REGISTERED: 1,
                      DealState.CANCELLED: 1}
    for deal in TransferDeal.objects.filter(state=DealState.CLOSED).exclude(demo_key=HISTORY).select_related(
            "escrow", "listing"):
        assert deal.escrow.state == EscrowState.RELEASED
        assert deal.listing.state == ListingState.CLOSED
        for patent in deal.patents.all():
            assert list(patent.owners.all()) == [deal.buyer]
    registered = TransferDeal.objects.filter(state__in=[DealState.CLOSED, DealState.REGISTERED]).exclude(
        demo_key=HISTORY)
    bought = Patent.objects.filter(transfer_deals__in=registered).distinct()
    assert set(User.objects.get(username="buyer").organisation.patents.all()) == set(bought)
    publicised = TransferDeal.objects.get(state=DealState.PUBLICISED)
    assert publicised.seller.kind == OrganisationKind.UNIVERSITY and publicised.publicity_required


def test_a_pledged_patent_sold_with_the_banks_consent_repaid_its_loan(seeded):
    from market.pledges.models import LoanRepayment, PledgeLoan, PledgeLoanState

    loan = PledgeLoan.objects.get(demo_key="sold")
    assert loan.state == PledgeLoanState.REPAID and loan.outstanding_principal() == 0
    repayment = LoanRepayment.objects.get(loan=loan, proceeds_of__startswith="ZT-")
    deal = TransferDeal.objects.get(escrow__reference=repayment.proceeds_of)
    assert deal.state == DealState.CLOSED and deal.buyer.name == User.objects.get(username="buyer").organisation.name
    assert ledger_problems() == []


def test_it_rebuilds_the_search_index_when_search_is_installed(seeded):
    assert index_for_search() == "搜索索引已重建 / search index rebuilt (search_reindex)"


def test_three_years_of_generated_history_fill_the_cockpit(seeded):
    import datetime as dt

    from django.utils import timezone

    from market.pledges.models import PledgeLoan, PledgeLoanState
    from stats.indicators import INDICATORS
    from stats.rollups import recount
    from stats.selectors import Query, table

    history = TransferDeal.objects.filter(demo_key=HISTORY)
    assert history.count() > 1000 and not history.exclude(state=DealState.CLOSED).exists()
    assert not PledgeLoan.objects.filter(demo_key=HISTORY, state__in=[PledgeLoanState.DISBURSED,
                                                                        PledgeLoanState.DEFAULTED]).exists()
    assert all(org.name.endswith("（演示）") for org in {d.seller for d in history[:50]})
    this_year = timezone.localdate().year
    yearly = table(Query(INDICATORS["deals"], "period", "year", start=dt.date(this_year - 2, 1, 1)))
    assert [row["key"] for row in yearly["rows"]] == [str(this_year - 2), str(this_year - 1), str(this_year)]
    assert all(row["value"] > 100 for row in yearly["rows"])
    deals = table(Query(INDICATORS["deals"], "city", "year"))
    assert len(deals["rows"]) >= 11 and deals["total"] > 1000
    assert recount() == []
    assert ledger_problems() == []
    # invented prices are no comparable deals for a valuation
    from market.extensions import providers
    closed = {deal.deal_id for deal in providers.transfers.closed(limit=10_000)}
    assert closed and not closed & set(history.values_list("pk", flat=True))


def test_the_demo_shows_generated_marks_beside_the_patents(seeded):
    marks = Patent.objects.filter(kind=PatentKind.TRADEMARK).select_related("mark")
    assert marks.count() == 10 and all(m.demo_generated_fields == ["*"] for m in marks)
    assert not PatentOwner.objects.filter(patent__in=marks, organisation__isnull=True).exists()
    listed = Listing.objects.filter(state=ListingState.PUBLISHED, patents__kind=PatentKind.TRADEMARK).distinct()
    assert {listing.mode for listing in listed} == {ListingMode.TRANSFER, ListingMode.LICENCE, ListingMode.PLEDGE}
    pair = listed.get(title="“云栖智联”注册商标转让")
    assert pair.patents.count() == 2  # identical marks on similar goods (group 0901) go together
