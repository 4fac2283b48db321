"""An auction of pledged marks: its lot holds the debtor's identical marks on similar goods together (Trademark
Law art. 42), the winner becomes the holder, and the change is filed on the trademark office's form."""

from decimal import Decimal

import pytest

from market.models import Document, Encumbrance, EncumbranceKind
from market.rules import RuleViolation
from market.services.ledger import ledger_problems
from market.transfers.models import TransferDeal
from tests.factories import pledge, trademark

from .conftest import CLAIM, auctions, open_auction
from .test_auction_documents import pdf_text
from .test_auction_flow import sold


@pytest.fixture
def marks(holder_org, bank_org):
    pair = [trademark("丽水山耕", groups=("3002",), holders=[holder_org]),
            trademark("丽水山耕", groups=("3002", "3202"), holders=[holder_org])]
    for mark in pair:
        pledge(mark, bank_org, secured_amount=CLAIM, registration_number=f"TM-ZY-{mark.pk}")
    return pair


def test_a_lot_leaving_out_an_identical_mark_on_similar_goods_is_refused(staff, marks, bank_org, holder_org):
    with pytest.raises(RuleViolation) as refused:
        open_auction(staff, marks[:1], bank_org, holder_org)
    assert [r.code for r in refused.value.reasons] == ["companion_mark_missing"]


def test_pledged_marks_are_auctioned_and_registered_to_the_winner(staff, marks, bank_org, holder_org, bidders,
                                                                  django_capture_on_commit_callbacks):
    auction = open_auction(staff, marks, bank_org, holder_org)
    sold(auction, staff, bidders[:1], "450000")
    auctions.auction_pay(auction_id=auction.pk, actor=bidders[0], idempotency_key="pay")
    with django_capture_on_commit_callbacks(execute=True):
        auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
    for mark in marks:
        assert list(mark.ownerships.values_list("organisation", flat=True)) == [bidders[0].organisation.pk]
        assert not Encumbrance.objects.in_force().filter(patent=mark, kind=EncumbranceKind.PLEDGE).exists()
    deal = TransferDeal.objects.get()
    request = pdf_text(Document.objects.for_deal(deal).filter(kind="change_request").first())
    assert "转让/移转申请/注册商标申请书" in request and bidders[0].organisation.name in request
    assert deal.price == Decimal("450000.00") and ledger_problems() == []
