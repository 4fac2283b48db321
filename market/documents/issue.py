"""Issuing a pending document: render its PDF with the deal's data, store it with its SHA-256, mark it issued.

The Celery task ``market.tasks.document_render_task`` runs it after the request's commit
(market/services/documents.py queues it).
"""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from market.documents.context import document_context, template_names
from market.documents.pdf import render_pdf, sha256_hex
from market.extensions import DOCUMENT_TYPES
from market.models import Document, DocumentState, TransitionLog

logger = logging.getLogger(__name__)


def _record_failure(document_id: int, error: Exception) -> None:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.state == DocumentState.ISSUED:
            return
        before = document.state
        document.state = DocumentState.FAILED
        document.error = f"{type(error).__name__}: {error}"[:4000]
        document.save(update_fields=["state", "error"])
        TransitionLog.record(document, transition="fail", from_state=before, to_state=document.state, actor=None,
                             reason=document.error)


def document_render(*, document_id: int) -> Document:
    """Render the PDF with the deal's current data, store it with its SHA-256 and size, mark it issued.

    Safe to run twice: an issued document is returned untouched (never re-rendered). On error
    the document is marked failed with the error and the exception is raised again (the task
    retries errors that can heal).
    """
    document = Document.objects.select_related("patent", "supersedes", "deal_type").get(pk=document_id)
    if document.state == DocumentState.ISSUED:
        return document
    issued_at = timezone.now()
    try:
        context = document_context(document, issued_at=issued_at)
        pdf = render_pdf(template_names(DOCUMENT_TYPES[document.kind].template, context), context)
    except Exception as error:
        logger.exception("rendering document %s failed", document.number)
        _record_failure(document_id, error)
        raise
    stored_name = None
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document_id)
            if document.state == DocumentState.ISSUED:  # another worker issued it meanwhile
                return document
            before = document.state
            # A random part keeps the stored name unguessable wherever media files are served.
            document.file.save(f"{document.number}-{secrets.token_hex(8)}.pdf", ContentFile(pdf), save=False)
            stored_name = document.file.name
            document.sha256 = sha256_hex(pdf)
            document.size = len(pdf)
            document.state = DocumentState.ISSUED
            document.issued_at = issued_at
            document.error = ""
            document.save(update_fields=["file", "sha256", "size", "state", "issued_at", "error"])
            TransitionLog.record(document, transition="issue", from_state=before, to_state=document.state,
                                 actor=None)
    except Exception as error:
        if stored_name:
            document.file.storage.delete(stored_name)
        _record_failure(document_id, error)
        raise
    return document
