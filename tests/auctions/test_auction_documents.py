"""The auction announcement and the result confirmation: PDFs read back with pdftotext."""

import datetime as dt
import re
import subprocess

from django.utils import timezone

from market.auctions import services as auctions
from market.auctions.models import Auction
from market.models import Document, DocumentKind, DocumentState

from .conftest import bid, deposit, end_now


def pdf_text(document: Document) -> str:
    """The PDF's text with all whitespace removed, so wrapped lines join."""
    out = subprocess.run(["pdftotext", "-layout", document.file.path, "-"], check=True, capture_output=True,
                         text=True).stdout
    return re.sub(r"\s+", "", out)


def current(auction, kind) -> Document:
    return Document.objects.for_deal(auction).latest_versions().get(kind=kind)


def test_announcement_and_confirmation_carry_the_patents_parties_and_amounts(
        staff, lot, bank_org, holder_org, bidders, django_capture_on_commit_callbacks):
    a, b, _ = bidders
    with django_capture_on_commit_callbacks(execute=True):
        from .conftest import open_auction

        auction = open_auction(staff, lot, bank_org, holder_org)
    announcement = current(auction, DocumentKind.AUCTION_ANNOUNCEMENT)
    assert announcement.state == DocumentState.ISSUED and announcement.number.startswith("ZJIP-PM-")
    text = pdf_text(announcement)
    for expected in ("拍卖公告", lot[0].patent_number, lot[1].patent_number, bank_org.name, holder_org.name,
                     bank_org.credit_code, "¥200,000.00", "贰拾万元整", "¥10,000.00", "¥20,000.00", "¥300,000.00",
                     f"ZL-ZY-{lot[0].pk}", "第四百四十四条", "5分钟"):
        assert expected in text, expected

    deposit(auction, a), deposit(auction, b)
    bid(auction, a, "200000"), bid(auction, b, "350000"), bid(auction, a, "420000")
    end_now(auction)
    with django_capture_on_commit_callbacks(execute=True):
        auctions.auction_close(auction_id=auction.pk, actor=staff)
    confirmation = current(auction, DocumentKind.AUCTION_CONFIRMATION)
    text = pdf_text(confirmation)
    for expected in ("成交确认书", lot[0].patent_number, lot[1].patent_number, a.organisation.name,
                     a.organisation.credit_code, bank_org.name, holder_org.name, "¥420,000.00", "肆拾贰万元整",
                     "¥400,000.00",  # the balance after the deposit
                     "¥300,000.00", "¥120,000.00", "001"):  # claim first, the surplus to the holder; 竞买号
        assert expected in text, expected

    # a forfeit and an offer to the next bidder: a new version names the new buyer and supersedes the first
    Auction.objects.filter(pk=auction.pk).update(payment_due_at=timezone.now() - dt.timedelta(seconds=1))
    auctions.auction_forfeit(auction_id=auction.pk, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        auctions.auction_offer_next(auction_id=auction.pk, actor=staff)
    second = current(auction, DocumentKind.AUCTION_CONFIRMATION)
    assert second.version == 2 and second.supersedes_id == confirmation.pk and second.state == DocumentState.ISSUED
    text = pdf_text(second)
    for expected in (b.organisation.name, "¥350,000.00", "悔拍", "¥20,000.00",
                     "¥280,000.00", "¥70,000.00"):  # 300,000 − 20,000 forfeited; 350,000 − 280,000 to the holder
        assert expected in text, expected
