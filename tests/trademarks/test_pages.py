"""The bank's book counts loans on marks and on patents apart and together, and filters by kind of right."""

import re

from django.test import Client

from market.pledges.models import PledgeLoanState
from tests.pledges import steps as pledge_steps

from ..factories import PatentFactory, trademark


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


def test_staff_see_similar_marks_and_record_a_decision_that_the_rules_follow(holder, staff):
    from market.models import MarkSimilarity
    from market.rules.transfer import package_transfer_blockers

    tea = trademark("丽水山耕", groups=("3002",), holders=[holder.organisation])
    near = trademark("丽水山耕园", groups=("3002", "3001"), holders=[holder.organisation])
    assert [r.code for r in package_transfer_blockers([tea], seller=holder.organisation)] == [
        "mark_similarity_undecided"]
    outsider = Client()
    outsider.force_login(holder)
    assert outsider.get(f"/staff/marks/{tea.pk}/").status_code == 403
    assert outsider.post(f"/staff/marks/{tea.pk}/similar/{near.pk}/",
                         {"similar": "no", "reason": "x"}).status_code == 403
    client = Client()
    client.force_login(staff)
    listed = client.get("/staff/marks/", {"q": "山耕"}).content.decode()
    assert tea.application_number in listed and near.application_number in listed
    page = client.get(f"/staff/marks/{tea.pk}/").content.decode()
    similar = page.split('id="similar"')[1]
    assert near.application_number in similar and "3002" in similar
    refused = client.post(f"/staff/marks/{tea.pk}/similar/{near.pk}/", {"similar": "no", "reason": ""}, follow=True)
    assert not MarkSimilarity.objects.exists() and refused.status_code == 200
    client.post(f"/staff/marks/{tea.pk}/similar/{near.pk}/", {"similar": "no", "reason": "“园”字使整体含义不同"})
    decision = MarkSimilarity.objects.get()
    assert decision.similar is False and decision.decided_by == staff
    assert "“园”字使整体含义不同" in client.get(f"/staff/marks/{tea.pk}/").content.decode()
    assert package_transfer_blockers([tea], seller=holder.organisation) == []


def test_the_register_api_gives_a_marks_goods_and_term(holder_org):
    from rest_framework.test import APIClient

    mark = trademark("丽水山耕", groups=("3002",), holders=[holder_org])
    data = APIClient().get(f"/api/v1/patents/{mark.pk}/").json()
    assert data["kind"] == "trademark" and data["patent_number"] == f"第{mark.application_number}号"
    assert data["mark"]["nice_classes"] == [30] and data["mark"]["similar_groups"] == ["3002"]
    assert data["mark"]["valid_until"] == mark.expiry_date.isoformat()
    patents = APIClient().get("/api/v1/patents/", {"kind": "trademark"}).json()
    assert [row["id"] for row in patents["results"]] == [mark.pk]
