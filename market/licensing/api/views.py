"""Licensing API: open-licence declarations (take-up in one POST), licences with royalties, licence
contracts, and a patent's annual-fee schedule. Each transition is a POST action; logic stays in services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from market.api.common import IDEMPOTENCY_HEADER, REFUSED, ObjectActionsMixin, TimelineMixin, idempotency_key, payload
from market.api.permissions import ReadOnlyOrMember
from market.api.serializers import DocumentSerializer, IdempotentSerializer, ReasonSerializer
from market.licensing.selectors import ROYALTY_SORTS, licence_contracts_visible_to, licences_visible_to, open_licences_visible_to
from market.licensing.services import licence_contracts as contracts
from market.licensing.services import open_licences, royalties
from market.models import Patent
from market.rules import open_licence_blockers
from market.selectors import documents_visible_to, listings_visible_to
from market.services.errors import ActionForbidden

from . import serializers as s

TERM_NAMES = ("licence_kind", "territory", "start_date", "end_date", "royalty_method", "annual_fee", "entry_fee",
              "royalty_rate", "unit_fee", "period_months")


class RecordsMixin(TimelineMixin):
    """GET timeline (every transition) and documents of the object."""

    @extend_schema(responses=DocumentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        deal = self.get_object()
        docs = documents_visible_to(request.user).filter(deal_type__model=deal._meta.model_name, deal_id=deal.pk)
        return Response(DocumentSerializer(docs.select_related("patent"), many=True).data)


class OpenLicenceViewSet(ObjectActionsMixin, RecordsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Open-licence declarations: announced ones are public; drafts are the holder's (and staff's)."""

    serializer_class = answer_serializer = s.OpenLicenceSerializer
    service_key = "declaration_id"
    permission_classes = [ReadOnlyOrMember]
    filterset_fields = ["state", "royalty_method", "patent"]

    def get_queryset(self):
        qs = open_licences_visible_to(self.request.user)
        return qs.order_by(*ROYALTY_SORTS.get(self.request.query_params.get("sort", ""), ("-created_at",)), "pk")


    @extend_schema(parameters=[OpenApiParameter("sort", str, enum=list(ROYALTY_SORTS),
                                                description="按许可使用费排序 / sort by royalty")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.OpenLicenceCreateSerializer, responses={201: s.OpenLicenceSerializer, **REFUSED})
    def create(self, request):
        """Draft a declaration (multipart when the evaluation report comes with it)."""
        data = payload(s.OpenLicenceCreateSerializer, request)
        declaration = open_licences.open_licence_create(actor=request.user, patent_id=data.pop("patent"), **data)
        return self.answer(request, declaration.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.RuleCheckRequestSerializer,
                   responses={200: OpenApiResponse(description="{allowed, reasons: [{code, rule, message}]}")})
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def check(self, request):
        """Live rules check: may my organisation declare an open licence of this patent now, and if not, why."""
        data = payload(s.RuleCheckRequestSerializer, request)
        if request.user.organisation is None:
            raise ActionForbidden("用户未关联机构 / The user belongs to no organisation")
        patent = get_object_or_404(Patent, pk=data["patent"])
        reasons = open_licence_blockers(patent, holder=request.user.organisation,
                                        has_evaluation_report=data["has_evaluation_report"])
        return Response({"allowed": not reasons, "reasons": [r.as_dict() for r in reasons]})

    @extend_schema(request={"multipart/form-data": s.EvaluationReportSerializer},
                   responses={200: s.OpenLicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def evaluation_report(self, request, pk=None):
        """Upload the patent evaluation report (PDF, size-limited) of a draft."""
        return self.act(request, open_licences.open_licence_attach_report, body=s.EvaluationReportSerializer)

    @extend_schema(request=None, responses={200: s.OpenLicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """A co-owner or pledgee consents to the declaration."""
        return self.act(request, open_licences.open_licence_consent)

    @extend_schema(request=None, responses={200: s.OpenLicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.act(request, open_licences.open_licence_submit)

    @extend_schema(request=None, responses={200: s.OpenLicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Staff: publish with a (simulated) CNIPA announcement."""
        return self.act(request, open_licences.open_licence_publish)

    @extend_schema(request=ReasonSerializer, responses={200: s.OpenLicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.act(request, open_licences.open_licence_reject, body=ReasonSerializer)

    @extend_schema(request=s.WithdrawSerializer, responses={200: s.OpenLicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The holder withdraws (announced); licences already granted continue."""
        return self.act(request, open_licences.open_licence_withdraw, body=s.WithdrawSerializer)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=s.TakeUpSerializer, responses={201: s.LicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def take_up(self, request, pk=None):
        """Take an ordinary licence in one step: confirm the written notice and pay (Idempotency-Key)."""
        declaration = self.get_object()
        data = payload(s.TakeUpSerializer, request)
        licence = open_licences.open_licence_take_up(
            declaration_id=declaration.pk, actor=request.user, idempotency_key=idempotency_key(request),
            notice_confirmed=data["notice_confirmed"])
        licence = licences_visible_to(request.user).prefetch_related("periods__escrow").get(pk=licence.pk)
        return Response(s.LicenceSerializer(licence).data, status=status.HTTP_201_CREATED)


class LicenceViewSet(ObjectActionsMixin, RecordsMixin, viewsets.ReadOnlyModelViewSet):
    """Licences the caller's organisation granted or holds, with their royalty schedule."""

    serializer_class = answer_serializer = s.LicenceSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state", "kind", "declaration"]

    def get_queryset(self):
        qs = licences_visible_to(self.request.user).prefetch_related("periods__escrow")
        role = self.request.query_params.get("role")
        if role == "licensee":
            qs = qs.filter(licensee_id=self.request.user.organisation_id)
        elif role == "licensor":
            qs = qs.filter(licensor_id=self.request.user.organisation_id)
        return qs

    def _period_id(self, request, licence, period_id: int) -> int:
        if not licence.periods.filter(pk=period_id).exists():
            raise ValidationError({"period": ["该期不属于本许可 / The period is not part of this licence"]})
        return period_id


    @extend_schema(parameters=[OpenApiParameter("role", str, enum=["licensee", "licensor"])])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.RoyaltyReportSerializer, responses={200: s.LicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """The licensee reports a period's net sales (yuan) or units; the royalty due is computed."""
        licence = self.get_object()
        data = payload(s.RoyaltyReportSerializer, request)
        royalties.royalty_report(period_id=self._period_id(request, licence, data["period"]), actor=request.user,
                                 quantity=data["quantity"])
        return self.answer(request, licence.pk)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=s.RoyaltyPaySerializer, responses={200: s.LicenceSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Pay a period's royalty through escrow to the licensor (Idempotency-Key: a replay pays once)."""
        licence = self.get_object()
        data = payload(s.RoyaltyPaySerializer, request)
        royalties.royalty_pay(period_id=self._period_id(request, licence, data["period"]), actor=request.user,
                              idempotency_key=idempotency_key(request))
        return self.answer(request, licence.pk)


class LicenceContractViewSet(ObjectActionsMixin, RecordsMixin, viewsets.ReadOnlyModelViewSet):
    """Licence contracts (实施许可): visible to the parties, consenting co-owners / pledgees, and staff."""

    serializer_class = answer_serializer = s.LicenceContractSerializer
    service_key = "contract_id"
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state", "licence_kind"]

    def get_queryset(self):
        return licence_contracts_visible_to(self.request.user).prefetch_related("offers__organisation")


    @extend_schema(request=s.ContractOpenSerializer, responses={201: s.LicenceContractSerializer, **REFUSED})
    def create(self, request):
        """Open a contract with a first offer on a published licence (or open-licence) listing."""
        data = payload(s.ContractOpenSerializer, request)
        listing = get_object_or_404(listings_visible_to(request.user), pk=data.pop("listing"))
        contract = contracts.contract_open(listing_id=listing.pk, actor=request.user, patent_id=data.pop("patent", None),
                                           **data)
        return self.answer(request, contract.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.LicenceTermsSerializer, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def counter(self, request, pk=None):
        return self.act(request, contracts.contract_counter, body=s.LicenceTermsSerializer)

    @extend_schema(request=None, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.act(request, contracts.contract_accept)

    @extend_schema(request=None, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        return self.act(request, contracts.contract_consent)

    @extend_schema(request=None, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self.act(request, contracts.contract_sign)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=IdempotentSerializer, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """The licensee pays the first payment through escrow; the contract takes effect."""
        return self.act(request, contracts.contract_pay, idempotent=True)

    @extend_schema(request=None, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def file_record(self, request, pk=None):
        """The licensor files the 备案 (due within 3 months of effect)."""
        return self.act(request, contracts.contract_file_record)

    @extend_schema(request=s.RecordSerializer, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Staff (simulated CNIPA): record the filing."""
        return self.act(request, contracts.contract_record, body=s.RecordSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def refuse_record(self, request, pk=None):
        return self.act(request, contracts.contract_refuse_record, body=ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self.act(request, contracts.contract_terminate, body=ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: s.LicenceContractSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(request, contracts.contract_cancel, body=ReasonSerializer)


class AnnualFeeViewSet(viewsets.GenericViewSet):
    """A patent's annual-fee schedule, with the open-licence reduction for years due while a declaration stands."""

    queryset = Patent.objects.all()
    permission_classes = [ReadOnlyOrMember]

    @extend_schema(responses=s.AnnualFeeRowSerializer(many=True))
    def retrieve(self, request, pk=None):
        rows = open_licences.annual_fee_schedule_for(self.get_object())
        return Response(s.AnnualFeeRowSerializer(rows, many=True).data)
