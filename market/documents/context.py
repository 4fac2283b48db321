"""What each document template is given: the deal's real data, read from its rows.

One builder per document kind; each returns a plain dict for the template. Only reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from market.models import (
    Consent,
    ConsentCapacity,
    ConsentPurpose,
    DealState,
    Document,
    DocumentKind,
    DocumentState,
    LegalStatus,
    Organisation,
    Patent,
    TransferDeal,
    TransitionLog,
)
from market.models.documents import format_verification_code
from market.money import cny, format_cny
from market.rules.common import active_pledges

from .numerals import rmb_upper
from .qr import qr_data_uri

CENTRE_NAME = "浙江知识产权交易中心"
TEMPLATES = {
    DocumentKind.TRANSFER_CONTRACT: "market/documents/transfer_contract.html",
    DocumentKind.CHANGE_REQUEST: "market/documents/change_request.html",
    DocumentKind.DEAL_CERTIFICATE: "market/documents/deal_certificate.html",
}


def zh(label: str) -> str:
    """The Chinese half of a bilingual choice label ("发明 Invention" → "发明")."""
    return str(label).split(" ", 1)[0]


def verify_url(code: str) -> str:
    """Absolute address of the public verification page of the document with verification ``code`` (what
    the QR code holds)."""
    return settings.PUBLIC_BASE_URL + reverse("market:verify", args=[format_verification_code(code)])


def party(org: Organisation) -> dict:
    return {"name": org.name, "credit_code": org.credit_code, "address": org.address or "—",
            "city": zh(org.get_city_display()), "kind": zh(org.get_kind_display())}


def patent_row(patent: Patent) -> dict:
    granted = patent.grant_date is not None or patent.legal_status != LegalStatus.PENDING
    return {
        "title": patent.title, "application_number": patent.application_number,
        "patent_number": patent.patent_number if granted else "", "granted": granted,
        "kind": zh(patent.get_kind_display()), "filing_date": patent.filing_date, "grant_date": patent.grant_date,
        "ipc": "；".join(patent.ipc_codes) or "—", "status": zh(patent.get_legal_status_display()),
    }


def key_dates(deal: TransferDeal) -> dict[str, dt.datetime | None]:
    """When the deal reached each state: the deal's own fields first, else the first log row."""
    logged: dict[str, dt.datetime] = {}
    for row in TransitionLog.for_object(deal).order_by("at", "pk"):
        logged.setdefault(row.to_state, row.at)
    signatures = [t for t in (deal.seller_signed_at, deal.buyer_signed_at) if t]
    own = {
        DealState.SIGNED: max(signatures) if len(signatures) == 2 else None,
        DealState.PAID: deal.escrow.held_at if deal.escrow_id else None,
        DealState.FILED: deal.filed_at, DealState.REGISTERED: deal.registered_at, DealState.CLOSED: deal.closed_at,
    }
    states = (DealState.AGREED, DealState.PUBLICISED, DealState.SIGNED, DealState.PAID, DealState.FILED,
              DealState.REGISTERED, DealState.CLOSED)
    return {state.value: own.get(state) or logged.get(state.value) for state in states}


def consents(deal: TransferDeal, capacity: str, patents: list[Patent]) -> list[Consent]:
    return list(Consent.objects.filter(
        deal_type=ContentType.objects.get_for_model(deal), deal_id=deal.pk, capacity=capacity,
        purpose=ConsentPurpose.TRANSFER, patent__in=patents,
    ).select_related("organisation", "patent").order_by("patent__application_number", "given_at"))


def pledges(deal: TransferDeal, patents: list[Patent]) -> list[dict]:
    """Pledgees of the deal's patents: each registered pledge and each pledgee's consent to this deal."""
    rows: dict[tuple[int, str], dict] = {}
    for consent in consents(deal, ConsentCapacity.PLEDGEE, patents):
        rows[(consent.patent_id, consent.organisation.name)] = {
            "patent": consent.patent, "pledgee": consent.organisation.name, "consented_at": consent.given_at,
            "registration_number": "", "secured_amount": "",
        }
    for patent in patents:
        for pledge in active_pledges(patent):
            row = rows.setdefault((patent.pk, pledge.holder_label), {
                "patent": patent, "pledgee": pledge.holder_label, "consented_at": None})
            row["registration_number"] = pledge.registration_number
            row["secured_amount"] = format_cny(pledge.secured_amount) if pledge.secured_amount is not None else ""
    return list(rows.values())


