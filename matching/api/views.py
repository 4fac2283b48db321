"""Matching API: demands (their organisation and staff), their ranked matches, proposals with POST actions
for each outcome, conversion figures, saved searches. Logic stays in matching.services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from market.api.common import REFUSED, ObjectActionsMixin, payload
from market.api.permissions import IsCentreStaff
from market.selectors import listings_visible_to

from ..matcher import match_demand
from ..models import DemandState
from ..selectors import demands_visible_to, proposal_conversion, proposals_visible_to, saved_searches_of
from ..services import demands as demand_services
from ..services import proposals as proposal_services
from ..services.subscriptions import saved_search_create, saved_search_delete
from . import serializers as s

MAX_MATCHES = 50


class DemandViewSet(ObjectActionsMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                    viewsets.ReadOnlyModelViewSet):
    """Technology demands. An organisation sees and manages its own; staff see all and post on a company's
    behalf. Another organisation's demand answers 404."""

    serializer_class = answer_serializer = s.DemandSerializer
    service_key = "demand_id"
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        qs = demands_visible_to(self.request.user)
        if state := self.request.query_params.get("state"):
            if state not in DemandState.values:
                raise ValidationError({"state": [f"未知状态“{state}” / Unknown state '{state}'"]})
            qs = qs.filter(state=state)
        return qs

    @extend_schema(parameters=[OpenApiParameter("state", OpenApiTypes.STR, enum=DemandState.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.DemandInputSerializer, responses={201: s.DemandSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        """Post a demand (for one's own organisation; staff: for ``organisation``)."""
        data = payload(s.DemandInputSerializer, request)
        organisation = data.pop("organisation", None)
        demand = demand_services.demand_create(actor=request.user, organisation_id=organisation.pk if organisation
                                               else None, **data)
        return self.answer(request, demand.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.DemandUpdateSerializer, responses={200: s.DemandSerializer, **REFUSED})
    def update(self, request, *args, **kwargs):
        """Change an open demand (PUT and PATCH alike change only the fields sent)."""
        demand = self.get_object()
        changes = dict(payload(s.DemandUpdateSerializer, request))
        demand_services.demand_update(demand_id=demand.pk, actor=request.user, **changes)
        return self.answer(request, demand.pk)

    @extend_schema(request=s.DemandUpdateSerializer, responses={200: s.DemandSerializer, **REFUSED})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.DemandSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.act(request, demand_services.demand_withdraw, body=s.OptionalReasonSerializer)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.DemandSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.act(request, demand_services.demand_close, body=s.OptionalReasonSerializer)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.DemandSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.act(request, demand_services.demand_reopen, body=s.OptionalReasonSerializer)

    @extend_schema(parameters=[OpenApiParameter("limit", OpenApiTypes.INT, description=f"1–{MAX_MATCHES}，默认 10")],
                   responses=s.MatchSerializer(many=True))
    @action(detail=True, methods=["get"])
    def matches(self, request, pk=None):
        """Published listings ranked for the demand, each with its score and why it matches."""
        demand = self.get_object()
        raw = request.query_params.get("limit", "10")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_MATCHES:
            raise ValidationError({"limit": [f"须为 1 至 {MAX_MATCHES} 的整数 / Must be an integer from 1 to {MAX_MATCHES}"]})
        return Response(s.MatchSerializer(match_demand(demand, limit=int(raw)), many=True).data)

    @extend_schema(responses=s.ProposalSerializer(many=True))
    @action(detail=True, methods=["get"])
    def proposals(self, request, pk=None):
        """The listings proposed for this demand and their outcomes."""
        demand = self.get_object()
        proposals = proposals_visible_to(request.user).filter(demand=demand)
        return Response(s.ProposalSerializer(proposals, many=True).data)


class ProposalViewSet(ObjectActionsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Match proposals: staff propose and mark outcomes; the demand's organisation may start a transfer deal;
    the listing's holder sees the proposals of its listings. Others: 404."""

    serializer_class = answer_serializer = s.ProposalSerializer
    service_key = "proposal_id"
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state"]
    # Staff-only actions answer 403 before anything is looked up: no one else learns which ids exist.
    staff_actions = ("create", "accept", "reject", "mark_deal_started", "mark_deal_closed", "conversion")

    def get_permissions(self):
        return [IsCentreStaff()] if self.action in self.staff_actions else super().get_permissions()

    def get_queryset(self):
        return proposals_visible_to(self.request.user)

    @extend_schema(request=s.ProposalCreateSerializer, responses={201: s.ProposalSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        """Staff propose a published listing for an open demand; both organisations are notified."""
        data = payload(s.ProposalCreateSerializer, request)
        listing = get_object_or_404(listings_visible_to(request.user), pk=data["listing"])
        proposal = proposal_services.proposal_create(demand_id=data["demand"].pk, listing_id=listing.pk,
                                                     actor=request.user, note=data["note"])
        return self.answer(request, proposal.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.ProposalSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.act(request, proposal_services.proposal_accept, body=s.OptionalReasonSerializer)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.ProposalSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.act(request, proposal_services.proposal_reject, body=s.OptionalReasonSerializer)

    @extend_schema(request=s.ProposalDealSerializer, responses={200: s.ProposalSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def start_deal(self, request, pk=None):
        """The demand's organisation makes its first offer on the proposed transfer listing: the deal opens."""
        return self.act(request, proposal_services.proposal_start_deal, body=s.ProposalDealSerializer)

    @extend_schema(request=s.DealLinkSerializer, responses={200: s.ProposalSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def mark_deal_started(self, request, pk=None):
        proposal = self.get_object()
        deal = payload(s.DealLinkSerializer, request).get("deal")
        proposal_services.proposal_mark_deal_started(proposal_id=proposal.pk, actor=request.user,
                                                     deal_id=deal.pk if deal else None)
        return self.answer(request, proposal.pk)

    @extend_schema(request=None, responses={200: s.ProposalSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def mark_deal_closed(self, request, pk=None):
        return self.act(request, proposal_services.proposal_mark_deal_closed)

    @extend_schema(responses={200: s.ConversionSerializer,
                              403: OpenApiResponse(description="只有交易中心 / staff only")})
    @action(detail=False, methods=["get"])
    def conversion(self, request):
        """Match-to-deal conversion: proposals → deals started → deals closed, counts and rates (%)."""
        return Response(s.ConversionSerializer(proposal_conversion()).data)


class SavedSearchViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's saved searches; a daily digest reports each one's new listings, each listing once."""

    serializer_class = s.SavedSearchSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return saved_searches_of(self.request.user)

    @extend_schema(request=s.SavedSearchCreateSerializer, responses={201: s.SavedSearchSerializer,
                                                                     400: REFUSED[400]})
    def create(self, request, *args, **kwargs):
        data = payload(s.SavedSearchCreateSerializer, request)
        saved = saved_search_create(actor=request.user, name=data["name"], params=data["params"])
        return Response(s.SavedSearchSerializer(saved).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        saved_search_delete(saved_search_id=instance.pk, actor=self.request.user)


