"""Deal documents: request (numbered, queued), render (PDF, SHA-256, issued), reissue, verify.

A document is immutable once issued. A correction is a new version that supersedes the old
one: the old file stays downloadable, and the public verification page says it is superseded
and names the current version. Rendering runs after commit in the Celery task ``document_render_task``
(market/documents/issue.py).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.documents.pdf import sha256_hex
from market.extensions import DOCUMENT_TYPES, ISSUERS, ISSUING_STATES
from market.models import Document, DocumentState, Patent, TransitionLog, User
from market.models.documents import normalise_verification_code
from market.rules.base import Reason, RuleViolation
from market.services.queue import enqueue
from market.tasks import document_render_task

logger = logging.getLogger(__name__)

RULE = "documents"
SHA256_RE = re.compile(r"[0-9a-f]{64}")


def states_for(deal: models.Model, kind: str) -> tuple[str, ...] | None:
    """The states of ``deal`` in which document ``kind`` can be requested (empty if it does not issue it;
    None when the issuing object has no state machine). Each flow declares them (market/extensions.py)."""
    return ISSUING_STATES.get((kind, deal._meta.model_name), ())


def documents_for(deal: models.Model) -> models.QuerySet[Document]:
    """Every document of ``deal``, all versions, newest first."""
    return (Document.objects.for_deal(deal).select_related("patent", "supersedes")
            .order_by("-requested_at", "-pk"))


def _queue_render(document_id: int) -> None:
    # through the task queue: a broker that is down must not slow or fail the caller's write; the document
    # stays pending until the sweep publishes its render (market/services/queue.py).
    enqueue(document_render_task, document_id)


def _first_number(document: Document) -> str:
    prefix = settings.MARKET["DOCUMENT_PREFIX"]
    deal_code = ISSUERS[document.deal_type.model]
    year = timezone.localdate(document.requested_at).year
    return f"{prefix}-{deal_code}-{year}-{document.pk:06d}-{DOCUMENT_TYPES[document.kind].code}"


def document_request(*, deal: models.Model, kind: str, patent: Patent | None = None) -> Document:
    """Create the pending document ``kind`` of ``deal`` (per patent for change requests), queue its rendering.

    Runs inside the caller's transaction; rendering is queued for after the commit. Idempotent:
    if a version of that document that nothing supersedes exists, it is returned and nothing new
    is created; one not issued yet (failed, or its task lost) is queued again (rendering is idempotent).
    """
    if kind not in DOCUMENT_TYPES:
        raise ValueError(f"unknown document kind {kind!r}")
    if deal._meta.model_name not in ISSUERS:
        raise ValueError(f"no documents for {deal._meta.label}")
    per_patent = DOCUMENT_TYPES[kind].per_patent
    if per_patent != (patent is not None):
        raise ValueError(f"{kind} {'needs' if per_patent else 'takes no'} patent")
    with transaction.atomic():
        # The deal's row lock serialises concurrent requests for its documents.
        deal = type(deal).objects.select_for_update().get(pk=deal.pk)
        states = states_for(deal, kind)
        if states is not None and deal.state not in states:
            raise RuleViolation(Reason("document_not_available", RULE,
                                       f"交易当前状态（{deal.get_state_display()}）不能出具该文书 / "
                                       f"The deal's state ({deal.state}) does not allow this document"))
        if patent is not None and not deal.patents.filter(pk=patent.pk).exists():
            raise ValueError(f"patent {patent.pk} is not part of deal {deal.pk}")
        existing = (Document.objects.for_deal(deal).latest_versions()
                    .filter(kind=kind, patent=patent).order_by("-version").first())
        if existing is not None:
            if existing.state != DocumentState.ISSUED:
                _queue_render(existing.pk)
            return existing
        # The number derives from the row's pk: insert with a placeholder, then number it.
        document = Document.objects.create(number=f"pending-{uuid.uuid4().hex}", kind=kind, deal=deal,
                                           patent=patent, version=1)
        document.number = _first_number(document)
        document.save(update_fields=["number"])
        _queue_render(document.pk)
    return document


def document_reissue(*, document_id: int, reason: str, actor: User | None = None) -> Document:
    """Correct an issued, current document: a new version (number suffix ``-v<n>``) supersedes it.

    The new version is rendered after commit with the deal's data as it is then. The old one
    stays stored and downloadable; verification reports it as superseded.
    """
    if not reason.strip():
        raise RuleViolation(Reason("reason_required", RULE, "请说明更正原因 / A reason for the correction is required"))
    with transaction.atomic():
        old = Document.objects.select_for_update().get(pk=document_id)
        if old.state != DocumentState.ISSUED:
            raise RuleViolation(Reason("document_not_issued", RULE,
                                       "只有已签发的文书才能更正 / Only an issued document can be corrected"))
        newer = Document.objects.filter(supersedes=old).first()
        if newer is not None:
            raise RuleViolation(Reason("document_superseded", RULE,
                                       f"该文书已被 {newer.number} 取代，请更正当前版本 / "
                                       f"Superseded by {newer.number}: correct the current version"))
        version = old.version + 1
        document = Document.objects.create(
            number=f"{re.sub(r'-v[0-9]+$', '', old.number)}-v{version}", kind=old.kind,
            deal_type_id=old.deal_type_id, deal_id=old.deal_id, patent_id=old.patent_id, version=version,
            supersedes=old)
        TransitionLog.record(old, transition="supersede", from_state=old.state, to_state="superseded",
                             actor=actor, reason=reason.strip())
        _queue_render(document.pk)
    return document


class Outcome(StrEnum):
    """What verification found; each has its message (translated on the page)."""

    NOT_FOUND = "not_found"
    CURRENT = "current"
    SUPERSEDED = "superseded"
    FILE_MATCHES_CURRENT = "file_matches_current"
    FILE_MATCHES_SUPERSEDED = "file_matches_superseded"
    FILE_DIFFERS = "file_differs"
    FILE_UNKNOWN = "file_unknown"
    BAD_SHA256 = "bad_sha256"


MESSAGES = {
    Outcome.NOT_FOUND: _("未找到该核验码对应的已签发文书"),
    Outcome.CURRENT: _("该文书为签发的当前版本"),
    Outcome.SUPERSEDED: _("该文书已被更正版本取代，不再有效"),
    Outcome.FILE_MATCHES_CURRENT: _("该文件与签发的当前版本一致"),
    Outcome.FILE_MATCHES_SUPERSEDED: _("该文件与已被取代的旧版本一致，不再有效"),
    Outcome.FILE_DIFFERS: _("该文件与签发的文书不一致"),
    Outcome.FILE_UNKNOWN: _("没有与该文件一致的已签发文书"),
    Outcome.BAD_SHA256: _("SHA-256 校验值格式无效"),
}


@dataclass(frozen=True)
class VerificationResult:
    """What the public verification page says about a document (and about a file, if one was given).

    ``document``: the document the code (or the file) names. ``current_document``: its latest version.
    ``matched_document``: the version of it the given file is byte-identical to, if any.
    """

    outcome: Outcome
    document: Document | None = None
    current_document: Document | None = None
    matched_document: Document | None = None

    @property
    def found(self) -> bool:
        return self.document is not None

    @property
    def is_current(self) -> bool:
        return self.found and self.current_document.pk == self.document.pk

    @property
    def matches(self) -> bool | None:
        """The file is the current version of this document (None when no file was given)."""
        if self.outcome in (Outcome.CURRENT, Outcome.SUPERSEDED, Outcome.NOT_FOUND):
            return None
        return self.matched_document is not None and self.matched_document.pk == self.current_document.pk

    @property
    def message(self) -> str:
        return str(MESSAGES[self.outcome])


def latest_version(document: Document) -> Document:
    latest = document
    while (newer := Document.objects.filter(supersedes=latest).first()) is not None:
        latest = newer
    return latest


def document_verify(*, code: str | None = None, data: bytes | None = None,
                    sha256: str | None = None) -> VerificationResult:
    """Is the document with verification ``code`` issued and current; is the given file (bytes or SHA-256) it?

    Without a code, the file alone finds the issued document it is (by its SHA-256). The document
    number is not a key: numbers are printed for people and are easy to guess.
    """
    digest = sha256_hex(data) if data is not None else (sha256 or "").strip().lower() or None
    issued = Document.objects.select_related("patent", "deal_type").filter(state=DocumentState.ISSUED)
    document = issued.filter(verification_code=normalise_verification_code(code)).first() if code else None
    if digest is not None and not SHA256_RE.fullmatch(digest):
        current = latest_version(document) if document else None
        return VerificationResult(Outcome.BAD_SHA256, document=document, current_document=current)
    if not code and digest:
        document = issued.filter(sha256=digest).order_by("-version").first()
    if document is None:
        return VerificationResult(Outcome.FILE_UNKNOWN if digest and not code else Outcome.NOT_FOUND)
    current = latest_version(document)
    if digest is None:
        return VerificationResult(Outcome.CURRENT if current.pk == document.pk else Outcome.SUPERSEDED,
                                  document=document, current_document=current)
    matched = issued.filter(deal_type_id=document.deal_type_id, deal_id=document.deal_id, kind=document.kind,
                            patent_id=document.patent_id, sha256=digest).first()
    if matched is None:
        outcome = Outcome.FILE_DIFFERS
    elif matched.pk == current.pk:
        outcome = Outcome.FILE_MATCHES_CURRENT
    else:
        outcome = Outcome.FILE_MATCHES_SUPERSEDED
    return VerificationResult(outcome, document=document, current_document=current, matched_document=matched)
