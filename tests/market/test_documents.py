"""Deal documents: rendered from the deal's real data, numbered, hashed, immutable, corrected by new versions."""

import datetime as dt
import hashlib
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.utils import timezone

from market.documents.issue import document_render
from market.documents.numerals import rmb_upper
from market.models import (
    Consent,
    ConsentCapacity,
    ConsentPurpose,
    Document,
    DocumentKind,
    DocumentState,
    Escrow,
    EscrowState,
    TransitionLog,
)
from market.rules import RuleViolation
from market.services.documents import document_reissue, document_request, document_verify, documents_for
from market.tasks import document_render_task
from market.transfers.models import DealState, TransferDeal

from ..factories import ListingFactory, PatentFactory, UserFactory, pledge

# The timeline every test deal follows (Asia/Shanghai), and the state each step reaches.
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
STEPS = [
    (DealState.AGREED, T0),
    (DealState.SIGNED, T0 + dt.timedelta(days=1)),
    (DealState.PAID, T0 + dt.timedelta(days=2)),
    (DealState.FILED, T0 + dt.timedelta(days=3)),
    (DealState.REGISTERED, T0 + dt.timedelta(days=20)),
    (DealState.CLOSED, T0 + dt.timedelta(days=21)),
]
REACHED = {state: [s for s, _ in STEPS[: i + 1]] for i, (state, _) in enumerate(STEPS)}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def parties(holder_org, buyer_org):
    holder_org.address = "杭州市滨江区江南大道3888号"
    holder_org.save()
    buyer_org.address = "宁波市鄞州区首南街道天童南路588号"
    buyer_org.save()
    return holder_org, buyer_org


def transfer_deal(seller, buyer, state: str, *, patents=None, price=Decimal("500000.00")) -> TransferDeal:
    """A deal in ``state`` with the fields and log rows the earlier steps leave (built through the ORM)."""
    patents = patents or [PatentFactory(holders=[seller], title="一种锂电池隔膜及其制备方法",
                                        ipc_codes=["H01M50/403", "H01M10/052"])]
    listing = ListingFactory(organisation=seller, created_by=UserFactory(organisation=seller), patents=patents)
    reached = REACHED[state]
    at = dict(STEPS)
    fields = {}
    if DealState.SIGNED in reached:
        fields.update(seller_signed_at=at[DealState.SIGNED] - dt.timedelta(hours=2),
                      buyer_signed_at=at[DealState.SIGNED])
    if DealState.PAID in reached:
        fields["escrow"] = Escrow.objects.create(reference=f"ZT-test-{listing.pk}", payer=buyer, payee=seller,
                                                 amount=price, state=EscrowState.HELD, held_at=at[DealState.PAID])
    if DealState.FILED in reached:
        fields.update(filed_at=at[DealState.FILED], registration_fee=Decimal("200.00") * len(patents),
                      fee_due_date=(at[DealState.FILED] + dt.timedelta(days=30)).date())
    if DealState.REGISTERED in reached:
        fields.update(fee_paid_at=at[DealState.FILED] + dt.timedelta(days=1), registered_at=at[DealState.REGISTERED],
                      registration_number="BG20260322000001")
    if DealState.CLOSED in reached:
        fields["closed_at"] = at[DealState.CLOSED]
    deal = TransferDeal.objects.create(listing=listing, seller=seller, buyer=buyer, state=state, price=price,
                                       created_by=listing.created_by, **fields)
    deal.patents.set(patents)
    previous = DealState.NEGOTIATING
    for step in reached:
        TransitionLog.objects.create(content_type=ContentType.objects.get_for_model(deal), object_id=deal.pk,
                                     transition=step, from_state=previous, to_state=step, at=at[step])
        previous = step
    return deal


def issue(capture, **kwargs) -> Document:
    """Request a document and run the render the request queues after commit."""
    with capture(execute=True):
        document = document_request(**kwargs)
    document.refresh_from_db()
    return document


def file_bytes(document: Document) -> bytes:
    """The stored file's bytes, read from disk."""
    return Path(document.file.path).read_bytes()


