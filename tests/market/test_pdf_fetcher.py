"""Rendering a document fetches nothing but data: URIs and the project's own static files."""

import http.server
import threading
from pathlib import Path

import pytest
from django.conf import settings

from market.documents.pdf import html_to_pdf, static_roots, url_fetcher


@pytest.fixture
def http_server():
    """A local HTTP server that counts the requests it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_http_and_file_references_reach_nothing(http_server, tmp_path):
    url, hits = http_server
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red; }")
    html = f"""<html><head><link rel="stylesheet" href="{url}/style.css">
      <link rel="stylesheet" href="file://{secret}"><style>@import url("{url}/import.css");</style></head>
      <body><p>合同正文</p><img src="{url}/pixel.png"><img src="file:///etc/passwd"><img src="manage.py">
      <object data="{url}/object"></object></body></html>"""

    pdf = html_to_pdf(html)

    assert pdf.startswith(b"%PDF-")
    assert hits == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x", "https://example.com/a.png",
                                 "ftp://example.com/a", f"file://{settings.BASE_DIR}/manage.py",
                                 f"file://{settings.BASE_DIR}/market/static/../../manage.py"],
                         ids=["system_file", "http", "https", "ftp", "project_file", "escape_from_static"])
def test_the_fetcher_refuses_anything_but_data_and_static_files_case(url):
    with pytest.raises(ValueError, match="documents may not load"):
        url_fetcher()(url)


def test_the_fetcher_serves_data_uris_and_static_files():
    data = url_fetcher()("data:text/plain;base64,5ZCI5ZCM")
    assert data.read() == "合同".encode()
    css = next(path for root in static_roots() for path in Path(root).rglob("*.css"))
    assert url_fetcher()(css.as_uri()).read() == css.read_bytes()
