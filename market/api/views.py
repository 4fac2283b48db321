"""API views: each state transition is a POST action on its object; logic stays in market.services."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from market.models import DocumentState, Patent
from market.rules import blockers_for
from market.selectors import (
    documents_visible_to,
    escrows_visible_to,
    listings_visible_to,
    patents_visible_to,
)
from market.services import listings as listing_services
from market.services.errors import ActionForbidden
from market.views import document_file_response

from . import serializers as s
from .common import REFUSED, ObjectActionsMixin
from .permissions import ReadOnlyOrMember
from .register import RegisterEventSerializer, register_history


class PatentViewSet(viewsets.ReadOnlyModelViewSet):
    """Patents: public register data, fed by the register's data only; an organisation joins its holdings by a
    claim (``/api/v1/claims/``)."""

    serializer_class = s.PatentSerializer
    filterset_fields = ["kind", "legal_status", "industry"]

    def get_queryset(self):
        qs = patents_visible_to(self.request.user).select_related("mark").prefetch_related("ownerships")
        if self.request.query_params.get("mine") and self.request.user.is_authenticated:
            qs = qs.filter(ownerships__organisation_id=self.request.user.organisation_id)
        return qs

    @extend_schema(responses=RegisterEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The patent's register history: every event the register recorded, oldest first."""
        return Response(RegisterEventSerializer(register_history(self.get_object()), many=True).data)

    @extend_schema(responses=s.EncumbranceSerializer(many=True))
    @action(detail=True, methods=["get"])
    def encumbrances(self, request, pk=None):
        """The patent's register: encumbrances in force and past."""
        patent = self.get_object()
        return Response(s.EncumbranceSerializer(patent.encumbrances.all(), many=True).data)

    @extend_schema(responses={200: OpenApiResponse(description="{act: [reasons]} for the caller's organisation")})
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def rules(self, request, pk=None):
        """May my organisation transfer / license / pledge / openly license this patent now, and if not, why."""
        patent = self.get_object()
        if request.user.organisation is None:
            raise ActionForbidden("用户未关联机构 / The user belongs to no organisation")
        result = blockers_for(patent, request.user.organisation)
        return Response({act: {"allowed": not reasons, "reasons": [r.as_dict() for r in reasons]}
                         for act, reasons in result.items()})


class ListingViewSet(ObjectActionsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Listings; drafts are visible to their organisation and staff only."""

    service_key = "listing_id"
    answer_serializer = s.ListingSerializer
    serializer_class = s.ListingSerializer
    permission_classes = [ReadOnlyOrMember]
    filterset_fields = ["mode", "state"]

    def get_queryset(self):
        # the serialiser shows the patents' ids only
        return listings_visible_to(self.request.user).prefetch_related(
            Prefetch("patents", queryset=Patent.objects.only("pk")))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = listing_services.listing_create(
            actor=self.request.user, title=data["title"], mode=data["mode"],
            patent_ids=[p.pk for p in data["patents"]], asking_price=data.get("asking_price"),
            description=data.get("description", ""), terms=data.get("terms", ""))

    @extend_schema(request=None, responses={200: s.ListingSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.act(request, listing_services.listing_submit)

    @extend_schema(request=None, responses={200: s.ListingSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.act(request, listing_services.listing_publish)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.ListingSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.act(request, listing_services.listing_reject, body=s.ReasonSerializer)

    @extend_schema(request=None, responses={200: s.ListingSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.act(request, listing_services.listing_withdraw)


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Escrows the caller's organisation paid or receives, with their ledger transactions.

    Money moves only through the deal actions (pay, pay_registration_fee, release, cancel)."""

    serializer_class = s.PaymentSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state"]

    def get_queryset(self):
        # Newest first, so that pages do not shift between requests.
        return (escrows_visible_to(self.request.user).prefetch_related("transactions__entries__account")
                .order_by("-created_at", "-pk"))


class PDFRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the file itself is streamed as it is stored."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Documents of the caller's deals, loans, licences and valuations."""

    serializer_class = s.DocumentSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return documents_visible_to(self.request.user).select_related("patent")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[PDFRenderer, JSONRenderer])
    def download(self, request, number=None):
        """The issued PDF (404 for a document still being rendered, or one the caller may not see)."""
        document = get_object_or_404(self.get_queryset(), number=number, state=DocumentState.ISSUED)
        return document_file_response(document)
