"""The valuation report: a Chinese PDF with the inputs, methods, range, score table with reasons,
a chart of the value distribution (inline SVG) and a QR code.

Not yet a numbered ``market`` Document: the report carries the valuation's own number (PG…), and
its QR code leads to the valuation in the API. Render in a worker, never in a request.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from market.documents.context import CENTRE_NAME, patent_row, zh
from market.documents.pdf import render_pdf
from market.documents.qr import qr_data_uri
from market.money import format_cny

from .inputs import INCOME_BOUNDS
from .models import Valuation

TEMPLATE = "valuation/report.html"
INCOME_LABELS = {"revenue": "首年收入（元）", "growth": "收入年增长率", "royalty_rate": "提成率",
                 "share": "专利分成比例", "discount_rate": "折现率", "economic_life": "经济寿命（年）"}
COST_LABELS = {"development_cost": "研发成本（元）", "development_year": "研发年份", "fees": "官费与代理费（元）",
               "index_rate": "成本指数年变动率", "functional_obsolescence": "功能性贬值率"}
CHART_WIDTH, CHART_HEIGHT, MARGIN = 460, 200, 36


def number(value) -> str:
    """A number as the report writes it, never in scientific notation: 2,000,000 or 1,234.56; 0.045 (rates)."""
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{value:.4f}".rstrip("0").rstrip(".")


def describe(value) -> str:
    """An input as the report writes it: a number, or its distribution in words."""
    if isinstance(value, dict):
        if value.get("distribution") == "triangular":
            return (f"三角分布（最小 {number(value['low'])}，最可能 {number(value['mode'])}，"
                    f"最大 {number(value['high'])}）")
        return f"对数正态分布（中位数 {number(value['median'])}，σ = {number(value['sigma'])}）"
    if value is None:
        return "—"
    return number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def histogram_svg(histogram: dict, marks: dict[str, float]) -> SafeString:
    """Bars of the value distribution with vertical lines at P10, P50 and P90 (inline SVG, no fonts needed
    beyond the page's)."""
    counts, edges = histogram["counts"], histogram["edges"]
    low, high = edges[0], edges[-1]
    span = (high - low) or 1.0
    top = max(counts) or 1
    plot_w, plot_h = CHART_WIDTH - 2 * MARGIN, CHART_HEIGHT - 2 * MARGIN

    def x(value: float) -> float:
        return MARGIN + (min(max(value, low), high) - low) / span * plot_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH * 0.75}pt" height="{CHART_HEIGHT * 0.75}pt" '
             f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" font-family="Noto Sans CJK SC" font-size="10">']
    bar_w = plot_w / len(counts)
    for i, count in enumerate(counts):
        h = count / top * plot_h
        parts.append(f'<rect x="{MARGIN + i * bar_w:.1f}" y="{MARGIN + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                     f'height="{h:.1f}" fill="#c9a77c"/>')
    parts.append(f'<line x1="{MARGIN}" y1="{MARGIN + plot_h}" x2="{MARGIN + plot_w}" y2="{MARGIN + plot_h}" '
                 f'stroke="#333" stroke-width="1"/>')
    for label, value in marks.items():
        px = x(value)
        parts.append(f'<line x1="{px:.1f}" y1="{MARGIN - 6}" x2="{px:.1f}" y2="{MARGIN + plot_h}" stroke="#7a1f1f" '
                     f'stroke-width="1.2" stroke-dasharray="3,2"/>')
        parts.append(f'<text x="{px:.1f}" y="{MARGIN - 9}" text-anchor="middle" fill="#7a1f1f">{escape(label)}</text>')
    for value, anchor in ((low, "start"), (high, "end")):
        parts.append(f'<text x="{x(value):.1f}" y="{MARGIN + plot_h + 14}" text-anchor="{anchor}" fill="#333">'
                     f'{value / 10000:,.1f} 万元</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (built from numbers and escaped labels)


def amounts(row: dict, *names: str) -> dict:
    """A copy of ``row`` with the money strings ``names`` written with thousands separators."""
    return {**row, **{name: f"{Decimal(row[name]):,.2f}" for name in names}}


def verify_url(valuation: Valuation) -> str:
    return settings.PUBLIC_BASE_URL + reverse("valuation:valuation-detail", args=[valuation.pk])


def report_context(valuation: Valuation) -> dict:
    """What the report template shows, read from the stored valuation only."""
    patent = valuation.patent
    methods = valuation.results.get("methods", {})
    headline = methods.get(valuation.method, {})
    money = {name: format_cny(Decimal(getattr(valuation, name))) for name in ("p10", "p50", "p90")}
    chart = None
    if headline.get("histogram"):
        chart = histogram_svg(headline["histogram"], {"P10": float(valuation.p10), "P50": float(valuation.p50),
                                                      "P90": float(valuation.p90)})
    market = methods.get("market")
    if market:
        market = {**(amounts(market, "p10", "p50", "p90") if market["available"] else market),
                  "comparables": [amounts(row, "price_per_patent", "adjusted_price") for row in market["comparables"]]}
    income_inputs = valuation.inputs.get("income") or {}
    cost_inputs = valuation.inputs.get("cost") or {}
    url = verify_url(valuation)
    return {
        "valuation": valuation, "number": valuation.number, "centre_name": CENTRE_NAME,
        "patent": patent_row(patent), "holders": patent.holder_names() or "—",
        "expiry_date": patent.expiry_date, "remaining_years": patent.remaining_years(valuation.valuation_date),
        "industry": zh(patent.get_industry_display()), "method_label": zh(valuation.get_method_display()),
        "money": money, "score": valuation.score, "breakdown": valuation.score_breakdown,
        "income_inputs": [(INCOME_LABELS[k], describe(income_inputs.get(k))) for k in (*INCOME_BOUNDS, "economic_life")
                          if k in income_inputs],
        "cost_inputs": [(COST_LABELS[k], describe(cost_inputs.get(k))) for k in COST_LABELS if k in cost_inputs],
        "income": methods.get("income") and amounts(methods["income"], "p10", "p50", "p90", "mean"),
        "cost": methods.get("cost") and amounts(methods["cost"], "p10", "p50", "p90"), "market": market,
        "schedule": [amounts(row, "revenue", "royalty", "present_value")
                     for row in (methods.get("income") or {}).get("schedule", [])],
        "risk_lines": valuation.results.get("risk_lines", []), "basis": valuation.results.get("basis", ""),
        "chart": chart, "pledge": valuation.pledge_advice, "pledge_ratio": f"{valuation.pledge_ratio:.2%}",
        "max_loan": format_cny(valuation.max_loan), "issued_at": timezone.localtime(),
        "verify_url": url, "qr": qr_data_uri(url),
    }


def report_document_context(document, valuation: Valuation) -> dict:
    """The builder of the numbered report document (market/extensions.py): the report's data."""
    return report_context(valuation)


def render_valuation_report(valuation: Valuation) -> bytes:
    """The valuation report as PDF bytes (Chinese)."""
    return render_pdf(TEMPLATE, report_context(valuation))
