"""The pledge documents, rendered and read back with pdftotext: patent numbers, parties, amounts."""

import re
import subprocess

from market.documents.issue import document_render
from market.models import Document, DocumentKind
from market.pledges.models import PledgeLoanState
from market.pledges.services.loans import loan_release_patent
from market.pledges.services.registry import pledge_registry_examine

from .steps import advance, apply


def text_of(document: Document) -> str:
    document = document_render(document_id=document.pk)
    path = document.file.path
    out = subprocess.run(["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


def test_contract_registration_notice_and_release_carry_the_loans_data(holder, bank_officer, patent, second_patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent, second_patent], amount="1234567.89"),
                   to=PledgeLoanState.DISBURSED, holder=holder, bank_officer=bank_officer)
    pledge_registry_examine(filing_id=loan_release_patent(loan_id=loan.pk, actor=bank_officer,
                                                          patent_id=second_patent.pk).pk)
    documents = {d.kind: d for d in Document.objects.filter(deal_type__model__in=("pledgeloan", "pledgefiling"))}
    assert set(documents) == {DocumentKind.PLEDGE_CONTRACT, DocumentKind.PLEDGE_REGISTRATION,
                              DocumentKind.PLEDGE_NOTICE, DocumentKind.PLEDGE_RELEASE}
    registration = loan.filings.get(kind="registration")
    parties = [holder.organisation.name, bank_officer.organisation.name, holder.organisation.credit_code]
    for kind, document in documents.items():
        text = text_of(document)
        assert document.number in text
        for expected in parties + ["¥1,234,567.89", second_patent.application_number]:
            assert expected in text, (kind, expected)
        if kind != DocumentKind.PLEDGE_RELEASE:
            assert patent.application_number in text, kind
        if kind == DocumentKind.PLEDGE_CONTRACT:
            assert "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" in text and "质押担保的范围" in text
            assert "不约定债务人不履行到期债务时出质专利权归乙方所有" in text
        if kind in (DocumentKind.PLEDGE_NOTICE, DocumentKind.PLEDGE_RELEASE):
            assert registration.registration_number in text
    assert "质权人同意部分解除质押" in text_of(documents[DocumentKind.PLEDGE_RELEASE])


def test_the_verification_page_names_the_parties_of_pledge_documents(holder, bank_officer, patent, client):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=PledgeLoanState.REGISTERED, holder=holder,
                   bank_officer=bank_officer)
    documents = Document.objects.filter(deal_type__model__in=("pledgeloan", "pledgefiling"))
    documents.update(state="issued")  # the page reads the document's row; its PDF is not needed here
    client.force_login(bank_officer)
    for document in documents:
        page = client.get(f"/verify/{document.verification_code_display}/").content.decode()
        assert holder.organisation.name in page and bank_officer.organisation.name in page and "出质人" in page
    assert loan.filings.get().applicant == holder.organisation