def pdf_text(document: Document) -> str:
    """The PDF's text (poppler's pdftotext) with all whitespace removed, so wrapped lines join."""
    out = subprocess.run(["pdftotext", "-layout", document.file.path, "-"], check=True, capture_output=True,
                         text=True).stdout
    return re.sub(r"\s+", "", out)


# -- capital numerals ----------------------------------------------------------------------------
@pytest.mark.parametrize(("amount", "upper"), [
    ("500000.00", "人民币伍拾万元整"),
    ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
    ("100.05", "人民币壹佰元零伍分"),
    ("1000.50", "人民币壹仟元伍角整"),
    ("0.05", "人民币伍分"),
    ("0", "人民币零元整"),
    ("10", "人民币壹拾元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("105000", "人民币壹拾万伍仟元整"),
    ("100100", "人民币壹拾万零壹佰元整"),
    ("1000001", "人民币壹佰万零壹元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("123456789012.34", "人民币壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    ("1234500000000", "人民币壹万贰仟叁佰肆拾伍亿元整"),
    ("0.005", "人民币壹分"),  # rounded half-up to the fen first
])
def test_rmb_upper_case(amount, upper):
    assert rmb_upper(Decimal(amount)) == upper


def test_rmb_upper_refuses_negative_amounts():
    with pytest.raises(ValueError, match="负数"):
        rmb_upper(Decimal("-1.00"))


# -- the three documents -------------------------------------------------------------------------
def test_contract_shows_the_deals_real_data(parties, django_capture_on_commit_callbacks):
    seller, buyer = parties
    deal = transfer_deal(seller, buyer, DealState.SIGNED)
    patent = deal.patents.get()

    document = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    assert document.state == DocumentState.ISSUED
    text = pdf_text(document)
    for expected in [
        "专利权转让合同", "浙江知识产权交易中心", document.number, deal.number,
        seller.name, seller.credit_code, "杭州市滨江区江南大道3888号", "杭州",
        buyer.name, buyer.credit_code, "宁波市鄞州区首南街道天童南路588号", "宁波",
        patent.title, patent.application_number, patent.patent_number, "发明", "2019-03-01", "2021-06-01",
        "H01M50/403", "¥500,000.00", "人民币伍拾万元整", "资金托管", "国家知识产权局登记之日起生效",
        "2026年3月3日08:00", "2026年3月3日10:00", "第1页/共", "第1版",
    ]:
        assert expected in text, expected
    assert "质权人" not in text  # no pledge, no pledgee clause


def test_contract_of_a_pledged_patent_has_the_pledgee_consent_clause(parties, bank_org, bank_officer,
                                                                     django_capture_on_commit_callbacks):
    seller, buyer = parties
    patent = PatentFactory(holders=[seller])
    pledge(patent, bank_org, registration_number="ZX2025330000123", secured_amount=Decimal("300000.00"))
    deal = transfer_deal(seller, buyer, DealState.SIGNED, patents=[patent])
    Consent.objects.create(patent=patent, organisation=bank_org, capacity=ConsentCapacity.PLEDGEE,
                           purpose=ConsentPurpose.TRANSFER, deal=deal, given_by=bank_officer,
                           given_at=T0 + dt.timedelta(hours=5))

    text = pdf_text(issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT))

    for expected in ["质权人同意", bank_org.name, "ZX2025330000123", "¥300,000.00", "2026年3月2日15:00",
                     "第四百四十四条"]:
        assert expected in text, expected


def test_change_request_is_one_per_patent_with_before_and_after(parties, bank_org, bank_officer,
                                                                django_capture_on_commit_callbacks):
    seller, buyer = parties
    first, second = PatentFactory(holders=[seller]), PatentFactory(holders=[seller], title="一种固态电解质")
    pledge(second, bank_org)
    deal = transfer_deal(seller, buyer, DealState.FILED, patents=[first, second])
    Consent.objects.create(patent=second, organisation=bank_org, capacity=ConsentCapacity.PLEDGEE,
                           purpose=ConsentPurpose.TRANSFER, deal=deal, given_by=bank_officer)
    contract = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    requests = [issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.CHANGE_REQUEST, patent=p)
                for p in (first, second)]

    assert [r.patent for r in requests] == [first, second]
    texts = [pdf_text(r) for r in requests]
    for patent, text in zip((first, second), texts, strict=True):
        for expected in ["著录项目变更申报书", patent.application_number, patent.patent_number, patent.title,
                         "专利权人", seller.name, "杭州市滨江区江南大道3888号", buyer.name,
                         "宁波市鄞州区首南街道天童南路588号", f"专利权转让合同（编号{contract.number}）",
                         "¥200.00", "人民币贰佰元整", "2026年4月4日"]:
            assert expected in text, expected
    assert "质权人" not in texts[0]
    assert f"质权人{bank_org.name}同意转让的书面证明" in texts[1]
    assert first.application_number not in texts[1]


