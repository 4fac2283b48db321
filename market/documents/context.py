"""What every document template is given besides its deal's data: number, version, QR code, the parties'
and patents' rows. Each flow registers its kinds' builders (market/extensions.py); this module only reads.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from market.extensions import DOCUMENT_TYPES
from market.models import (
    Document,
    LegalStatus,
    Organisation,
    Patent,
)
from market.models.documents import format_verification_code

from .qr import qr_data_uri

CENTRE_NAME = "浙江知识产权交易中心"


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
    row = {
        "title": patent.title, "application_number": patent.application_number,
        "patent_number": patent.patent_number if granted else "", "granted": granted,
        "kind": zh(patent.get_kind_display()), "filing_date": patent.filing_date, "grant_date": patent.grant_date,
        "ipc": "；".join(patent.ipc_codes) or "—", "status": zh(patent.get_legal_status_display()),
        "is_trademark": patent.is_trademark,
    }
    if patent.is_trademark:
        mark = patent.mark
        row.update({"mark_text": mark.mark_text, "mark_type": zh(mark.get_mark_type_display()),
                    "classes": "；".join(mark.class_labels), "goods": patent.abstract, "valid_until": mark.valid_until})
    return row


def all_marks(context: dict) -> bool:
    """Whether the document's rights (its one ``patent`` row, else its ``patents`` and ``filing_patents``) are all
    registered marks: the document is then the trademark office's form (``<template>_trademark.html`` if any)."""
    one = context.get("patent")
    rows = [one] if one is not None else [*context.get("patents", ()), *context.get("filing_patents", ())]
    flags = [row.get("is_trademark") if isinstance(row, dict) else getattr(row, "is_trademark", False) for row in rows]
    return bool(flags) and all(flags)




def template_names(template: str, context: dict) -> list[str]:
    """The templates to render, first found: a mark's own form, then the document kind's template."""
    return [template.replace(".html", "_trademark.html"), template] if context.get("trademark") else [template]


def document_context(document: Document, *, issued_at: dt.datetime) -> dict:
    """Everything the template of ``document`` needs: the deal's data plus number, version and QR."""
    deal = document.deal
    url = verify_url(document.verification_code)
    context = DOCUMENT_TYPES[document.kind].builder(document, deal)
    context["trademark"] = all_marks(context)
    context.update({
        "document": document, "number": document.number, "version": document.version,
        "kind_label": zh(document.title), "issued_at": issued_at, "centre_name": CENTRE_NAME,
        "verify_url": url, "qr": qr_data_uri(url), "supersedes": document.supersedes,
        "verification_code": document.verification_code_display,
    })
    return context
