"""The cockpit in a real browser: charts and the map render, a click on a city filters every chart and table,
the Excel export downloads the figures shown, and nothing errs in the console."""

import io

import pytest
from openpyxl import load_workbook

from stats.price_index import rebuild_index
from tests.stats.builders import build_market

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NINGBO = [121.549792, 29.868388]  # the map's own centre of 宁波市 (frontend/static/vendor/zhejiang.json)


def test_the_cockpit_renders_filters_by_city_and_exports(browser, live_server, holder_org, buyer_org, bank_org):
    build_market(holder_org, buyer_org, bank_org)  # hand-counted deals of 2025 (tests/stats/builders.py)
    rebuild_index()
    page = browser.new_context(base_url=live_server.url, locale="zh-CN", accept_downloads=True).new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto("/stats/")
    page.wait_for_selector("#cockpit[data-ready='1']", timeout=20_000)
    for chart in ("chart-map", "chart-period", "chart-industry", "chart-kind", "chart-index"):
        assert page.locator(f"#{chart} canvas").count() >= 1, chart
    assert page.locator("#table-city tbody tr").all_inner_texts() == ["杭州\t3", "宁波\t1"]
    assert page.locator("#table-period tfoot").inner_text() == "合计\t4"

    loaded = int(page.locator("#cockpit").get_attribute("data-loaded"))
    x, y = page.evaluate("([lng, lat]) => echarts.getInstanceByDom(document.getElementById('chart-map'))"
                         ".convertToPixel({seriesIndex: 0}, [lng, lat])", NINGBO)
    box = page.locator("#chart-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector(f"#cockpit[data-loaded='{loaded + 1}']")
    assert page.locator("#city-name").inner_text() == "宁波市"
    assert page.locator("#table-period tfoot").inner_text() == "合计\t1"
    assert page.locator("#table-industry tbody tr").all_inner_texts() == ["生命健康\t1"]

    with page.expect_download() as download:
        page.locator("#table-period a.export").click()
    with open(download.value.path(), "rb") as workbook:
        sheet = load_workbook(io.BytesIO(workbook.read())).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "合计"]
    assert [row[:2] for row in rows] == [("合计", 1)]

    page.locator("#city-clear").click()
    page.wait_for_selector(f"#cockpit[data-loaded='{loaded + 2}']")
    assert page.locator("#table-period tfoot").inner_text() == "合计\t4"
    assert problems == [], "\n".join(problems)