def test_certificate_shows_the_key_dates_and_registration(parties, django_capture_on_commit_callbacks):
    seller, buyer = parties
    deal = transfer_deal(seller, buyer, DealState.CLOSED, price=Decimal("1680000.50"))
    patent = deal.patents.get()

    document = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.DEAL_CERTIFICATE)

    text = pdf_text(document)
    for expected in ["交易鉴证书", document.number, deal.number, seller.name, buyer.name, patent.patent_number,
                     "¥1,680,000.50", "人民币壹佰陆拾捌万元伍角整", "2026年3月2日10:00", "2026年3月3日10:00",
                     "2026年3月4日10:00", "2026年3月5日10:00", "2026年3月22日10:00", "2026年3月23日10:00",
                     "BG20260322000001", "予以鉴证"]:
        assert expected in text, expected


# -- numbers, hashes, immutability ---------------------------------------------------------------
def test_numbers_are_unique_and_follow_the_format(parties, django_capture_on_commit_callbacks):
    seller, buyer = parties
    deal = transfer_deal(seller, buyer, DealState.CLOSED,
                         patents=[PatentFactory(holders=[seller]), PatentFactory(holders=[seller])])
    other = transfer_deal(seller, buyer, DealState.SIGNED)
    with django_capture_on_commit_callbacks():  # numbering happens at request time; no rendering needed
        documents = [document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT),
                     *[document_request(deal=deal, kind=DocumentKind.CHANGE_REQUEST, patent=p)
                       for p in deal.patents.all()],
                     document_request(deal=deal, kind=DocumentKind.DEAL_CERTIFICATE),
                     document_request(deal=other, kind=DocumentKind.TRANSFER_CONTRACT)]

    numbers = [d.number for d in documents]
    assert len(set(numbers)) == 5
    year = timezone.localdate().year
    assert [n[-2:] for n in numbers] == ["HT", "BG", "BG", "JZ", "HT"]
    for document in documents:
        assert document.number == f"ZJIP-ZT-{year}-{document.pk:06d}-{document.number[-2:]}"
        assert Document.objects.get(pk=document.pk).number == document.number


def test_sha256_and_size_are_those_of_the_stored_bytes(parties, django_capture_on_commit_callbacks):
    deal = transfer_deal(*parties, DealState.SIGNED)

    document = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    data = file_bytes(document)
    assert data.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.issued_at is not None
    assert document.file.name.startswith(f"documents/{timezone.localdate(document.issued_at):%Y/%m}/{document.number}-")
    log = TransitionLog.for_object(document).get()
    assert (log.transition, log.from_state, log.to_state) == ("issue", "pending", "issued")


def test_request_twice_returns_the_same_document(parties, django_capture_on_commit_callbacks):
    deal = transfer_deal(*parties, DealState.SIGNED)
    first = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    assert again.pk == first.pk
    assert callbacks == []  # an issued document is not queued again
    assert Document.objects.for_deal(deal).count() == 1


