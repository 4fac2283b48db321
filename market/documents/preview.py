"""A contract as the parties read it before they sign: the document's own template and data, rendered to a
PDF from the deal's current terms, marked 草稿 (no number, no verification code: nothing is issued)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from market.extensions import DOCUMENT_TYPES
from market.models import Document

from .context import document_context, template_names
from .pdf import render_pdf

DRAFT_NUMBER = "草稿"


def draft_pdf(deal: models.Model, kind: str) -> bytes:
    """The contract ``kind`` of ``deal`` as it would be issued now, marked as a draft."""
    document = Document(deal=deal, kind=kind, version=1, number=DRAFT_NUMBER)
    context = document_context(document, issued_at=timezone.now())
    context.update({"draft": True, "verification_code": DRAFT_NUMBER, "qr": "", "verify_url": ""})
    return render_pdf(template_names(DOCUMENT_TYPES[kind].template, context), context)
