"""Public verification of issued documents, and the download of a document's file by those who may."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from market.documents.context import zh
from market.documents.parties import document_parties
from market.documents.pdf import sha256_hex
from market.models import DocumentState
from market.selectors import documents_visible_to
from market.services.documents import document_verify

# Issued PDFs are a few hundred kB; anything far larger cannot be one of ours.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


@require_GET
def verify_index(request: HttpRequest) -> HttpResponse:
    """A form asking for the document number (also the target of ``?number=``)."""
    number = request.GET.get("number", "").strip()
    if number:
        return redirect("market:verify", number=number)
    return render(request, "market/verify_index.html")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """Public page: is document ``number`` issued and current; does an uploaded file (or a SHA-256) match it?"""
    error, status, sha256 = "", 200, None
    if request.method == "POST":
        # Refuse an oversized body before Django spools it to disk.
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            error, status = "文件超过 20 MB / The file is larger than 20 MB", 413
        elif (upload := request.FILES.get("file")) is None:
            error, status = "请选择要核验的 PDF 文件 / Choose the PDF file to check", 400
        elif upload.size > MAX_UPLOAD_BYTES:
            error, status = "文件超过 20 MB / The file is larger than 20 MB", 413
        else:
            sha256 = sha256_hex(upload.chunks())
    else:
        sha256 = request.GET.get("sha256", "").strip() or None
    result = document_verify(number=number, sha256=sha256)
    if not result.found:
        status = 404
    document = result.document
    context = {
        "number": number, "result": result, "error": error, "sha256": sha256, "max_upload_mb": 20,
        "deal": document.deal if document else None,
        "parties": document_parties(document.deal if document else None),
        "kind_label": zh(document.get_kind_display()) if document else "",
    }
    return render(request, "market/verify.html", context, status=status)


@require_GET
def document_download(request: HttpRequest, number: str) -> FileResponse:
    """The PDF for the deal's parties and trading-centre staff; everyone else gets 404."""
    document = get_object_or_404(documents_visible_to(request.user), number=number, state=DocumentState.ISSUED)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=f"{document.number}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response
