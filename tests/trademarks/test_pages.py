"""The bank's book counts loans on marks and on patents apart and together, and filters by kind of right."""

import re

import pytest
from django.test import Client

from market.pledges.models import PledgeLoanState
from tests.pledges import steps as pledge_steps

from ..factories import PatentFactory, trademark


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_banks_book_counts_marks_and_patents_apart_and_together(holder, bank_org, bank_officer):
    mark_loan = pledge_steps.apply(holder, bank_org, [trademark(holders=[holder.organisation])], amount="300000")
    patent_loan = pledge_steps.apply(holder, bank_org, [PatentFactory(holders=[holder.organisation])],
                                     amount="500000")
    for loan in (mark_loan, patent_loan):
        pledge_steps.advance(loan, to=PledgeLoanState.APPROVED, holder=holder, bank_officer=bank_officer)
    client = Client()
    client.force_login(bank_officer)
    html = client.get("/bank/loans/").content.decode()
    book = re.sub(r"\s+", " ", html.split('class="table compact book-by-right"')[1].split("</table>")[0])
    assert "专利</td><td class=\"num\">1</td><td class=\"num\">¥500,000.00" in book
    assert "注册商标</td><td class=\"num\">1</td><td class=\"num\">¥300,000.00" in book
    assert "合计</td><td class=\"num\">2</td><td class=\"num\">¥800,000.00" in book
    marks_only = client.get("/bank/loans/", {"right": "trademark"}).content.decode()
    assert mark_loan.number in marks_only and patent_loan.number not in marks_only
    patents_only = client.get("/bank/loans/", {"right": "patent"}).content.decode()
    assert patent_loan.number in patents_only and mark_loan.number not in patents_only
