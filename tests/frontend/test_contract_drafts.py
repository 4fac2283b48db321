"""Every contract is read before it is signed: while a transfer, a licence or a pledge contract awaits the
signatures, its parties open a draft PDF (the document's template with the agreed terms, marked 草稿, with
no number); nobody else does, and there is no draft once the contract is signed."""

import subprocess

from django.urls import reverse

from market.transfers import services as deals
from tests.pledges.steps import advance, apply, approve

from .conftest import client_for


def pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, check=True, capture_output=True)
    return "".join(out.stdout.decode().split())


def test_the_transfer_contract_is_read_before_signing(deal, holder, buyer, outsider, bank_officer):
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    page = client_for(buyer).get(reverse("frontend:deal_detail", args=[deal.pk])).content.decode()
    url = reverse("frontend:deal_contract_draft", args=[deal.pk])
    assert url in page and 'data-action="read_draft"' in page
    answer = client_for(buyer).get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "专利权转让合同" in text and "合同草稿" in text and "¥1,000,000.00" in text
    assert deal.listing.patents.first().application_number in text
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(bank_officer).get(url).status_code == 404  # not a party of this deal

    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)
    assert client_for(buyer).get(url).status_code == 403  # signed: the issued contract replaces the draft


def test_the_pledge_contract_is_read_before_signing(holder, bank_officer, patent):
    from market.pledges.services.applications import pledge_contract_draft

    loan = apply(holder, bank_officer.organisation, [patent])
    approve(loan, bank_officer)
    url = reverse("frontend:pledge_contract_draft", args=[loan.pk])
    assert client_for(holder).get(url).status_code == 403  # nothing drafted yet
    pledge_contract_draft(loan_id=loan.pk, actor=bank_officer)
    assert url in client_for(holder).get(reverse("frontend:pledge_detail", args=[loan.pk])).content.decode()
    text = pdf_text(client_for(holder).get(url).content)
    assert "专利权质押合同" in text and "合同草稿" in text and patent.application_number in text
    advance(loan, to="signed", holder=holder, bank_officer=bank_officer)
    assert client_for(holder).get(url).status_code == 403


def test_the_licence_contract_is_read_before_signing(listing, holder, buyer):
    from market.licensing.services import licence_contracts as contracts
    from market.models import ListingMode
    from tests.licences.test_contracts import terms

    listing.mode = ListingMode.LICENCE
    listing.save()
    contract = contracts.contract_open(listing_id=listing.pk, actor=buyer, **terms())
    contracts.contract_accept(contract_id=contract.pk, actor=holder)
    url = reverse("frontend:licence_contract_draft", args=[contract.pk])
    text = pdf_text(client_for(holder).get(url).content)
    assert "专利实施许可合同" in text and "合同草稿" in text
