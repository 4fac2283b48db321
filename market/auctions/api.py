"""Auction API: public reads; each step a POST action (409 with rule and reason when refused)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from market.api.common import IDEMPOTENCY_HEADER, REFUSED, ObjectActionsMixin, TimelineMixin, payload
from market.api.serializers import DocumentSerializer, ReasonSerializer
from market.auctions.models import Auction, AuctionState, DepositStatus
from market.models import Organisation, Patent

from . import selectors, services

MONEY = {"max_digits": 15, "decimal_places": 2}


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AuctionPatentSerializer(serializers.ModelSerializer):
    patent_number = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Patent
        fields = ["id", "application_number", "patent_number", "title", "kind_label"]


class MyDepositSerializer(serializers.Serializer):
    paddle = serializers.CharField(source="paddle_label")
    status = serializers.ChoiceField(choices=DepositStatus.choices)
    amount = serializers.DecimalField(source="escrow.amount", **MONEY)


class AuctionSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=AuctionState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    patents = AuctionPatentSerializer(many=True, read_only=True)
    creditor = NamedSerializer(read_only=True)
    debtor = NamedSerializer(read_only=True)
    minimum_bid = serializers.DecimalField(**MONEY, read_only=True)
    leading_paddle = serializers.SerializerMethodField()
    hammer_price = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    paid = serializers.SerializerMethodField()
    relisted_as = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    my_deposit = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    server_time = serializers.SerializerMethodField()

    class Meta:
        model = Auction
        fields = ["id", "number", "title", "state", "state_label", "patents", "creditor", "debtor", "claim_amount",
                  "reserve_price", "reserve_basis", "increment", "deposit", "starts_at", "scheduled_ends_at", "ends_at",
                  "extension_count", "current_price", "minimum_bid", "bid_count", "deposit_count", "leading_paddle",
                  "hammer_price", "payment_due_at", "paid", "proceeds_to_creditor", "proceeds_to_debtor",
                  "failure_reason", "cancel_reason", "relisted_from", "relisted_as", "source", "my_deposit",
                  "allowed_actions", "server_time", "created_at"]

    def _user(self):
        request = self.context.get("request")
        return request.user if request else None

    def get_leading_paddle(self, auction) -> str | None:
        return auction.leading_bid.deposit.paddle_label if auction.leading_bid_id else None

    def get_paid(self, auction) -> bool:
        return auction.payment_escrow_id is not None

    def get_relisted_as(self, auction) -> int | None:
        return Auction.objects.filter(relisted_from=auction).values_list("pk", flat=True).first()

    def get_source(self, auction) -> dict | None:
        if auction.source_type_id is None:
            return None
        return {"type": auction.source_type.model, "id": auction.source_id}

    @extend_schema_field(MyDepositSerializer(allow_null=True))
    def get_my_deposit(self, auction) -> dict | None:
        deposit = selectors.deposit_of(auction, self._user())
        return MyDepositSerializer(deposit).data if deposit else None

    def get_allowed_actions(self, auction) -> list[str]:
        return selectors.allowed_actions(auction, self._user())

    def get_server_time(self, auction) -> str:
        return timezone.now().isoformat()


class AuctionCreateSerializer(serializers.Serializer):
    """Open an auction; with ``loan`` (a defaulted pledge loan) the omitted fields come from the loan."""

    loan = serializers.IntegerField(required=False, help_text="违约的质押贷款 id / id of the defaulted pledge loan")
    patent_ids = serializers.PrimaryKeyRelatedField(queryset=Patent.objects.all(), many=True, required=False)
    creditor = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False)
    debtor = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False)
    claim_amount = serializers.DecimalField(**MONEY, required=False, min_value=Decimal("0.01"))
    reserve_price = serializers.DecimalField(**MONEY, required=False, allow_null=True, min_value=Decimal("0.01"),
                                             help_text="留空为估值P10合计 / default: sum of the valuation P10")
    increment = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    deposit = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class RelistSerializer(serializers.Serializer):
    reserve_price = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    increment = serializers.DecimalField(**MONEY, required=False, allow_null=True, min_value=Decimal("0.01"))
    deposit = serializers.DecimalField(**MONEY, required=False, allow_null=True, min_value=Decimal("0.01"))


class BidSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))


class BidRowSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    paddle = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    at = serializers.DateTimeField()
    bidder = serializers.CharField(allow_null=True, help_text="仅交易中心可见 / staff only")
    mine = serializers.BooleanField()
    lapsed = serializers.BooleanField()


class AuctionViewSet(ObjectActionsMixin, TimelineMixin, viewsets.ReadOnlyModelViewSet):
    """Auctions of defaulted pledged patents: anyone reads; staff administer; verified depositors bid."""

    serializer_class = AuctionSerializer
    answer_serializer = AuctionSerializer
    service_key = "auction_id"
    filterset_fields = ["state"]

    def get_queryset(self):
        return selectors.auctions_public().select_related("leading_bid__deposit", "source_type")

    def get_permissions(self):
        if self.action in ("list", "retrieve", "bids"):
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(request=AuctionCreateSerializer, responses={201: AuctionSerializer, **REFUSED})
    def create(self, request):
        """Staff open an auction (from a defaulted loan with ``loan``); the announcement is issued."""
        data = dict(payload(AuctionCreateSerializer, request))
        loan_id = data.pop("loan", None)
        terms = {"patents": data.pop("patent_ids", None), "creditor": data.pop("creditor", None),
                 "debtor": data.pop("debtor", None), "claim_amount": data.pop("claim_amount", None), **data}
        if loan_id is not None:
            auction = services.auction_open_for_loan(loan_id=loan_id, actor=request.user, **terms)
        else:
            auction = services.auction_open(source=None, actor=request.user, **{**terms, "patents": terms["patents"] or []})
        return self.answer(request, auction.pk, status.HTTP_201_CREATED)

    @extend_schema(responses=BidRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def bids(self, request, pk=None):
        """Every accepted bid, newest first, by bidder number (names for staff only)."""
        return Response(BidRowSerializer(selectors.bid_rows(self.get_object(), request.user), many=True).data)

    @extend_schema(responses=DocumentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        """The announcement for everyone signed in; the result confirmation for its parties and staff."""
        return Response(DocumentSerializer(selectors.visible_documents(self.get_object(), request.user), many=True).data)

    @extend_schema(request=None, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self.act(request, services.auction_start)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=None, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def deposit(self, request, pk=None):
        """Pay the bidder deposit into escrow. Send an Idempotency-Key: a replay pays once."""
        return self.act(request, services.auction_deposit, idempotent=True)

    @extend_schema(request=BidSerializer, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def bid(self, request, pk=None):
        """Bid: at least the reserve, then the current price plus the increment."""
        return self.act(request, services.auction_bid, body=BidSerializer)

    @extend_schema(request=None, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.act(request, services.auction_close)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=None, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """The buyer pays the price less its deposit. Send an Idempotency-Key."""
        return self.act(request, services.auction_pay, idempotent=True)

    @extend_schema(request=None, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def confirm_payment(self, request, pk=None):
        return self.act(request, services.auction_confirm_payment)

    @extend_schema(request=None, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def forfeit(self, request, pk=None):
        return self.act(request, services.auction_forfeit)

    @extend_schema(request=None, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def offer_next(self, request, pk=None):
        return self.act(request, services.auction_offer_next)

    @extend_schema(request=ReasonSerializer, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        return self.act(request, services.auction_fail, body=ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(request, services.auction_cancel, body=ReasonSerializer)

    @extend_schema(request=RelistSerializer, responses={201: AuctionSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def relist(self, request, pk=None):
        """Relist a failed auction as a new one with a lower reserve."""
        source = self.get_object()
        auction = services.auction_relist(auction_id=source.pk, actor=request.user, **payload(RelistSerializer, request))
        return self.answer(request, auction.pk, status.HTTP_201_CREATED)

