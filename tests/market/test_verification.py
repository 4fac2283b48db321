"""The public verification page (no login: by code or by file, minimal facts) and the download of a document's
file (parties and staff only, by session or API token)."""

import base64
import hashlib
import io
import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageChops

from market.documents.qr import qr_data_uri
from market.models import DocumentKind
from market.services.documents import document_reissue, document_request, document_verify
from market.transfers.models import DealState
from market.views import MAX_UPLOAD_BYTES

from .test_documents import file_bytes, issue, media, parties, pdf_text, transfer_deal  # noqa: F401  (fixtures)

CURRENT = "该文件与签发的当前版本一致"
NOT_MATCHING = "该文件与签发的文书不一致"
UNKNOWN_FILE = "没有与该文件一致的已签发文书"


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


def code_of(document) -> str:
    return document.verification_code_display


def upload(client, document, data: bytes):
    return client.post(reverse("market:verify", args=[code_of(document)]),
                       {"file": SimpleUploadedFile("contract.pdf", data, content_type="application/pdf")})


def page(response) -> str:
    return response.content.decode()


def test_the_code_is_unguessable_and_not_the_number(contract, parties, django_capture_on_commit_callbacks):  # noqa: F811
    other = issue(django_capture_on_commit_callbacks, deal=transfer_deal(*parties, DealState.SIGNED),
                  kind=DocumentKind.TRANSFER_CONTRACT)

    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{16}", contract.verification_code)
    assert contract.verification_code != other.verification_code
    assert contract.number not in contract.verification_code


def test_anyone_sees_only_kind_number_date_and_state(client, contract, parties):  # noqa: F811
    seller, buyer = parties

    response = client.get(f"/verify/{code_of(contract)}/")

    assert response.status_code == 200
    html = page(response)
    for expected in [contract.number, "专利权转让合同", f"{timezone.localtime(contract.issued_at):%Y-%m-%d}", "已签发的当前版本"]:
        assert expected in html, expected
    for hidden in [seller.name, buyer.name, contract.deal.number, contract.sha256, "download"]:
        assert hidden not in html, hidden


@pytest.mark.parametrize("persona", ["holder", "buyer", "staff"])
def test_parties_signed_in_see_the_rest_case(client, contract, persona, request):
    client.force_login(request.getfixturevalue(persona))

    html = page(client.get(f"/verify/{code_of(contract)}/"))

    for expected in [contract.deal.seller.name, contract.deal.buyer.name, contract.deal.number, contract.sha256,
                     reverse("market:document_download", args=[contract.number])]:
        assert expected in html, expected


def test_another_organisation_signed_in_sees_only_the_public_part(client, contract, outsider):
    client.force_login(outsider)

    html = page(client.get(f"/verify/{code_of(contract)}/"))

    assert contract.number in html
    assert contract.deal.seller.name not in html and contract.sha256 not in html


def test_the_number_no_longer_opens_the_page(client, contract):
    response = client.get(f"/verify/{contract.number}/")

    assert response.status_code == 404
    assert contract.deal.seller.name not in page(response)


def test_the_code_is_typed_in_any_case_with_or_without_dashes(client, contract):
    assert client.get(f"/verify/{contract.verification_code.lower()}/").status_code == 200
    response = client.get("/verify/", {"code": f" {contract.verification_code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code_of(contract)}/"


def test_the_qr_code_on_every_page_holds_the_page_address(contract, settings, tmp_path):
    url = f"{settings.PUBLIC_BASE_URL}/verify/{code_of(contract)}/"
    expected = Image.open(io.BytesIO(base64.b64decode(qr_data_uri(url).split(",", 1)[1]))).convert("L")
    subprocess.run(["pdfimages", "-png", contract.file.path, str(tmp_path / "qr")], check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", contract.file.path], check=True,
                                                            capture_output=True, text=True).stdout)[1])

    images = sorted(tmp_path.glob("qr-*.png"))

    assert len(images) == pages >= 1
    for path in images:
        assert ImageChops.difference(Image.open(path).convert("L"), expected).getbbox() is None
    text = pdf_text(contract)
    assert url in text  # printed under the code as well
    assert f"核验码：{code_of(contract)}" in text


def test_uploading_the_issued_file_matches_the_current_version(client, contract):
    response = upload(client, contract, file_bytes(contract))

    assert response.status_code == 200
    assert CURRENT in page(response)


def test_the_file_alone_finds_its_document(client, contract):
    response = client.post("/verify/", {"file": SimpleUploadedFile("c.pdf", file_bytes(contract))})

    assert response.status_code == 200
    assert CURRENT in page(response) and contract.number in page(response)
    assert contract.deal.seller.name not in page(response)