def test_a_document_whose_task_was_lost_is_queued_again_by_a_new_request(parties,
                                                                         django_capture_on_commit_callbacks):
    deal = transfer_deal(*parties, DealState.SIGNED)
    with django_capture_on_commit_callbacks():  # the callbacks are dropped: as if the broker lost the task
        lost = document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    again = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    assert (again.pk, again.state) == (lost.pk, DocumentState.ISSUED)


def test_rendering_again_changes_nothing(parties, media, django_capture_on_commit_callbacks):
    deal = transfer_deal(*parties, DealState.SIGNED)
    document = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)
    before = (document.file.name, file_bytes(document), document.sha256, document.issued_at)
    deal.price = Decimal("1.00")  # even if the deal changed, an issued document is immutable
    deal.save()

    document_render(document_id=document.pk)
    assert document_render_task.delay(document.pk).get() == DocumentState.ISSUED

    document.refresh_from_db()
    assert (document.file.name, file_bytes(document), document.sha256, document.issued_at) == before
    assert TransitionLog.for_object(document).count() == 1
    assert len(list(media.rglob("*.pdf"))) == 1


@pytest.mark.parametrize(("state", "kind"), [
    (DealState.AGREED, DocumentKind.TRANSFER_CONTRACT),
    (DealState.PAID, DocumentKind.CHANGE_REQUEST),
    (DealState.REGISTERED, DocumentKind.DEAL_CERTIFICATE),
    (DealState.CANCELLED, DocumentKind.TRANSFER_CONTRACT),
], ids=["contract_before_signing", "change_request_before_filing", "certificate_before_closing", "cancelled"])
def test_refused_before_the_deal_reaches_the_document_case(parties, state, kind):
    deal = transfer_deal(*parties, state if state != DealState.CANCELLED else DealState.AGREED)
    if state == DealState.CANCELLED:
        TransferDeal.objects.filter(pk=deal.pk).update(state=DealState.CANCELLED)
    patent = deal.patents.get() if kind == DocumentKind.CHANGE_REQUEST else None

    with pytest.raises(RuleViolation, match="不能出具该文书"):
        document_request(deal=deal, kind=kind, patent=patent)

    assert not Document.objects.exists()


def test_change_request_needs_a_patent_of_the_deal(parties):
    deal = transfer_deal(*parties, DealState.FILED)
    with pytest.raises(ValueError, match="needs patent"):
        document_request(deal=deal, kind=DocumentKind.CHANGE_REQUEST)
    with pytest.raises(ValueError, match="not part of deal"):
        document_request(deal=deal, kind=DocumentKind.CHANGE_REQUEST, patent=PatentFactory())
    with pytest.raises(ValueError, match="takes no patent"):
        document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT, patent=deal.patents.get())
    assert not Document.objects.exists()


# -- failures and retries ------------------------------------------------------------------------
def test_storage_failure_marks_failed_retries_and_a_new_request_heals(parties, settings, media,
                                                                      django_capture_on_commit_callbacks):
    deal = transfer_deal(*parties, DealState.SIGNED)
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_text("a file where the media directory should be")  # every write is an OSError

    with django_capture_on_commit_callbacks(execute=True):  # the task's error is logged, not raised
        document = document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    document.refresh_from_db()
    assert document.state == DocumentState.FAILED
    assert document.error.startswith(("NotADirectoryError", "FileExistsError"))
    with pytest.raises(Retry):  # an OSError can heal: the task asks to be retried (eager mode: raised)
        document_render_task.delay(document.pk)
    assert TransitionLog.for_object(document).filter(transition="fail").count() == 2

    media.unlink()
    again = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    assert again.pk == document.pk
    assert again.state == DocumentState.ISSUED
    assert again.error == ""
    assert hashlib.sha256(file_bytes(again)).hexdigest() == again.sha256


