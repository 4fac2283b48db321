"""The transfer deal's documents: contract, change-of-holder request (one per patent), deal certificate."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from market.documents.context import party, patent_row
from market.documents.numerals import rmb_upper
from market.models import Consent, ConsentCapacity, ConsentPurpose, Document, DocumentKind, DocumentState, Patent, TransitionLog
from market.money import cny, format_cny, split
from market.rules.common import active_pledges
from market.transfers.models import DealState, TransferDeal


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


def transferors(deal: TransferDeal) -> list[dict]:
    """Each transferor (the seller and each co-owner) as the documents name it, with its share of the price."""
    rows = list(deal.transferors.select_related("organisation"))
    if not rows:
        return [{**party(deal.seller), "share": "", "amount": format_cny(deal.price) if deal.price else "",
                 "signed_at": deal.seller_signed_at}]
    amounts = split(deal.price, [row.share for row in rows]) if deal.price else [None] * len(rows)
    return [{**(party(row.organisation) if row.organisation else {"name": row.name}), "share": f"{row.share:.2f}%",
             "amount": format_cny(amount) if amount is not None else "", "signed_at": row.signed_at}
            for row, amount in zip(rows, amounts, strict=True)]


def deal_context(deal: TransferDeal) -> dict:
    """The data every document of a transfer deal shows."""
    patents = list(deal.patents.order_by("application_number"))
    fee = cny(settings.MARKET["CHANGE_REGISTRATION_FEE_PER_PATENT"])
    return {
        "deal": deal, "deal_number": deal.number, "listing_title": deal.listing.title,
        "seller": party(deal.seller), "buyer": party(deal.buyer), "transferors": transferors(deal),
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
    attachments = [f"{deal.sale_reference} 成交确认书" if deal.sale_reference
                   else ("注册商标转让合同" if patent.is_trademark else "专利权转让合同")
                   + (f"（编号 {contract.number}）" if contract else "")]
    attachments += [f"质权人{p['pledgee']}同意转让的书面证明" for p in patent_pledges]
    if deal.export_registration_required:
        attachments.append("技术出口合同登记证书" + (f"（编号 {deal.export_registration_number}）"
                                                 if deal.export_registration_number else ""))
    fee_due = deal.fee_due_date
    if fee_due is None and deal.filed_at:
        fee_due = timezone.localdate(deal.filed_at) + dt.timedelta(days=settings.MARKET["CHANGE_REGISTRATION_FEE_DAYS"])
    holders = set(patent.ownerships.values_list("name", flat=True))
    context.update({
        "patent_transferors": [t for t in context["transferors"] if t["name"] in holders] or context["transferors"],
        "patent": row, "change_item": "专利权人" if row["granted"] else "申请人", "attachments": attachments,
        "patent_pledges": patent_pledges, "fee_due_date": fee_due, "fee_paid_at": deal.fee_paid_at,
    })
    return context


def deal_certificate_context(document: Document, deal: TransferDeal) -> dict:
    return deal_context(deal)
