"""Public verification of issued documents, and the download of a document's file by those who may.

The page is opened by the document's verification code (printed on it and in its QR code) or by the file
itself; it shows anyone only the document's kind, number, issue date and state. The parties (and staff),
signed in, see the rest. Requests are throttled per address. A registered mark's image is public register
data, served here too.
"""

from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from market.documents.parties import document_parties
from market.documents.pdf import sha256_hex
from market.models import DocumentState, TrademarkRecord
from market.models.documents import format_verification_code, normalise_verification_code
from market.selectors import documents_visible_to
from market.services.documents import document_verify
from market.web.throttles import VerifyThrottle

# The image types a mark's image may be (the importer accepts no other).
MARK_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}

# Issued PDFs are a few hundred kB; anything far larger cannot be one of ours.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def _throttled(request: HttpRequest) -> HttpResponse | None:
    throttle = VerifyThrottle()
    if throttle.allow_request(request, None):
        return None
    response = render(request, "market/verify_throttled.html", status=429)
    response["Retry-After"] = str(int(throttle.wait() or 60))
    return response


def _uploaded_digest(request: HttpRequest) -> tuple[str | None, str, int]:
    """(SHA-256 of the uploaded file, error, status) of a POST."""
    # Refuse an oversized body before Django spools it to disk.
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
        return None, "too_large", 413
    upload = request.FILES.get("file")
    if upload is None:
        return None, "no_file", 400
    if upload.size > MAX_UPLOAD_BYTES:
        return None, "too_large", 413
    return sha256_hex(upload.chunks()), "", 200


@require_http_methods(["GET", "POST"])
def verify_index(request: HttpRequest) -> HttpResponse:
    """The form: a verification code (also the target of ``?code=``), or a file to identify."""
    if (throttled := _throttled(request)) is not None:
        return throttled
    code = normalise_verification_code(request.GET.get("code", ""))
    if code:
        return redirect("market:verify", code=format_verification_code(code))
    if request.method == "POST":
        return _result_page(request, code=None)
    return render(request, "market/verify_index.html", {"max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024)})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Is the document with this code issued and current; is an uploaded file (or a SHA-256) that document?"""
    if (throttled := _throttled(request)) is not None:
        return throttled
    return _result_page(request, code=code)


def _result_page(request: HttpRequest, *, code: str | None) -> HttpResponse:
    error, status, sha256 = "", 200, None
    if request.method == "POST":
        sha256, error, status = _uploaded_digest(request)
    else:
        sha256 = request.GET.get("sha256", "").strip()[:64] or None
    result = document_verify(code=code, sha256=sha256)
    if not result.found and status == 200:
        status = 404
    document = result.document
    party = bool(document and documents_visible_to(request.user).filter(pk=document.pk).exists())
    context = {
        "code": format_verification_code(normalise_verification_code(code)) if code else "",
        "result": result, "error": error, "sha256": sha256, "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "document": document, "party": party,
        "deal": document.deal if party else None, "parties": document_parties(document.deal) if party else [],
    }
    return render(request, "market/verify.html", context, status=status)


@require_GET
def document_download(request: HttpRequest, number: str) -> FileResponse:
    """The PDF for the deal's parties and trading-centre staff; everyone else gets 404."""
    document = get_object_or_404(documents_visible_to(request.user), number=number, state=DocumentState.ISSUED)
    return document_file_response(document)


def mark_image(request: HttpRequest, pk: int) -> FileResponse:
    """A registered mark's image as the register holds it: public register data (404 when it has none)."""
    mark = get_object_or_404(TrademarkRecord.objects.exclude(image=""), pk=pk)
    kind = MARK_IMAGE_TYPES.get(Path(mark.image.name).suffix.lower())
    if kind is None:
        raise Http404
    response = FileResponse(mark.image.open("rb"), content_type=kind)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def document_file_response(document) -> FileResponse:
    """The stored PDF of an issued document, as a private attachment."""
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=f"{document.number}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response
