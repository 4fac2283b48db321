"""What the licensing documents show: open-licence declaration, licence notice, 备案 application, contract.

Each builder reads the rows of its deal (declaration, licence or contract) and returns a dict.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from market.documents.context import party, patent_row
from market.documents.numerals import rmb_upper
from market.fees import open_licence_reduction
from market.licensing.models import (
    Licence,
    LicenceContract,
    OpenLicenceDeclaration,
    RoyaltyMethod,
)
from market.models import Consent, ConsentCapacity, ConsentPurpose, Document, DocumentKind
from market.money import format_cny


def _party(org):
    return party(org)


def _patent_rows(patent) -> list[dict]:
    return [patent_row(patent)]


def _label(choice_label) -> str:
    return str(choice_label).split(" ", 1)[0]


def royalty_rows(terms) -> list[tuple[str, str]]:
    """The royalty terms as (label, value) rows of a table."""
    rows = [("许可使用费支付方式", _label(RoyaltyMethod(terms.royalty_method).label))]
    if terms.royalty_method == RoyaltyMethod.ANNUAL:
        rows.append(("年许可费", f"{format_cny(terms.annual_fee)}（大写：{rmb_upper(terms.annual_fee)}）"))
    else:
        if terms.entry_fee:
            rows.append(("入门费", f"{format_cny(terms.entry_fee)}（大写：{rmb_upper(terms.entry_fee)}）"))
        if terms.royalty_method == RoyaltyMethod.PERCENTAGE:
            rows.append(("提成比例", f"净销售额的 {terms.royalty_rate}%"))
        else:
            rows.append(("每件许可费", format_cny(terms.unit_fee)))
        rows.append(("结算周期", f"{terms.period_months} 个月，期满后报告并支付"))
    return rows


def _consents(deal, purpose: str) -> list[Consent]:
    return list(Consent.objects.filter(deal_type=ContentType.objects.get_for_model(deal), deal_id=deal.pk,
                                       purpose=purpose).select_related("organisation").order_by("given_at"))


def declaration_context(document: Document, declaration: OpenLicenceDeclaration) -> dict:
    return {
        "declaration": declaration, "deal_number": declaration.number, "holder": _party(declaration.holder),
        "patents": _patent_rows(declaration.patent), "patent_count": 1,
        "royalty_rows": royalty_rows(declaration), "royalty_summary": declaration.royalty_summary(),
        "reduction_percent": f"{open_licence_reduction() * 100:.0f}%",
        "co_owner_consents": [c for c in _consents(declaration, ConsentPurpose.OPEN_LICENCE)
                              if c.capacity == ConsentCapacity.CO_OWNER],
        "pledgee_consents": [c for c in _consents(declaration, ConsentPurpose.OPEN_LICENCE)
                             if c.capacity == ConsentCapacity.PLEDGEE],
    }


def _licence_common(licence: Licence) -> dict:
    periods = list(licence.periods.select_related("escrow").order_by("sequence"))
    first = next((p for p in periods if p.paid_at and p.due_date == licence.start_date), None)
    return {
        "licence": licence, "deal_number": licence.number, "licensor": _party(licence.licensor),
        "licensee": _party(licence.licensee), "patents": _patent_rows(licence.patent), "patent_count": 1,
        "royalty_rows": royalty_rows(licence), "royalty_summary": licence.royalty_summary(),
        "licence_kind_label": _label(licence.get_kind_display()), "periods": periods, "first_payment": first,
        "first_payment_amount": format_cny(first.amount_due) if first else "",
        "first_payment_upper": rmb_upper(first.amount_due) if first else "",
        "declaration": licence.declaration,
    }


def licence_notice_context(document: Document, licence: Licence) -> dict:
    return _licence_common(licence)


def licence_record_context(document: Document, deal: Licence | LicenceContract) -> dict:
    """The filing application (备案申请表) of an open-licence take-up or of a licence contract."""
    if isinstance(deal, Licence):
        context = _licence_common(deal)
        context.update({
            "contract_kind": "专利开放许可实施合同（依开放许可声明，以书面通知并支付许可使用费方式订立）",
            "contract_reference": f"开放许可声明公告号 {deal.declaration.announcement_number}" if deal.declaration else "",
            "effective_date": deal.start_date, "start_date": deal.start_date, "end_date": deal.end_date,
            "territory": deal.territory, "record_number": deal.record_number, "filed_at": deal.created_at,
        })
        return context
    contract = deal
    contract_doc = (Document.objects.for_deal(contract).latest_versions()
                    .filter(kind=DocumentKind.LICENCE_CONTRACT, state="issued").first())
    return {
        "deal_number": contract.number, "contract": contract, "licensor": _party(contract.licensor),
        "licensee": _party(contract.licensee), "patents": _patent_rows(contract.patent), "patent_count": 1,
        "royalty_rows": royalty_rows(contract), "royalty_summary": contract.royalty_summary(),
        "licence_kind_label": _label(contract.get_licence_kind_display()),
        "contract_kind": "专利实施许可合同",
        "contract_reference": f"合同编号 {contract.number}" + (f"（文书编号 {contract_doc.number}）" if contract_doc else ""),
        "effective_date": contract.effective_date, "start_date": contract.start_date, "end_date": contract.end_date,
        "territory": contract.territory, "record_number": contract.record_number, "filed_at": contract.filed_at,
        "filing_due_date": contract.filing_due_date,
        "pledgee_consents": [c for c in _consents(contract, ConsentPurpose.LICENCE)
                             if c.capacity == ConsentCapacity.PLEDGEE],
    }


def licence_contract_context(document: Document, contract: LicenceContract) -> dict:
    consents = _consents(contract, ConsentPurpose.LICENCE)
    return {
        "contract": contract, "deal_number": contract.number, "licensor": _party(contract.licensor),
        "licensee": _party(contract.licensee), "patents": _patent_rows(contract.patent), "patent_count": 1,
        "royalty_rows": royalty_rows(contract), "royalty_summary": contract.royalty_summary(),
        "licence_kind_label": _label(contract.get_licence_kind_display()), "licence_kind": contract.licence_kind,
        "co_owner_consents": [c for c in consents if c.capacity == ConsentCapacity.CO_OWNER],
        "pledgee_consents": [c for c in consents if c.capacity == ConsentCapacity.PLEDGEE],
    }
