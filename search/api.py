"""The search API: ``GET /api/v1/search/listings/`` (public listings by text, filters, facets, sort and page),
``GET /api/v1/search/suggest/?q=`` (completions as you type) and
``GET /api/v1/search/listings/{id}/similar/`` (published listings like a listing the user may see).
"""

from contextlib import contextmanager

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from market.selectors import listings_visible_to

from .backends import InvalidSearchQuery, SearchQuery, SearchUnavailable, get_search_backend
from .backends.base import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_TEXT_LENGTH, SIMILAR_LIMIT
from .schema import FACETS, VALUE_FACETS, Sort
from .similar import cached_similar
from .suggest import DEFAULT_LIMIT, MAX_KEY_LENGTH, SuggestionKind


class SearchServiceUnavailable(APIException):
    """503 with Retry-After: the engine cannot answer now (DRF sets the header from ``wait``)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = SearchUnavailable.message
    default_code = "search_unavailable"
    wait = SearchUnavailable.retry_after


@contextmanager
def engine_answers():
    """Within: an engine that cannot answer now becomes the API's 503, never a 500."""
    try:
        yield
    except SearchUnavailable as exc:
        raise SearchServiceUnavailable() from exc


UNAVAILABLE = OpenApiResponse(description=SearchUnavailable.message + "（Retry-After）")


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
    total_estimated = serializers.BooleanField(
        source="estimated",
        help_text="总数与分面计数为抽样估计（检索词命中极多时）/ Total and facet counts are estimated from a sample "
                  "(words found in very many listings)")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField(
        help_text="总数为估计时，至少到本页及下一页 / With an estimated total: at least this page and the next with hits")
    has_next = serializers.BooleanField(
        help_text="下一页是否还有结果（总数为估计时按实际查找判断）/ Whether a next page holds hits (looked up, not "
                  "inferred, when the total is estimated)")
    hits = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True),
                                   help_text=f"分面计数 / Facet counts: {', '.join(FACETS)}")


def _choices_text(choices) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choices.choices)


PARAMETERS = [
    OpenApiParameter("q", {"type": "string", "maxLength": MAX_TEXT_LENGTH},
                     description=f"检索词，多个词须同时命中 / Words, all must match (≤{MAX_TEXT_LENGTH} chars)"),
    *[OpenApiParameter(name, str, many=True, enum=list(choices.values), explode=True,
                       description=f"可重复或逗号分隔，任一匹配 / Repeat or comma-separate; any matches. "
                                   f"{_choices_text(choices)}")
      for name, choices in VALUE_FACETS.items()],
    OpenApiParameter("ipc_prefix", {"type": "string", "maxLength": 20},
                     description="IPC 分类号前缀 / IPC prefix: H, H01, H01M, H01M50, H01M50/403"),
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
            503: UNAVAILABLE,
        },
        tags=["search"],
    )
    def get(self, request):
        try:
            query = SearchQuery.from_params(request.query_params)
        except InvalidSearchQuery as exc:
            raise ValidationError(exc.errors) from exc
        with engine_answers():
            page = get_search_backend().search(query)
        return Response(SearchPageSerializer(page).data)


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="显示的文字 / Text shown")
    kind = serializers.ChoiceField(choices=list(SuggestionKind.LABELS), help_text="title / holder / ipc")
    kind_label = serializers.CharField()
    params = serializers.DictField(child=serializers.CharField(),
                                   help_text="选中后的检索参数 / Search parameters it stands for, e.g. {\"q\": …}")


class SuggestionsSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)


class SuggestView(APIView):
    """Completions of what is typed into the search box; anyone may ask."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="search_suggest",
        summary="检索建议 / Suggestions as you type",
        parameters=[OpenApiParameter("q", str, required=True, description=f"已输入的文字 / Text typed so far "
                                                                          f"(≤{MAX_KEY_LENGTH} chars used)")],
        responses={200: SuggestionsSerializer, 503: UNAVAILABLE},
        tags=["search"],
    )
    def get(self, request):
        with engine_answers():
            suggestions = get_search_backend().suggest(request.query_params.get("q", ""), limit=DEFAULT_LIMIT)
        return Response(SuggestionsSerializer({"suggestions": suggestions}).data)


class SimilarListingsSerializer(serializers.Serializer):
    hits = SearchHitSerializer(many=True)


class SimilarListingsView(APIView):
    """Published listings like one the user may see (itself excluded); 404 for a listing they may not see."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="search_similar_listings",
        summary="相似挂牌 / Similar listings",
        responses={200: SimilarListingsSerializer, 404: OpenApiResponse(description="无此挂牌 / No such listing"),
                   503: UNAVAILABLE},
        tags=["search"],
    )
    def get(self, request, pk: int):
        listing = get_object_or_404(listings_visible_to(request.user), pk=pk)
        with engine_answers():
            hits = cached_similar(listing.pk, limit=SIMILAR_LIMIT)
        return Response(SimilarListingsSerializer({"hits": hits}).data)
