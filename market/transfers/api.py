"""The transfer deal's API: each step a POST action on the deal; the rules and the work are in .services."""

from decimal import Decimal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from market.api.common import IDEMPOTENCY_HEADER, REFUSED, ObjectActionsMixin, TimelineMixin, payload
from market.api.serializers import (
    MONEY,
    DocumentSerializer,
    EscrowSerializer,
    IdempotentSerializer,
    OrganisationSerializer,
    ReasonSerializer,
)
from market.models import Document, ListingMode, Patent
from market.selectors import documents_visible_to, listings_visible_to

from . import services as deal_services
from .models import Offer, TransferDeal, Transferor
from .selectors import deal_allowed_actions, deals_visible_to


class OfferSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "organisation", "price", "message", "created_at"]


class TransferorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transferor
        fields = ["name", "organisation", "share", "signed_at"]


class DealSerializer(serializers.ModelSerializer):
    seller = OrganisationSerializer(read_only=True)
    buyer = OrganisationSerializer(read_only=True)
    patent_ids = serializers.PrimaryKeyRelatedField(source="patents", many=True, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    offers = OfferSerializer(many=True, read_only=True)
    transferors = TransferorSerializer(many=True, read_only=True)
    escrow = EscrowSerializer(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = TransferDeal
        fields = ["id", "number", "listing", "seller", "buyer", "patent_ids", "state", "state_label", "price",
                  "publicity_required", "publicity_ends_at", "related_party_flag", "seller_signed_at",
                  "buyer_signed_at", "export_registration_required", "export_registration_number", "escrow",
                  "filed_at", "registration_fee", "fee_due_date", "fee_paid_at", "registered_at",
                  "registration_number", "closed_at", "cancelled_at", "cancel_reason", "offers", "transferors",
                  "allowed_actions",
                  "created_at"]

    def get_allowed_actions(self, deal) -> list[str]:
        return deal_allowed_actions(deal, self.context["request"].user)


class DealOpenSerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    price = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PriceSerializer(serializers.Serializer):
    price = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FileRegistrationSerializer(serializers.Serializer):
    export_registration_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ConsentSerializer(serializers.Serializer):
    patent_id = serializers.IntegerField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    deposit_proceeds = serializers.BooleanField(required=False, default=False)


class ShareSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    share = serializers.DecimalField(max_digits=7, decimal_places=4, min_value=Decimal("0.0001"),
                                     max_value=Decimal(100))


class SharesSerializer(serializers.Serializer):
    shares = ShareSerializer(many=True, allow_empty=False, max_length=50)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {"shares": {row["name"]: row["share"] for row in value["shares"]}}


class ConsentRequestSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ObjectionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class DealViewSet(ObjectActionsMixin, TimelineMixin, viewsets.ReadOnlyModelViewSet):
    """Transfer deals: visible to the parties (and consenting co-owners / pledgees, and staff)."""

    service_key = "deal_id"
    answer_serializer = DealSerializer
    serializer_class = DealSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state"]

    def get_queryset(self):
        return deals_visible_to(self.request.user).prefetch_related(
            "offers__organisation", Prefetch("patents", queryset=Patent.objects.defer(*Patent.LONG_TEXTS)), "transferors")

    @extend_schema(request=DealOpenSerializer, responses={201: DealSerializer, **REFUSED})
    def create(self, request):
        """Open a deal with a first offer on a published transfer listing."""
        data = payload(DealOpenSerializer, request)
        listing = get_object_or_404(listings_visible_to(request.user), pk=data["listing"])
        if listing.mode != ListingMode.TRANSFER:
            raise ValidationError({"listing": ["该挂牌不是转让挂牌 / The listing is not a transfer listing"]})
        deal = deal_services.deal_open(listing_id=listing.pk, actor=request.user, price=data["price"],
                                       message=data["message"])
        return self.answer(request, deal.pk, status.HTTP_201_CREATED)

    @extend_schema(request=PriceSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def counter(self, request, pk=None):
        return self.act(request, deal_services.deal_counter, body=PriceSerializer)

    @extend_schema(request=None, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.act(request, deal_services.deal_accept)

    @extend_schema(request=ObjectionSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def object(self, request, pk=None):
        return self.act(request, deal_services.deal_object, body=ObjectionSerializer)

    @extend_schema(request=ConsentRequestSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def consent_request(self, request, pk=None):
        """The seller asks every co-owner and pledgee whose consent is still missing (each notified once)."""
        return self.act(request, deal_services.deal_consent_request, body=ConsentRequestSerializer)

    @extend_schema(request=SharesSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def shares(self, request, pk=None):
        """The seller records the co-owners' agreed shares of the price before anyone signs."""
        return self.act(request, deal_services.deal_set_shares, body=SharesSerializer)

    @extend_schema(request=ConsentSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        return self.act(request, deal_services.deal_consent, body=ConsentSerializer)

    @extend_schema(request=None, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self.act(request, deal_services.deal_sign)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=IdempotentSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Pay the price into escrow. Send an Idempotency-Key: a replay moves no money twice."""
        return self.act(request, deal_services.deal_pay, idempotent=True)

    @extend_schema(request=FileRegistrationSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def file_registration(self, request, pk=None):
        return self.act(request, deal_services.deal_file_registration, body=FileRegistrationSerializer)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=IdempotentSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def pay_registration_fee(self, request, pk=None):
        return self.act(request, deal_services.deal_pay_registration_fee, idempotent=True)

    @extend_schema(request=None, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        return self.act(request, deal_services.deal_register)

    @extend_schema(request=ReasonSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def refuse_registration(self, request, pk=None):
        return self.act(request, deal_services.deal_refuse_registration, body=ReasonSerializer)

    @extend_schema(request=None, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self.act(request, deal_services.deal_release)

    @extend_schema(request=ReasonSerializer, responses={200: DealSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(request, deal_services.deal_cancel, body=ReasonSerializer)

    @extend_schema(responses=DocumentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        deal = self.get_object()
        docs = documents_visible_to(request.user).filter(pk__in=Document.objects.for_deal(deal).values("pk"))
        docs = docs.select_related("patent")
        return Response(DocumentSerializer(docs, many=True).data)


