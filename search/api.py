"""``GET /api/v1/search/listings/``: public listings by text, filters, facets, sort and page."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .backends import InvalidSearchQuery, SearchQuery, get_search_backend
from .backends.base import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_TEXT_LENGTH
from .schema import FACETS, VALUE_FACETS, Sort


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchHitSerializer(serializers.Serializer):
    listing_id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="相关度，仅按相关度排序时有值 / Relevance score")
    mode = serializers.CharField()
    mode_label = serializers.CharField()
    asking_price = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True,
                                            help_text="挂牌价（元），null 表示面议 / CNY; null means negotiable")
    holder = serializers.CharField()
    city = serializers.CharField()
    city_label = serializers.CharField()
    industry = serializers.CharField()
    industry_label = serializers.CharField()
    patent_numbers = serializers.ListField(child=serializers.CharField())
    remaining_years = serializers.FloatField(allow_null=True, help_text="最短剩余保护期（年）/ Shortest remaining term")
    published_at = serializers.DateTimeField(allow_null=True)
    highlights = serializers.DictField(
        child=serializers.CharField(),
        help_text="title / abstract 片段，检索词以 <mark> 标出，其余已转义 / Snippets: safe HTML with <mark>")


class SearchPageSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    hits = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True),
                                   help_text=f"分面计数 / Facet counts: {', '.join(FACETS)}")


def _choices_text(choices) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choices.choices)


PARAMETERS = [
    OpenApiParameter("q", str, description=f"检索词，多个词须同时命中 / Words, all must match (≤{MAX_TEXT_LENGTH} chars)"),
    *[OpenApiParameter(name, str, many=True, enum=list(choices.values), explode=True,
                       description=f"可重复或逗号分隔，任一匹配 / Repeat or comma-separate; any matches. "
                                   f"{_choices_text(choices)}")
      for name, choices in VALUE_FACETS.items()],
    OpenApiParameter("ipc_prefix", str, description="IPC 分类号前缀 / IPC prefix: H, H01, H01M, H01M50, H01M50/403"),
    OpenApiParameter("price_min", OpenApiTypes.DECIMAL, description="最低价（元），排除面议 / Minimum price, CNY"),
    OpenApiParameter("price_max", OpenApiTypes.DECIMAL, description="最高价（元），排除面议 / Maximum price, CNY"),
    OpenApiParameter("remaining_years_min", OpenApiTypes.DECIMAL,
                     description="最短剩余保护期下限（年）/ Minimum remaining term in years"),
    OpenApiParameter("sort", str, enum=list(Sort.values), default=Sort.RELEVANCE, description=_choices_text(Sort)),
    OpenApiParameter("page", int, default=1),
    OpenApiParameter("page_size", int, default=DEFAULT_PAGE_SIZE, description=f"1–{MAX_PAGE_SIZE}"),
]


class ListingSearchView(APIView):
    """Search the published listings; anyone may search."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="search_listings",
        summary="检索挂牌 / Search listings",
        parameters=PARAMETERS,
        responses={
            200: SearchPageSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="参数错误：参数名 → 错误信息（中文 / English）/ Bad parameters: name → messages",
                examples=[OpenApiExample("unknown sort", value={"sort": [
                    "未知的取值“cheapest”，可选：relevance, price_asc, price_desc, newest, remaining_life / "
                    "Unknown value 'cheapest'; choose from: relevance, price_asc, price_desc, newest, remaining_life"]})],
            ),
        },
        tags=["search"],
    )
    def get(self, request):
        try:
            query = SearchQuery.from_params(request.query_params)
        except InvalidSearchQuery as exc:
            raise ValidationError(exc.errors) from exc
        page = get_search_backend().search(query)
        return Response(SearchPageSerializer(page).data)