def test_an_error_that_cannot_heal_is_not_retried(parties, django_capture_on_commit_callbacks):
    deal = transfer_deal(*parties, DealState.SIGNED)
    with django_capture_on_commit_callbacks():
        document = document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)
    Document.objects.filter(pk=document.pk).update(kind="no_such_kind")  # no template for this kind

    with pytest.raises(KeyError):  # raised as it is, not as a Retry
        document_render_task.delay(document.pk)

    document.refresh_from_db()
    assert document.state == DocumentState.FAILED
    assert TransitionLog.for_object(document).filter(transition="fail").count() == 1


# -- corrections ---------------------------------------------------------------------------------
def test_reissue_makes_a_new_version_that_supersedes_the_old(parties, staff, django_capture_on_commit_callbacks):
    seller, buyer = parties
    deal = transfer_deal(seller, buyer, DealState.SIGNED)
    old = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)
    old_bytes = file_bytes(old)
    buyer.address = "宁波市北仑区新碶街道明州路1号"
    buyer.save()

    with django_capture_on_commit_callbacks(execute=True):
        new = document_reissue(document_id=old.pk, reason="受让方地址有误", actor=staff)
    new.refresh_from_db()
    old.refresh_from_db()

    assert (new.version, new.number, new.supersedes) == (2, f"{old.number}-v2", old)
    assert new.state == DocumentState.ISSUED
    assert "宁波市北仑区新碶街道明州路1号" in pdf_text(new)
    assert f"取代编号为{old.number}的第1版文件" in pdf_text(new)
    assert old.state == DocumentState.ISSUED and not old.is_current and new.is_current
    assert file_bytes(old) == old_bytes  # the old file stays, unchanged
    log = TransitionLog.for_object(old).get(transition="supersede")
    assert (log.reason, log.actor) == ("受让方地址有误", staff)
    assert [d.pk for d in documents_for(deal)] == [new.pk, old.pk]
    result = document_verify(code=old.verification_code)
    assert (result.found, result.is_current, result.current_document) == (True, False, new)
    assert result.outcome == "superseded"
    assert new.verification_code != old.verification_code
    # asking again for the contract gives the current version, not a third one
    assert document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT).pk == new.pk

    with django_capture_on_commit_callbacks(execute=True):
        third = document_reissue(document_id=new.pk, reason="再次更正")
    third.refresh_from_db()
    assert (third.version, third.number) == (3, f"{old.number}-v3")


def test_reissue_is_refused_for_a_superseded_or_unissued_version_or_without_reason(
        parties, django_capture_on_commit_callbacks):
    deal = transfer_deal(*parties, DealState.SIGNED)
    old = issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)
    with django_capture_on_commit_callbacks():
        pending = document_reissue(document_id=old.pk, reason="更正")  # not rendered: stays pending

    with pytest.raises(RuleViolation, match="已被"):
        document_reissue(document_id=old.pk, reason="更正")
    with pytest.raises(RuleViolation, match="只有已签发的文书"):
        document_reissue(document_id=pending.pk, reason="更正")
    with pytest.raises(RuleViolation, match="更正原因"):
        document_reissue(document_id=pending.pk, reason="  ")
    assert Document.objects.count() == 2


# -- the documents the deal services issue -------------------------------------------------------
def test_a_deal_run_through_the_services_issues_all_its_documents(parties, holder, buyer, staff,
                                                                  django_capture_on_commit_callbacks):
    from market.transfers import services as deals

    seller_org, _ = parties
    listing = ListingFactory(organisation=seller_org, created_by=holder,
                             patents=[PatentFactory(holders=[seller_org]), PatentFactory(holders=[seller_org])])
    with django_capture_on_commit_callbacks(execute=True):
        pk = deals.deal_open(listing_id=listing.pk, actor=buyer, price="480000.00").pk
        deals.deal_accept(deal_id=pk, actor=holder)
        deals.deal_sign(deal_id=pk, actor=holder)
        deals.deal_sign(deal_id=pk, actor=buyer)
        deals.deal_pay(deal_id=pk, actor=buyer, idempotency_key="pay-1")
        deals.deal_file_registration(deal_id=pk, actor=holder)
        deals.deal_pay_registration_fee(deal_id=pk, actor=buyer, idempotency_key="fee-1")
        deals.deal_register(deal_id=pk, actor=staff)
        deals.deal_release(deal_id=pk, actor=staff)
    deal = TransferDeal.objects.get(pk=pk)

    documents = list(documents_for(deal))
    assert sorted(d.kind for d in documents) == sorted([DocumentKind.TRANSFER_CONTRACT, DocumentKind.CHANGE_REQUEST,
                                                        DocumentKind.CHANGE_REQUEST, DocumentKind.DEAL_CERTIFICATE])
    assert {d.state for d in documents} == {DocumentState.ISSUED}
    certificate = next(d for d in documents if d.kind == DocumentKind.DEAL_CERTIFICATE)
    text = pdf_text(certificate)
    for expected in ["¥480,000.00", "人民币肆拾捌万元整", deal.registration_number, seller_org.name, buyer.organisation.name]:
        assert expected in text, expected


