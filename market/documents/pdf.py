"""HTML → PDF with WeasyPrint, and the SHA-256 every issued file is known by."""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a document template (always in Simplified Chinese) to PDF bytes.

    Templates must not load anything from the network: images are data: URIs and fonts come
    from the system (Debian ``fonts-noto-cjk``).
    """
    # Imported here: WeasyPrint loads Pango and fonts, which web processes never need.
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def sha256_hex(chunks: bytes | Iterable[bytes]) -> str:
    """Hex SHA-256 of bytes or of an iterable of chunks (an uploaded file's ``chunks()``)."""
    digest = hashlib.sha256()
    for chunk in [chunks] if isinstance(chunks, bytes | bytearray) else chunks:
        digest.update(chunk)
    return digest.hexdigest()
