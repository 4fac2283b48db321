"""Valuation API: value a patent, list a patent's history, read one valuation and its score, sign off.

Visibility is object-level (``valuation.selectors.valuations_visible_to``): a valuation another
organisation may not see answers 404.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from market.api.permissions import ReadOnlyOrMember
from market.api.serializers import DocumentSerializer

from . import serializers as s
from .inputs import ValuationInputError
from .selectors import valuations_visible_to
from .services import valuation_create, valuation_report_request, valuation_sign_off


class ValuationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Valuations: any organisation may value any patent (register data is public); it then sees the
    valuations it requested and those of the patents it holds; banks, staff and valuation agencies see all."""

    serializer_class = s.ValuationSerializer
    permission_classes = [IsAuthenticated, ReadOnlyOrMember]

    def get_queryset(self):
        qs = valuations_visible_to(self.request.user)
        patent = self.request.query_params.get("patent")
        if self.action == "list" and patent:
            if not patent.isdigit():
                raise ValidationError({"patent": ["须为专利编号（整数） / Must be a patent id (integer)"]})
            qs = qs.filter(patent_id=int(patent))
        return qs

    @extend_schema(parameters=[OpenApiParameter("patent", OpenApiTypes.INT, description="专利编号：该专利的估值历史 / "
                                                                                       "patent id: its history")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.ValuationRequestSerializer, responses={
        201: s.ValuationSerializer, 400: OpenApiResponse(description="参数超出范围，按字段给出 / Out-of-range inputs, by field"),
        403: OpenApiResponse(description="须使用机构账户 / An organisation account is needed")})
    def create(self, request, *args, **kwargs):
        """Value a patent: income (default), market or cost method, with a Monte Carlo range and the score."""
        request_serializer = s.ValuationRequestSerializer(data=request.data)
        request_serializer.is_valid(raise_exception=True)
        data = dict(request_serializer.validated_data)
        patent = data.pop("patent")
        try:
            valuation = valuation_create(patent_id=patent.pk, actor=request.user, inputs=data)
        except ValuationInputError as exc:
            raise ValidationError(exc.errors) from None
        valuation = self.get_queryset().get(pk=valuation.pk)
        return Response(self.get_serializer(valuation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.ScoreSerializer)
    @action(detail=True, methods=["get"])
    def score(self, request, pk=None):
        """The score's breakdown: each indicator's score, weight and reason."""
        return Response(self.get_object().score_breakdown)

    @extend_schema(request=None, responses={
        200: s.ValuationSerializer, 403: OpenApiResponse(description="只有评估机构可签署 / Valuation agencies only"),
        409: OpenApiResponse(description="已由其他评估机构签署 / Already signed off by another agency")})
    @action(detail=True, methods=["post"])
    def sign_off(self, request, pk=None):
        """A valuation agency's user signs the valuation off (a repeat by the same agency changes nothing)."""
        valuation = self.get_object()
        valuation_sign_off(valuation_id=valuation.pk, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=valuation.pk)).data)

    @extend_schema(request=None, responses={200: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Issue (or return) the numbered valuation report PDF; it renders in the worker, then download_url is set."""
        document = valuation_report_request(valuation_id=self.get_object().pk)
        return Response(DocumentSerializer(document).data)
