"""What the pledge documents show: the pledge contract (质押合同, of the loan), and for each registry
filing the 专利权质押登记申请表, the 专利权质押登记通知书 and the 注销 application. Only reads."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from market.documents.context import party, patent_row, zh
from market.documents.numerals import rmb_upper
from market.models import Consent, ConsentCapacity, ConsentPurpose, Document, DocumentKind, DocumentState
from market.money import cny, format_cny
from market.pledges.models import (
    PledgeConfirmation,
    PledgeFiling,
    PledgeFilingKind,
    PledgeLoan,
)


def money(value) -> dict:
    return {"figures": format_cny(value), "upper": rmb_upper(cny(value))}


def loan_context(loan: PledgeLoan) -> dict:
    """The data every pledge document shows: parties, the package, the contract's terms, consents."""

    patents = list(loan.patents.order_by("application_number"))
    contract = loan.contract()
    consents = (Consent.objects.filter(deal_type=ContentType.objects.get_for_model(loan), deal_id=loan.pk,
                                       capacity=ConsentCapacity.CO_OWNER, purpose=ConsentPurpose.PLEDGE)
                .select_related("organisation", "patent").order_by("patent__application_number", "given_at"))
    confirmations = (PledgeConfirmation.objects.filter(loan=loan).select_related("organisation", "patent")
                     .order_by("patent__application_number", "ground", "confirmed_at"))
    contract_document = (Document.objects.for_deal(loan).latest_versions()
                         .filter(kind=DocumentKind.PLEDGE_CONTRACT, state=DocumentState.ISSUED).first())
    return {
        "loan": loan, "deal_number": loan.number, "pledgor": party(loan.applicant), "pledgee": party(loan.bank),
        "patents": [patent_row(p) for p in patents], "patent_count": len(patents), "contract": contract,
        "principal": money(contract.principal) if contract else None,
        "plan": zh(contract.get_repayment_plan_display()) if contract else "", "term_months": loan.term,
        "purpose": loan.purpose, "co_owner_consents": list(consents),
        "confirmations": [{"patent": c.patent.application_number, "organisation": c.organisation.name,
                           "ground": zh(c.get_ground_display()), "at": c.confirmed_at} for c in confirmations],
        "contract_number": contract_document.number if contract_document else "",
    }


def contract_context(document: Document, loan: PledgeLoan) -> dict:
    return loan_context(loan)


def filing_context(document: Document, filing: PledgeFiling) -> dict:
    """One filing: the loan's data, and the filing's own patents, number and decision."""

    context = loan_context(filing.loan)
    registration = (filing.loan.filings.filter(kind=PledgeFilingKind.REGISTRATION, state="registered")
                    .order_by("-decided_at").first())
    context.update({
        "filing": filing, "filing_patents": [patent_row(p) for p in filing.patents.order_by("application_number")],
        "registration": registration,
        "contract": filing.contract or context["contract"],
    })
    return context
