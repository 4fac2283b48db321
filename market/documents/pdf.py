"""HTML → PDF with WeasyPrint, and the SHA-256 every issued file is known by."""

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


@cache
def static_roots() -> tuple[Path, ...]:
    """The directories the project's own static files live in (the only files a document may read)."""
    roots = [Path(app.path) / "static" for app in apps.get_app_configs()]
    roots += [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])] + [Path(settings.STATIC_ROOT)]
    return tuple(root.resolve() for root in roots if root.is_dir())


def _url_fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticOnlyURLFetcher(URLFetcher):
        """Fetches ``data:`` URIs and the project's static files; refuses every other URL (no network, no
        other file), so nothing a user typed into a document can make the renderer read or call anything."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in static_roots()) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"documents may not load {url!r}")

    return StaticOnlyURLFetcher


def url_fetcher():
    """A fetcher for WeasyPrint that serves only data: URIs and the project's static files."""
    return _url_fetcher_class()(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)


def render_pdf(template_name: str | list[str], context: dict) -> bytes:
    """Render a document template (always in Simplified Chinese; of a list, the first found) to PDF bytes.

    Templates load nothing from the network or the disk: images are data: URIs, fonts come from the system
    (Debian ``fonts-noto-cjk``), and the URL fetcher refuses everything else.
    """
    with translation.override("zh-hans"):
        html = render_to_string(template_name, context)
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango and fonts, which web processes never need.
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=url_fetcher()).write_pdf()


def sha256_hex(chunks: bytes | Iterable[bytes]) -> str:
    """Hex SHA-256 of bytes or of an iterable of chunks (an uploaded file's ``chunks()``)."""
    digest = hashlib.sha256()
    for chunk in [chunks] if isinstance(chunks, bytes | bytearray) else chunks:
        digest.update(chunk)
    return digest.hexdigest()


def pdf_has_pages(upload) -> bool:
    """Whether an uploaded file parses as an unencrypted PDF with at least one page (pypdf)."""
    from pypdf import PdfReader

    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        return not reader.is_encrypted and len(reader.pages) >= 1
    except Exception:  # any failure to parse untrusted bytes means "not a readable PDF"
        return False
    finally:
        upload.seek(0)