def deal_context(deal: TransferDeal) -> dict:
    """The data every document of a transfer deal shows."""
    patents = list(deal.patents.order_by("application_number"))
    fee = cny(settings.MARKET["CHANGE_REGISTRATION_FEE_PER_PATENT"])
    return {
        "deal": deal, "deal_number": deal.number, "listing_title": deal.listing.title,
        "seller": party(deal.seller), "buyer": party(deal.buyer),
        "patents": [patent_row(p) for p in patents], "patent_count": len(patents),
        "price": format_cny(deal.price) if deal.price is not None else "",
        "price_upper": rmb_upper(deal.price) if deal.price is not None else "",
        "dates": key_dates(deal), "pledges": pledges(deal, patents),
        "co_owner_consents": consents(deal, ConsentCapacity.CO_OWNER, patents),
        "escrow_reference": deal.escrow.reference if deal.escrow_id else "",
        "fee_per_patent": format_cny(fee), "fee_per_patent_upper": rmb_upper(fee),
    }


def transfer_contract_context(document: Document, deal: TransferDeal) -> dict:
    return deal_context(deal)


def change_request_context(document: Document, deal: TransferDeal) -> dict:
    """One patent's request; the attachments name the contract by its number once issued."""
    context = deal_context(deal)
    patent = document.patent
    row = patent_row(patent)
    contract = (Document.objects.for_deal(deal).latest_versions()
                .filter(kind=DocumentKind.TRANSFER_CONTRACT, state=DocumentState.ISSUED).first())
    patent_pledges = [p for p in context["pledges"] if p["patent"].pk == patent.pk]
    attachments = ["专利权转让合同" + (f"（编号 {contract.number}）" if contract else "")]
    attachments += [f"质权人{p['pledgee']}同意转让的书面证明" for p in patent_pledges]
    if deal.export_registration_required:
        attachments.append("技术出口合同登记证书" + (f"（编号 {deal.export_registration_number}）"
                                                 if deal.export_registration_number else ""))
    fee_due = deal.fee_due_date
    if fee_due is None and deal.filed_at:
        fee_due = timezone.localdate(deal.filed_at) + dt.timedelta(days=settings.MARKET["CHANGE_REGISTRATION_FEE_DAYS"])
    context.update({
        "patent": row, "change_item": "专利权人" if row["granted"] else "申请人", "attachments": attachments,
        "patent_pledges": patent_pledges, "fee_due_date": fee_due, "fee_paid_at": deal.fee_paid_at,
    })
    return context


def deal_certificate_context(document: Document, deal: TransferDeal) -> dict:
    return deal_context(deal)


BUILDERS: dict[str, Callable[[Document, TransferDeal], dict]] = {
    DocumentKind.TRANSFER_CONTRACT: transfer_contract_context,
    DocumentKind.CHANGE_REQUEST: change_request_context,
    DocumentKind.DEAL_CERTIFICATE: deal_certificate_context,
}


def document_context(document: Document, *, issued_at: dt.datetime) -> dict:
    """Everything the template of ``document`` needs: the deal's data plus number, version and QR."""
    deal = document.deal
    url = verify_url(document.verification_code)
    context = BUILDERS[document.kind](document, deal)
    context.update({
        "document": document, "number": document.number, "version": document.version,
        "kind_label": zh(document.get_kind_display()), "issued_at": issued_at, "centre_name": CENTRE_NAME,
        "verify_url": url, "qr": qr_data_uri(url), "supersedes": document.supersedes,
        "verification_code": document.verification_code_display,
    })
    return context


# The licensing documents (open-licence declaration, licence notice, 备案 application, licence contract).
from . import licence_context  # noqa: E402  (it uses party() and patent_row() above)

TEMPLATES.update(licence_context.TEMPLATES)
BUILDERS.update(licence_context.BUILDERS)

# The auction documents (announcement, result confirmation).
from . import auction_context  # noqa: E402  (it uses party() and patent_row() above)

TEMPLATES.update(auction_context.TEMPLATES)
BUILDERS.update(auction_context.BUILDERS)

# The pledge documents (contract, registration application, registration notice, release application).
from . import pledge_context  # noqa: E402  (it uses party() and patent_row() above)

TEMPLATES.update(pledge_context.TEMPLATES)
BUILDERS.update(pledge_context.BUILDERS)


# The valuation report: its own template and data (valuation/report.py), numbered and QR-coded here.
def valuation_report_context(document: Document, valuation) -> dict:
    from valuation.report import report_context  # valuation imports this module's helpers

    return report_context(valuation)


TEMPLATES[DocumentKind.VALUATION_REPORT] = "valuation/report.html"
BUILDERS[DocumentKind.VALUATION_REPORT] = valuation_report_context
