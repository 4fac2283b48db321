"""The public verification page (no login) and the download of a document's file (parties and staff only)."""

import base64
import hashlib
import io
import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageChops

from market.documents.qr import qr_data_uri
from market.models import DealState, DocumentKind
from market.services.documents import document_reissue, document_request, document_verify
from market.views import MAX_UPLOAD_BYTES

from .test_documents import file_bytes, issue, media, parties, pdf_text, transfer_deal  # noqa: F401  (fixtures)

CURRENT = "该文件与签发的当前版本一致 / The file matches the issued, current version"
NOT_MATCHING = "该文件与签发的文书不一致 / The file does not match the issued document"


@pytest.fixture
def contract(parties, django_capture_on_commit_callbacks):  # noqa: F811
    deal = transfer_deal(*parties, DealState.SIGNED)
    return issue(django_capture_on_commit_callbacks, deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)


@pytest.fixture
def corrected(contract, django_capture_on_commit_callbacks):
    """The contract corrected once: (old, new)."""
    with django_capture_on_commit_callbacks(execute=True):
        new = document_reissue(document_id=contract.pk, reason="地址更正")
    new.refresh_from_db()
    contract.refresh_from_db()
    return contract, new


def upload(client, number: str, data: bytes):
    return client.post(reverse("market:verify", args=[number]),
                       {"file": SimpleUploadedFile("contract.pdf", data, content_type="application/pdf")})


def page(response) -> str:
    return response.content.decode()


def test_page_shows_the_document_to_anyone(client, contract, parties):  # noqa: F811
    seller, buyer = parties

    response = client.get(f"/verify/{contract.number}/")

    assert response.status_code == 200
    html = page(response)
    for expected in [contract.number, "专利权转让合同", contract.deal.number, seller.name, buyer.name, contract.sha256,
                     "已签发的当前版本 / Issued, current version", "第 1 版"]:
        assert expected in html, expected


def test_the_qr_code_on_every_page_holds_the_page_address(contract, settings, tmp_path):
    url = f"{settings.PUBLIC_BASE_URL}/verify/{contract.number}/"
    expected = Image.open(io.BytesIO(base64.b64decode(qr_data_uri(url).split(",", 1)[1]))).convert("L")
    subprocess.run(["pdfimages", "-png", contract.file.path, str(tmp_path / "qr")], check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", contract.file.path], check=True,
                                                            capture_output=True, text=True).stdout)[1])

    images = sorted(tmp_path.glob("qr-*.png"))

    assert len(images) == pages >= 1
    for path in images:
        assert ImageChops.difference(Image.open(path).convert("L"), expected).getbbox() is None
    assert url in pdf_text(contract)  # printed under the code as well


def test_uploading_the_issued_file_matches_the_current_version(client, contract):
    response = upload(client, contract.number, file_bytes(contract))

    assert response.status_code == 200
    assert CURRENT in page(response)
    assert contract.sha256 in page(response)


def test_an_altered_file_does_not_match(client, contract):
    data = bytearray(file_bytes(contract))
    data[len(data) // 2] ^= 0x01

    response = upload(client, contract.number, bytes(data))

    assert response.status_code == 200
    assert NOT_MATCHING in page(response)
    assert hashlib.sha256(bytes(data)).hexdigest() in page(response)


def test_sha256_in_the_query_is_checked(client, contract):
    assert CURRENT in page(client.get(f"/verify/{contract.number}/", {"sha256": contract.sha256.upper()}))
    assert NOT_MATCHING in page(client.get(f"/verify/{contract.number}/", {"sha256": "0" * 64}))
    assert "SHA-256 校验值格式无效" in page(client.get(f"/verify/{contract.number}/", {"sha256": "abc"}))


def test_after_a_correction_the_old_version_is_reported_superseded(client, corrected):
    old, new = corrected

    html = page(client.get(f"/verify/{old.number}/"))
    assert "该版本已被取代 / This version has been superseded" in html
    assert new.number in html

    html = page(upload(client, old.number, file_bytes(old)))
    assert f"该文件与已被取代的旧版本（{old.number}，第 1 版）一致，当前版本为 {new.number}" in html

    html = page(upload(client, old.number, file_bytes(new)))
    assert CURRENT in html  # the current version's file, checked on the old number's page

    html = page(upload(client, new.number, file_bytes(new)))
    assert CURRENT in html and "已签发的当前版本" in html


def test_service_answers_for_bytes(contract):
    data = file_bytes(contract)

    result = document_verify(number=contract.number, data=data)
    assert (result.found, result.is_current, result.matches, result.matched_document) == (True, True, True, contract)
    assert result.message == CURRENT

    result = document_verify(number=contract.number, data=data + b"\n")
    assert (result.matches, result.matched_document, result.message) == (False, None, NOT_MATCHING)


def test_unknown_or_unissued_numbers_are_not_found(client, parties, django_capture_on_commit_callbacks):  # noqa: F811
    deal = transfer_deal(*parties, DealState.SIGNED)
    with django_capture_on_commit_callbacks():  # requested, never rendered: pending
        pending = document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    for number in ["ZJIP-ZT-2026-999999-HT", pending.number]:
        response = client.get(f"/verify/{number}/")
        assert response.status_code == 404
        assert "未找到该编号的已签发文书" in page(response)
        assert deal.seller.name not in page(response)


def test_upload_limits(client, contract):
    response = client.post(f"/verify/{contract.number}/", {})
    assert response.status_code == 400
    assert "请选择要核验的 PDF 文件" in page(response)

    response = upload(client, contract.number, b"\0" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 413
    assert "文件超过 20 MB" in page(response)


def test_lookup_form_redirects_to_the_page(client, contract):
    assert client.get("/verify/").status_code == 200
    response = client.get("/verify/", {"number": f" {contract.number} "})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{contract.number}/"


# -- download ------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["holder", "buyer", "staff"])
def test_parties_and_staff_download_the_file_case(client, contract, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("market:document_download", args=[contract.number]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{contract.number}.pdf"' in response["Content-Disposition"]
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == contract.sha256


@pytest.mark.parametrize("persona", ["outsider", "bank_officer", "anonymous"])
def test_others_get_404_case(client, contract, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("market:document_download", args=[contract.number]))

    assert response.status_code == 404


def test_a_superseded_version_stays_downloadable(client, corrected, holder):
    old, _ = corrected
    client.force_login(holder)

    response = client.get(reverse("market:document_download", args=[old.number]))

    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == old.sha256
