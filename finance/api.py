"""The IP-finance API under /api/v1/finance/: receivable pledges, securitisation pools (with period statements),
risk-sharing schemes and their loss shares. Every action calls one service; who may act is the service's check,
who may see is the queryset's (404 otherwise)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from market.api.common import IDEMPOTENCY_HEADER, REFUSED, ObjectActionsMixin, TimelineMixin, payload
from market.api.permissions import ReadOnlyOrMember
from market.pledges.selectors import loans_visible_to

from . import pools, receivable_pledges, risk_sharing
from .models import (
    LossShare,
    PoolPeriod,
    PoolReceivable,
    PoolTranche,
    ReceivablePledge,
    RiskScheme,
    SchemeParticipant,
    SecuritisationPool,
)

MONEY = {"max_digits": 15, "decimal_places": 2, "min_value": 0}
ID = {"min_value": 1, "max_value": 2**31 - 1}


# -- receivable pledges ------------------------------------------------------------------------------
class ReceivablePledgeSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    collected = serializers.SerializerMethodField()
    outstanding = serializers.SerializerMethodField()

    class Meta:
        model = ReceivablePledge
        fields = ["id", "number", "pledgor", "bank", "licences", "amount", "rate_percent", "end_date", "state",
                  "secured_amount", "collected", "outstanding", "registration_number", "registered_at", "notice",
                  "decision_reason", "discharged_at", "created_at"]
        read_only_fields = fields

    def get_collected(self, pledge) -> str:
        return str(receivable_pledges.collected(pledge))

    def get_outstanding(self, pledge) -> str:
        return str(receivable_pledges.outstanding(pledge))


class ReceivablePledgeCreateSerializer(serializers.Serializer):
    bank = serializers.IntegerField(**ID)
    licences = serializers.ListField(child=serializers.IntegerField(**ID), allow_empty=False, max_length=200)
    amount = serializers.DecimalField(**MONEY)
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    end_date = serializers.DateField()


class ReasonBody(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ReceivablePledgeViewSet(ObjectActionsMixin, TimelineMixin, mixins.CreateModelMixin,
                              viewsets.ReadOnlyModelViewSet):
    """Pledges of licence royalties: pledgor, bank, the licensees who pay and staff see one."""

    serializer_class = answer_serializer = ReceivablePledgeSerializer
    service_key = "pledge_id"
    permission_classes = [IsAuthenticated, ReadOnlyOrMember]
    filterset_fields = ["state", "bank", "pledgor"]

    def get_queryset(self):
        return receivable_pledges.pledges_visible_to(self.request.user).prefetch_related("licences")

    @extend_schema(request=ReceivablePledgeCreateSerializer, responses={201: ReceivablePledgeSerializer, **REFUSED})
    def create(self, request):
        """The licensor applies to a bank with the licences whose royalties it pledges."""
        data = payload(ReceivablePledgeCreateSerializer, request)
        pledge = receivable_pledges.receivable_pledge_apply(
            actor=request.user, bank_id=data["bank"], licence_ids=data["licences"], amount=data["amount"],
            rate_percent=data["rate_percent"], end_date=data["end_date"])
        return self.answer(request, pledge.pk, status=201)

    @extend_schema(request=None, responses={200: ReceivablePledgeSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """The bank approves: registered, lent, the licensees notified."""
        return self.act(request, receivable_pledges.receivable_pledge_register)

    @extend_schema(request=ReasonBody, responses={200: ReceivablePledgeSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self.act(request, receivable_pledges.receivable_pledge_decline, body=ReasonBody)

    @extend_schema(request=None, responses={200: ReceivablePledgeSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.act(request, receivable_pledges.receivable_pledge_withdraw)

    @extend_schema(request=None, parameters=[IDEMPOTENCY_HEADER],
                   responses={200: ReceivablePledgeSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def repay(self, request, pk=None):
        """The pledgor pays what the royalties have not covered."""
        return self.act(request, receivable_pledges.receivable_pledge_repay, idempotent=True)


# -- securitisation pools ------------------------------------------------------------------------------
class PoolReceivableSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolReceivable
        fields = ["licence", "expected", "present_value", "price"]


class PoolTrancheSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolTranche
        fields = ["name", "priority", "size", "coupon_percent", "investor", "balance", "coupon_owed", "loss"]


class PoolPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolPeriod
        fields = ["sequence", "collected", "fees_paid", "residual", "statement", "distributed_at"]


class PoolSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    receivables = PoolReceivableSerializer(many=True, read_only=True)
    tranches = PoolTrancheSerializer(many=True, read_only=True)
    distributions = PoolPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = SecuritisationPool
        fields = ["id", "number", "name", "servicer", "periods", "period_months", "fee_per_period", "state",
                  "simulation", "issued_at", "closed_at", "receivables", "tranches", "distributions"]
        read_only_fields = fields


class PoolCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    periods = serializers.IntegerField(min_value=1, max_value=80)
    period_months = serializers.IntegerField(min_value=1, max_value=12, default=3)
    fee_per_period = serializers.DecimalField(**MONEY)


class LicencesBody(serializers.Serializer):
    licences = serializers.ListField(child=serializers.IntegerField(**ID), allow_empty=False, max_length=1000)


class TrancheBody(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    size = serializers.DecimalField(**MONEY)
    coupon_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    investor = serializers.IntegerField(**ID)


class TranchesBody(serializers.Serializer):
    tranches = TrancheBody(many=True, allow_empty=False, max_length=10)


class PoolViewSet(ObjectActionsMixin, TimelineMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pools: staff assemble and run them; investors, and once issued the licensors and licensees, read them
    with each period's statement."""

    serializer_class = answer_serializer = PoolSerializer
    service_key = "pool_id"
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state"]

    def get_queryset(self):
        return pools.pools_visible_to(self.request.user).prefetch_related("receivables", "tranches", "distributions")

    @extend_schema(request=PoolCreateSerializer, responses={201: PoolSerializer, **REFUSED})
    def create(self, request):
        pool = pools.pool_create(actor=request.user, **payload(PoolCreateSerializer, request))
        return self.answer(request, pool.pk, status=201)

    @extend_schema(request=LicencesBody, responses={200: PoolSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def licences(self, request, pk=None):
        """Add licences whose royalties the pool buys."""
        obj = self.get_object()
        pools.pool_add_licences(pool_id=obj.pk, actor=request.user,
                                licence_ids=payload(LicencesBody, request)["licences"])
        return self.answer(request, obj.pk)

    @extend_schema(request=TranchesBody, responses={200: PoolSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def tranches(self, request, pk=None):
        """Replace the tranches (their order is their priority)."""
        obj = self.get_object()
        rows = [{**row, "investor": str(row["investor"])} for row in payload(TranchesBody, request)["tranches"]]
        pools.pool_set_tranches(pool_id=obj.pk, actor=request.user, tranches=rows)
        return self.answer(request, obj.pk)

    @extend_schema(request=None, responses={200: PoolSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def simulate(self, request, pk=None):
        return self.act(request, pools.pool_simulate)

    @extend_schema(request=None, responses={200: PoolSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self.act(request, pools.pool_issue)

    @extend_schema(request=None, responses={200: PoolSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def distribute(self, request, pk=None):
        """Distribute the next period through the waterfall."""
        return self.act(request, pools.pool_distribute)


# -- risk-sharing schemes ---------------------------------------------------------------------------------
class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeParticipant
        fields = ["organisation", "role", "share", "yearly_cap"]


class RiskSchemeSerializer(serializers.ModelSerializer):
    participants = ParticipantSerializer(many=True, max_length=10)
    right_kinds = serializers.ListField(child=serializers.CharField(max_length=30), allow_empty=False, max_length=10)
    industries = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=50)
    holder_sizes = serializers.ListField(child=serializers.CharField(max_length=10), required=False, max_length=4)

    class Meta:
        model = RiskScheme
        fields = ["id", "name", "max_amount", "max_rate_percent", "right_kinds", "industries", "holder_sizes",
                  "premium_rate", "active", "participants"]
        read_only_fields = ["id", "active"]


class EnrolBody(serializers.Serializer):
    loan = serializers.IntegerField(**ID)


class RiskSchemeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Schemes are public terms any signed-in organisation may read; staff set them up; a bank enrols its
    approved loan."""

    serializer_class = RiskSchemeSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return RiskScheme.objects.prefetch_related("participants")

    @extend_schema(request=RiskSchemeSerializer, responses={201: RiskSchemeSerializer, **REFUSED})
    def create(self, request):
        data = payload(RiskSchemeSerializer, request)
        scheme = risk_sharing.scheme_create(
            actor=request.user, name=data["name"], max_amount=data["max_amount"],
            max_rate_percent=data["max_rate_percent"], right_kinds=data["right_kinds"],
            industries=data.get("industries", []), holder_sizes=data.get("holder_sizes", []),
            premium_rate=data["premium_rate"],
            participants=[{**p, "organisation": p["organisation"].pk} for p in data["participants"]])
        return Response(RiskSchemeSerializer(scheme).data, status=201)

    @extend_schema(request=EnrolBody, responses={200: RiskSchemeSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """The loan's bank enrols it (refused with each condition it fails)."""
        scheme = self.get_object()
        loan = loans_visible_to(request.user).get(pk=payload(EnrolBody, request)["loan"])
        risk_sharing.loan_enrol(loan_id=loan.pk, scheme_id=scheme.pk, actor=request.user)
        return Response(RiskSchemeSerializer(scheme).data)


class LossShareSerializer(serializers.ModelSerializer):
    loan = serializers.CharField(source="enrolment.loan.number")
    scheme = serializers.CharField(source="enrolment.scheme.name")
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = LossShare
        fields = ["id", "loan", "scheme", "organisation", "year", "due", "paid"]

    def get_organisation(self, share) -> int:
        return share.participant.organisation_id if share.participant else share.enrolment.loan.bank_id


class LossShareViewSet(viewsets.ReadOnlyModelViewSet):
    """A participant's claims and payments; a bank's loans' shares; staff all."""

    serializer_class = LossShareSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return risk_sharing.shares_visible_to(self.request.user).order_by("-pk")
