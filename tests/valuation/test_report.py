"""The valuation report PDF reads back (pdftotext) with the patent number, the range and the score table."""

import re
import subprocess

import pytest

from market.money import format_cny
from valuation.report import histogram_svg, render_valuation_report
from valuation.services import valuation_create

from .conftest import closed_deal, comparable_patent

INCOME = {"revenue": {"distribution": "lognormal", "median": 2_000_000, "sigma": 0.5},
          "royalty_rate": {"distribution": "triangular", "low": 0.02, "mode": 0.04, "high": 0.07},
          "share": 0.3, "discount_rate": 0.12, "economic_life": 8}


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def valuation(holder, patent, agency):
    from valuation.services import valuation_sign_off

    for ipc, price in (("H01M10/05", "300000.00"), ("H01M4/36", "420000.00"), ("C08L23/06", "380000.00")):
        closed_deal(patents=[comparable_patent(ipc)], price=price)
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": INCOME, "seed": 5})
    return valuation_sign_off(valuation_id=valuation.pk, actor=agency)


def test_report_pdf_reads_back_with_patent_number_range_and_scores(valuation, patent, tmp_path):
    pdf = render_valuation_report(valuation)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert "专利价值评估报告" in flat and valuation.number in flat
    assert patent.patent_number in flat and patent.title in flat
    for figure in (valuation.p10, valuation.p50, valuation.p90):
        assert format_cny(figure) in text
    assert "收益法" in flat and "折现率" in flat and "对数正态分布" in flat
    assert "权利要求10项，其中独立权利要求2项" in flat          # a reason from the score table
    assert f"综合评分{valuation.score}分" in flat
    assert "采用可比成交3笔" in flat                             # the market method's cross-check
    assert "之江资产评估有限公司" in flat                        # signed off
    assert "本建议仅供参考，由银行最终决定" in flat
    assert "第1页/共" in flat and valuation.number in flat     # the running footer (shared with market documents)


def test_report_without_comparables_says_why(holder, patent, tmp_path):
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": INCOME})
    flat = re.sub(r"\s+", "", pdf_text(render_valuation_report(valuation), tmp_path))
    assert "平台可比成交仅0笔，少于最低要求3笔，不给出市场法价值" in flat
    assert "本评估尚未经评估机构签署" in flat


def test_histogram_svg_marks_the_percentiles():
    svg = histogram_svg({"edges": [0, 10, 20, 30], "counts": [1, 5, 2]}, {"P10": 5.0, "P50": 12.0, "P90": 28.0})
    assert svg.count("<rect") == 3 and ">P10<" in svg and ">P50<" in svg and ">P90<" in svg


def test_report_is_issued_as_a_numbered_document_with_verification(valuation, holder, client,
                                                                   django_capture_on_commit_callbacks, outsider):
    import subprocess

    from rest_framework.test import APIClient

    requester = holder
    api = APIClient()
    api.force_authenticate(requester)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"/api/v1/valuations/{valuation.pk}/report/").json()
    again = api.post(f"/api/v1/valuations/{valuation.pk}/report/").json()
    assert again["number"] == first["number"] and first["number"].startswith("ZJIP-PG-")
    issued = api.post(f"/api/v1/valuations/{valuation.pk}/report/").json()
    assert issued["state"] == "issued" and issued["download_url"]
    client.force_login(requester)
    pdf = b"".join(client.get(issued["download_url"]).streaming_content)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert issued["number"] in text and valuation.patent.application_number in text
    assert client.get(issued["verify_url"]).status_code == 200
    assert issued["verify_url"] == f"/verify/{issued['verification_code']}/"
    client.force_login(outsider)
    assert client.get(issued["download_url"]).status_code == 404
    outsider_api = APIClient()
    outsider_api.force_authenticate(outsider)
    assert outsider_api.post(f"/api/v1/valuations/{valuation.pk}/report/").status_code == 404


def test_inputs_are_written_with_thousands_separators_never_in_scientific_notation():
    from valuation.report import describe

    assert describe(2e6) == "2,000,000" and describe(1234.5) == "1,234.50" and describe(0.045) == "0.045"
    assert describe({"distribution": "triangular", "low": 1.5e6, "mode": 2e6, "high": 2.6e6}) == (
        "三角分布（最小 1,500,000，最可能 2,000,000，最大 2,600,000）")
    assert "e+" not in describe({"distribution": "lognormal", "median": 2e6, "sigma": 0.3})
