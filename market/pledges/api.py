"""Pledge financing API: the loan from application to release, each transition a POST action.

Visibility comes from ``market.pledges.selectors.loans_visible_to`` (another bank gets 404); the
services decide everything else: bad input answers 400 with field messages, a refused step 409
with the rule and reasons, an actor on the wrong side 403.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from market.api.common import IDEMPOTENCY_HEADER, REFUSED, ObjectActionsMixin, TimelineMixin, payload
from market.api.permissions import ReadOnlyOrMember
from market.api.serializers import MONEY, DocumentSerializer, IdempotentSerializer, ReasonSerializer
from market.models import Patent
from market.pledges.collateral import collateral_summary
from market.pledges.models import (
    DEFAULT_DEBT_KIND,
    DEFAULT_SECURITY_SCOPE,
    ConfirmableGround,
    Instalment,
    LoanRepayment,
    PledgeAlert,
    PledgeContract,
    PledgeFiling,
    PledgeLoan,
    PledgeLoanPatent,
    RepaymentPlan,
)
from market.pledges.registry_rules import with_same_day_twins
from market.pledges.selectors import (
    alerts_visible_to,
    filings_visible_to,
    loan_allowed_actions,
    loan_documents,
    loans_visible_to,
)
from market.pledges.services import applications, registry
from market.pledges.services import loans as loan_services
from market.pledges.services.applications import MAX_PATENTS
from market.pledges.services.common import MAX_TERM_MONTHS
from market.services.errors import ActionForbidden


# -- serializers -----------------------------------------------------------------------------------
class PledgePartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()


class PledgeLoanPatentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="patent.id")
    application_number = serializers.CharField(source="patent.application_number")
    patent_number = serializers.CharField(source="patent.patent_number")
    title = serializers.CharField(source="patent.title")
    expiry_date = serializers.DateField(source="patent.expiry_date")
    registration_number = serializers.CharField(source="encumbrance.registration_number", default="")
    released_at = serializers.DateTimeField(allow_null=True)


class PledgeContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = PledgeContract
        fields = ["version", "debt_kind", "principal", "rate_percent", "repayment_plan", "start_date", "end_date",
                  "security_scope", "other_terms", "holder_signed_at", "bank_signed_at"]


class PledgeInstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = ["number", "due_date", "days", "principal", "interest", "paid_principal", "paid_interest", "status",
                  "overdue_since", "paid_at"]


class PledgeRepaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoanRepayment
        fields = ["id", "amount", "principal", "interest", "paid_at"]


class PledgeFilingSerializer(serializers.ModelSerializer):
    loan = serializers.IntegerField(source="loan_id", read_only=True)
    number = serializers.CharField(read_only=True)
    patent_ids = serializers.PrimaryKeyRelatedField(source="patents", many=True, read_only=True)

    class Meta:
        model = PledgeFiling
        fields = ["id", "number", "loan", "kind", "state", "patent_ids", "reason", "filed_at", "decision_due",
                  "decided_at", "registration_number", "refusal_grounds"]


class PledgeAlertSerializer(serializers.ModelSerializer):
    loan_number = serializers.CharField(source="loan.number", read_only=True)
    patent_number = serializers.CharField(source="patent.application_number", read_only=True, default=None,
                                          allow_null=True)

    class Meta:
        model = PledgeAlert
        fields = ["id", "loan", "loan_number", "patent_number", "kind", "message", "raised_at", "cleared_at"]


class PledgeLoanSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    applicant = PledgePartySerializer(read_only=True)
    bank = PledgePartySerializer(read_only=True)
    patents = PledgeLoanPatentSerializer(source="pledgeloanpatent_set", many=True, read_only=True)
    # the current version (``PledgeLoan.contract``): a nested serialiser built once a list, not once a loan
    contract = PledgeContractSerializer(read_only=True, allow_null=True)
    filings = PledgeFilingSerializer(many=True, read_only=True)
    outstanding_principal = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = PledgeLoan
        fields = ["id", "number", "state", "state_label", "applicant", "bank", "patents", "amount_requested",
                  "term_months", "purpose", "repayment_plan", "amount", "rate_percent", "approved_term_months",
                  "pledge_ratio", "info_request", "applicant_reply", "decision_reason", "other_ground", "contract",
                  "filings", "disbursed_on", "outstanding_principal", "default_reason", "auction_proceeds",
                  "created_at", "decided_at", "registered_at", "defaulted_at", "closed_at", "allowed_actions"]

    def get_outstanding_principal(self, loan: PledgeLoan) -> str:
        return str(loan.outstanding_principal())

    def get_allowed_actions(self, loan: PledgeLoan) -> list[str]:
        return loan_allowed_actions(loan, self.context["request"].user)


class PledgeApplySerializer(serializers.Serializer):
    bank = serializers.IntegerField(min_value=1, help_text="贷款银行（机构 id） / the bank's organisation id")
    patents = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_PATENTS,
                                    help_text="出质专利 id / patent ids")
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    term_months = serializers.IntegerField(min_value=1, max_value=MAX_TERM_MONTHS)
    purpose = serializers.CharField(max_length=500, allow_blank=True)
    repayment_plan = serializers.ChoiceField(choices=RepaymentPlan.choices)


class PledgePrecheckSerializer(serializers.Serializer):
    patents = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_PATENTS)
    term_months = serializers.IntegerField(min_value=1, max_value=MAX_TERM_MONTHS, required=False, allow_null=True,
                                           default=None)


class PledgeMessageSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, allow_blank=True)


class PledgeResubmitSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=2000, allow_blank=True)
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)
    term_months = serializers.IntegerField(required=False, allow_null=True, default=None)
    purpose = serializers.CharField(max_length=500, required=False, allow_null=True, default=None)


class PledgeApproveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3, help_text="年利率 %，如 3.650")
    term_months = serializers.IntegerField()
    pledge_ratio = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="如 0.3 表示 30%")
    above_advice_reason = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                                help_text="高于建议最高贷款额或建议质押率时必填 / required above the advice")


class PledgePatentIdSerializer(serializers.Serializer):
    patent_id = serializers.IntegerField()


class PledgeConfirmSerializer(PledgePatentIdSerializer):
    ground = serializers.ChoiceField(choices=ConfirmableGround.choices)


class PledgeContractDraftSerializer(serializers.Serializer):
    debt_kind = serializers.CharField(max_length=100, required=False, allow_blank=True, default=DEFAULT_DEBT_KIND)
    security_scope = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                           default=DEFAULT_SECURITY_SCOPE)
    other_terms = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    forfeiture_clause = serializers.BooleanField(
        required=False, default=False, help_text="约定到期不还时专利归质权人所有（流质条款）：将被拒绝 / refused")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class PledgeRepaySerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    idempotency_key = serializers.CharField(max_length=100, required=False,
                                            help_text="或使用请求头 Idempotency-Key / or the Idempotency-Key header")


class PledgeCheckSerializer(serializers.Serializer):
    patent = serializers.IntegerField()
    application_number = serializers.CharField()
    title = serializers.CharField()
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.DictField())
    to_cure = serializers.ListField(child=serializers.DictField())


class PledgeScheduleSerializer(serializers.Serializer):
    instalments = PledgeInstalmentSerializer(many=True)
    repayments = PledgeRepaymentSerializer(many=True)
    claim_amount = serializers.DecimalField(**MONEY)


# -- views -----------------------------------------------------------------------------------------
class PledgeLoanViewSet(ObjectActionsMixin, TimelineMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pledge loans (质押融资): the applicant, its bank and staff see one; co-owners see it to consent."""

    serializer_class = answer_serializer = PledgeLoanSerializer
    service_key = "loan_id"
    permission_classes = [IsAuthenticated, ReadOnlyOrMember]
    filterset_fields = ["state", "bank", "applicant"]

    def get_queryset(self):
        # What the serialiser and the allowed actions read, a query each for the whole page (the patents
        # without their long texts).
        long_texts = (f"patent__{name}" for name in Patent.LONG_TEXTS)
        package = (PledgeLoanPatent.objects.select_related("patent", "encumbrance").defer(*long_texts)
                   .order_by("patent__application_number"))
        package = with_same_day_twins(package, "patent__")
        return loans_visible_to(self.request.user).prefetch_related(
            Prefetch("pledgeloanpatent_set", queryset=package), "pledgeloanpatent_set__patent__ownerships__organisation",
            Prefetch("filings__patents", queryset=Patent.objects.only("pk")), "contracts", "instalments",
            "confirmations")

    @extend_schema(request=PledgeApplySerializer, responses={201: PledgeLoanSerializer, **REFUSED})
    def create(self, request):
        """Apply for a loan secured by patents the caller's organisation holds (400 with field messages on bad input)."""
        data = payload(PledgeApplySerializer, request)
        loan = applications.pledge_apply(actor=request.user, bank_id=data["bank"], patent_ids=data["patents"],
                                         amount=data["amount"], term_months=data["term_months"],
                                         purpose=data["purpose"], repayment_plan=data["repayment_plan"])
        return self.answer(request, loan.pk, status.HTTP_201_CREATED)

    @extend_schema(request=PledgePrecheckSerializer, responses={200: PledgeCheckSerializer(many=True), **REFUSED})
    @action(detail=False, methods=["post"])
    def precheck(self, request):
        """May my organisation pledge these patents now? For each: the registry grounds that hold, and why."""
        data = payload(PledgePrecheckSerializer, request)
        if request.user.organisation is None:
            raise ActionForbidden("用户未关联机构 / The user belongs to no organisation")
        patents = list(Patent.objects.filter(pk__in=data["patents"]).order_by("application_number"))
        checks = applications.pledge_precheck(applicant=request.user.organisation, patents=patents,
                                              term_months=data["term_months"])
        return Response([c.as_dict() for c in checks])

    @extend_schema(responses={200: OpenApiResponse(description="质押物汇总：P10/P50/P90、评分、风险提示、建议质押率与说明"),
                              403: OpenApiResponse(description="仅贷款银行与交易中心可见 / The bank and staff only")})
    @action(detail=True, methods=["get"])
    def collateral(self, request, pk=None):
        """The collateral review (value range, score, term, risk flags, recommended ratio and maximum amount)."""
        loan = self.get_object()
        if loan.party_of(request.user.organisation) != "bank" and not request.user.is_centre_staff:
            raise ActionForbidden("质押物审查仅贷款银行可见 / Only the bank reviews the collateral")
        return Response(collateral_summary(loan, user=request.user).as_dict())

    @extend_schema(request=PledgeMessageSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def request_info(self, request, pk=None):
        return self.act(request, applications.pledge_request_info, body=PledgeMessageSerializer)

    @extend_schema(request=PledgeResubmitSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self.act(request, applications.pledge_resubmit, body=PledgeResubmitSerializer)

    @extend_schema(request=PledgeApproveSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.act(request, applications.pledge_approve, body=PledgeApproveSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.act(request, applications.pledge_reject, body=ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.act(request, applications.pledge_withdraw, body=ReasonSerializer)

    @extend_schema(request=PledgePatentIdSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """A co-owner consents to the pledge of a co-owned patent."""
        return self.act(request, applications.pledge_consent, body=PledgePatentIdSerializer)

    @extend_schema(request=PledgeConfirmSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """A party confirms, informed, that it proceeds despite ground 10 or 11."""
        return self.act(request, applications.pledge_confirm, body=PledgeConfirmSerializer)

    @extend_schema(request=PledgeContractDraftSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def draft_contract(self, request, pk=None):
        """The bank drafts the pledge contract (a 流质 clause is refused with 409)."""
        return self.act(request, applications.pledge_contract_draft, body=PledgeContractDraftSerializer)

    @extend_schema(request=None, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def sign_contract(self, request, pk=None):
        return self.act(request, applications.pledge_contract_sign)

    @extend_schema(request=None, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def file_registration(self, request, pk=None):
        """File the joint pledge registration; the simulated registry decides after commit."""
        return self.act(request, registry.pledge_registration_file)

    @extend_schema(request=ReasonSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def cite_other_ground(self, request, pk=None):
        """Staff cite registry ground 12 (another case where the pledge conditions are not met)."""
        return self.act(request, registry.pledge_registry_cite_other, body=ReasonSerializer)

    @extend_schema(request=None, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def clear_other_ground(self, request, pk=None):
        return self.act(request, registry.pledge_registry_clear_other)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=IdempotentSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        """The bank disburses. Send an Idempotency-Key: a replay moves no money twice."""
        return self.act(request, loan_services.loan_disburse, idempotent=True)

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER], request=PledgeRepaySerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def repay(self, request, pk=None):
        """The borrower repays. Send an Idempotency-Key: a replay moves no money twice."""
        return self.act(request, loan_services.loan_repay, body=PledgeRepaySerializer, idempotent=True)

    @extend_schema(request=PledgePatentIdSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def release_patent(self, request, pk=None):
        """The bank agrees to release one patent of the package (its release is filed)."""
        return self.act(request, loan_services.loan_release_patent, body=PledgePatentIdSerializer)

    @extend_schema(request=ReasonSerializer, responses={200: PledgeLoanSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def declare_default(self, request, pk=None):
        """The bank declares default after the grace period."""
        return self.act(request, loan_services.loan_declare_default, body=ReasonSerializer)


    @extend_schema(responses=PledgeScheduleSerializer)
    @action(detail=True, methods=["get"])
    def schedule(self, request, pk=None):
        """The repayment schedule, the repayments and what the bank may claim today."""
        loan = self.get_object()
        return Response(PledgeScheduleSerializer({"instalments": loan.instalments.all(), "repayments": loan.repayments.all(),
                                            "claim_amount": loan.outstanding_debt()}).data)

    @extend_schema(responses=DocumentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        """The contract and the registry filings' documents (current versions)."""
        loan = self.get_object()
        if loan.party_of(request.user.organisation) is None and not request.user.is_centre_staff:
            return Response([])  # a co-owner follows the loan but does not get the parties' files
        return Response(DocumentSerializer(loan_documents(loan), many=True).data)


class PledgeFilingViewSet(viewsets.ReadOnlyModelViewSet):
    """Filings with the simulated pledge registry (registrations and releases) of the caller's loans."""

    serializer_class = PledgeFilingSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state", "kind", "loan"]

    def get_queryset(self):
        return filings_visible_to(self.request.user).prefetch_related("patents")

    @extend_schema(request=None, responses={200: PledgeFilingSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def examine(self, request, pk=None):
        """Staff run the registry's examination now (registered, or refused with the grounds)."""
        filing = self.get_object()
        registry.pledge_registry_examine_as_staff(filing_id=filing.pk, actor=request.user)
        return Response(PledgeFilingSerializer(self.get_queryset().get(pk=filing.pk)).data)


class PledgeAlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Monitoring alerts of the caller's pledged loans (the bank's monitoring page)."""

    serializer_class = PledgeAlertSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind", "loan"]

    def get_queryset(self):
        return alerts_visible_to(self.request.user).order_by("-raised_at", "-pk")