def test_filing_again_after_a_lapse_corrects_the_change_request(parties, holder, buyer, staff,
                                                                 django_capture_on_commit_callbacks):
    import datetime as dt

    from market.transfers import services as deals

    seller_org, _ = parties
    listing = ListingFactory(organisation=seller_org, created_by=holder)
    with django_capture_on_commit_callbacks(execute=True):
        pk = deals.deal_open(listing_id=listing.pk, actor=buyer, price="100000.00").pk
        deals.deal_accept(deal_id=pk, actor=holder)
        deals.deal_sign(deal_id=pk, actor=holder)
        deals.deal_sign(deal_id=pk, actor=buyer)
        deals.deal_pay(deal_id=pk, actor=buyer, idempotency_key="pay-1")
        first_due = deals.deal_file_registration(deal_id=pk, actor=holder).fee_due_date
    with django_capture_on_commit_callbacks(execute=True):
        deals.deals_lapse_unpaid_filings(today=first_due + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True), time_machine_days(40):
        deals.deal_file_registration(deal_id=pk, actor=holder)
    deal = TransferDeal.objects.get(pk=pk)
    requests = list(documents_for(deal).filter(kind=DocumentKind.CHANGE_REQUEST).order_by("version"))
    assert [d.version for d in requests] == [1, 2]
    assert requests[1].supersedes == requests[0] and not requests[0].is_current
    due = deal.fee_due_date
    assert f"{due.year}年{due.month}月{due.day}日" in pdf_text(requests[1])
    assert deal.fee_due_date != first_due


def time_machine_days(days):
    """Shift django.utils.timezone.now/localdate by ``days`` (the fee due date follows today's date)."""
    import contextlib
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    real_now = timezone.now

    @contextlib.contextmanager
    def shifted():
        later = real_now() + dt.timedelta(days=days)
        with mock.patch("django.utils.timezone.now", lambda: later), \
                mock.patch("django.utils.timezone.localdate", lambda *a, **k: timezone.localtime(later).date()):
            yield

    return shifted()


# -- concurrency and the real worker -------------------------------------------------------------
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL test")
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_create_one_document(parties):
    deal = transfer_deal(*parties, DealState.SIGNED)
    barrier = threading.Barrier(4)

    def request(_):
        try:
            barrier.wait()
            return document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        pks = list(pool.map(request, range(4)))

    assert len(set(pks)) == 1
    document = Document.objects.get()
    assert (document.pk, document.state) == (pks[0], DocumentState.ISSUED)  # rendered once, after the commit


@pytest.mark.celery_worker
def test_a_real_worker_renders_the_document(celery_worker_process, parties):
    seller, buyer = parties
    deal = transfer_deal(seller, buyer, DealState.SIGNED)

    document = document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)  # commits: queued to the worker

    deadline = time.monotonic() + 60
    while document.state == DocumentState.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        document.refresh_from_db()
    assert document.state == DocumentState.ISSUED, celery_worker_process.log()
    assert hashlib.sha256(file_bytes(document)).hexdigest() == document.sha256
    assert seller.name in pdf_text(document) and buyer.name in pdf_text(document)