def test_an_unknown_file_alone_finds_nothing(client, contract):
    response = client.post("/verify/", {"file": SimpleUploadedFile("c.pdf", b"%PDF-1.4 something else")})

    assert response.status_code == 404
    assert UNKNOWN_FILE in page(response)


def test_an_altered_file_does_not_match(client, contract):
    data = bytearray(file_bytes(contract))
    data[len(data) // 2] ^= 0x01

    response = upload(client, contract, bytes(data))

    assert response.status_code == 200
    assert NOT_MATCHING in page(response)
    assert hashlib.sha256(bytes(data)).hexdigest() in page(response)


def test_sha256_in_the_query_is_checked(client, contract):
    url = f"/verify/{code_of(contract)}/"
    assert CURRENT in page(client.get(url, {"sha256": contract.sha256.upper()}))
    assert NOT_MATCHING in page(client.get(url, {"sha256": "0" * 64}))
    assert "SHA-256 校验值格式无效" in page(client.get(url, {"sha256": "abc"}))


def test_after_a_correction_the_old_version_is_reported_superseded(client, corrected):
    old, new = corrected

    html = page(client.get(f"/verify/{code_of(old)}/"))
    assert "该版本已被取代" in html and new.number in html

    html = page(upload(client, old, file_bytes(old)))
    assert "该文件与已被取代的旧版本一致，不再有效" in html

    html = page(upload(client, old, file_bytes(new)))
    assert CURRENT in html  # the current version's file, checked on the old code's page

    html = page(upload(client, new, file_bytes(new)))
    assert CURRENT in html and "已签发的当前版本" in html


def test_service_answers_for_bytes(contract):
    data = file_bytes(contract)

    result = document_verify(code=contract.verification_code, data=data)
    assert (result.found, result.is_current, result.matches, result.matched_document) == (True, True, True, contract)
    assert result.message == CURRENT

    result = document_verify(code=contract.verification_code, data=data + b"\n")
    assert (result.matches, result.matched_document, result.message) == (False, None, NOT_MATCHING)


def test_unknown_or_unissued_codes_are_not_found(client, parties, django_capture_on_commit_callbacks):  # noqa: F811
    deal = transfer_deal(*parties, DealState.SIGNED)
    with django_capture_on_commit_callbacks():  # requested, never rendered: pending
        pending = document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)

    for code in ["AAAA-BBBB-CCCC-DDDD", code_of(pending)]:
        response = client.get(f"/verify/{code}/")
        assert response.status_code == 404
        assert "未找到该核验码对应的已签发文书" in page(response)
        assert deal.seller.name not in page(response)


def test_upload_limits(client, contract):
    response = client.post(f"/verify/{code_of(contract)}/", {})
    assert response.status_code == 400
    assert "请选择要核验的 PDF 文件" in page(response)

    response = upload(client, contract, b"\0" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 413
    assert "文件超过 20 MB" in page(response)


def test_the_page_is_throttled_per_address(client, contract, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "verify": "3/min"}
    url = f"/verify/{code_of(contract)}/"

    statuses = [client.get(url, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    other_address = client.get(url, REMOTE_ADDR="203.0.113.8")

    assert statuses == [200, 200, 200, 429]
    assert other_address.status_code == 200
    refused = client.get(url, REMOTE_ADDR="203.0.113.7")
    assert int(refused["Retry-After"]) > 0 and "核验请求过于频繁" in page(refused)


def test_guessing_codes_finds_nothing_before_the_throttle_stops_it(client, contract, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "verify": "30/min"}
    statuses = [client.get(f"/verify/{n:016d}/").status_code for n in range(40)]

    assert set(statuses[:30]) == {404} and set(statuses[30:]) == {429}


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


def api_token(client, user) -> str:
    user.set_password("long-enough-pass-29")
    user.save()
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "long-enough-pass-29"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_the_api_streams_the_file_to_a_party_with_a_token(client, contract, holder):
    token = api_token(client, holder)

    response = client.get(f"/api/v1/documents/{contract.number}/download/", HTTP_AUTHORIZATION=f"Token {token}",
                          HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == contract.sha256
    listed = client.get(f"/api/v1/deals/{contract.deal_id}/documents/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert listed[0]["download_url"] == f"/api/v1/documents/{contract.number}/download/"
    assert listed[0]["verification_code"] == code_of(contract)


def test_the_api_refuses_the_file_to_others(client, contract, outsider):
    token = api_token(client, outsider)

    response = client.get(f"/api/v1/documents/{contract.number}/download/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 404
    assert client.get(f"/api/v1/documents/{contract.number}/download/").status_code == 401
