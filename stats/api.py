"""The cockpit's API under /api/v1/stats/: every figure a chart or table shows, from the same computation."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from market.web.labels import pick_half, pick_language

from . import access, selectors
from .exports import table_workbook
from .indicators import GROUPS, INDICATORS
from .params import parse
from .price_index import GROUPINGS, index_series, royalty_benchmarks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARAMETERS = [
    OpenApiParameter("by", str, enum=list(selectors.BREAKDOWNS), description="分项 / Breakdown (default period)"),
    OpenApiParameter("period", str, enum=list(selectors.PERIODS), description="月/季/年 / Period length"),
    OpenApiParameter("from", str, description="起始月 YYYY-MM / First month"),
    OpenApiParameter("to", str, description="截止月 YYYY-MM / Last month"),
    OpenApiParameter("city", str, description="地市代码，如 3301 / City code"),
    OpenApiParameter("industry", str), OpenApiParameter("kind", str),
    OpenApiParameter("holder_type", str, description="仅工作人员 / Staff only"),
    OpenApiParameter("bank", str, description="银行编号（工作人员）或 own（本行）/ A bank's id (staff) or own"),
]


def plain(value):
    """Money and rates as exact strings, counts as numbers (JSON floats would round money)."""
    return str(value) if isinstance(value, Decimal) else value


def _table(request, key: str) -> dict:
    indicator = INDICATORS.get(key)
    if indicator is None:
        raise Http404
    audience = access.audience_of(request.user)
    query = parse(indicator, request.query_params, audience)
    access.check(query, audience)
    return selectors.table(query)


class IndicatorListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="统计指标及其口径 / The indicators and their definitions", responses=OpenApiTypes.OBJECT,
                   operation_id="v1_stats_indicators_list")
    def get(self, request):
        return Response({"groups": [{"key": k, "label": pick_half(f"{zh} / {en}")} for k, (zh, en) in GROUPS.items()],
                         "indicators": [{
                             "key": i.key, "label": pick_language(f"{i.label} {i.label_en}"), "group": i.group,
                             "unit": i.unit, "stock": i.stock, "by_bank": i.has_bank, "by_kind": i.has_kind,
                             "target_per_year": plain(i.target_per_year),
                             "definition": [pick_half(t) for t in i.definition()]} for i in INDICATORS.values()]})


class IndicatorView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="一个指标的数据（图表与表格所示）/ One indicator's figures, as charted and tabled",
                   parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request, key: str):
        table = _table(request, key)
        table["rows"] = [{**row, "value": plain(row["value"])} for row in table["rows"]]
        table["total"], table["target"] = plain(table["total"]), plain(table["target"])
        return Response(table)


class IndicatorExportView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="导出 Excel（与页面所示数字相同）/ The same figures as an Excel workbook",
                   parameters=PARAMETERS, responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request, key: str):
        table = _table(request, key)
        response = HttpResponse(table_workbook(table), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="stats-{key}-{table["by"]}-{table["period"]}.xlsx"'
        return response


class PriceIndexView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="专利交易价格指数（季度，链式）/ The quarterly chain-linked deal-price index",
                   parameters=[OpenApiParameter("grouping", str, enum=list(GROUPINGS))], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        grouping = request.query_params.get("grouping", "all")
        if grouping not in GROUPINGS:
            return Response({"grouping": [f"可选：{'、'.join(GROUPINGS)} / One of: {', '.join(GROUPINGS)}"]}, status=400)
        return Response(index_series(grouping))


class RoyaltyView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="开放许可费率基准（按产业的中位数）/ Open-licence royalty benchmarks by industry",
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(royalty_benchmarks())
