"""Serializers of the licensing API: declarations, licences and their royalties, licence contracts."""

from decimal import Decimal

from rest_framework import serializers

from market.api.serializers import MONEY, OrganisationSerializer
from market.licensing.models import (
    Licence,
    LicenceContract,
    LicenceKind,
    LicenceOffer,
    OpenLicenceDeclaration,
    ReportingPeriod,
    RoyaltyMethod,
    RoyaltyPeriod,
)
from market.licensing.selectors import licence_contract_allowed_actions, open_licence_allowed_actions
from market.licensing.services.open_licences import take_up_payment

ROYALTY_FIELDS = ["royalty_method", "annual_fee", "entry_fee", "royalty_rate", "unit_fee", "period_months",
                  "royalty_summary"]


class PatentBriefMixin(serializers.Serializer):
    patent_number = serializers.CharField(source="patent.patent_number", read_only=True)
    patent_title = serializers.CharField(source="patent.title", read_only=True)
    royalty_summary = serializers.CharField(read_only=True)


class TakeUpPaymentField(serializers.DecimalField):
    """What a take-up today pays at once (entry fee or first licence year; 0 if none)."""

    def to_representation(self, declaration):
        return super().to_representation(take_up_payment(declaration))


class OpenLicenceSerializer(PatentBriefMixin, serializers.ModelSerializer):
    holder = OrganisationSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    has_evaluation_report = serializers.SerializerMethodField()
    take_up_payment = TakeUpPaymentField(**MONEY, source="*", read_only=True)
    licence_count = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = OpenLicenceDeclaration
        fields = ["id", "number", "patent", "patent_number", "patent_title", "holder", "state", "state_label",
                  *ROYALTY_FIELDS, "licence_years", "territory", "scope", "covers_whole_patent", "scope_note",
                  "has_evaluation_report", "take_up_payment", "announcement_number", "announcement_date",
                  "published_at", "rejection_reason", "withdrawn_at", "withdrawal_announcement_number",
                  "withdrawal_reason", "listing", "licence_count", "allowed_actions", "created_at"]

    def get_has_evaluation_report(self, declaration) -> bool:
        return bool(declaration.evaluation_report)

    def get_licence_count(self, declaration) -> int:
        return declaration.licences.count()

    def get_allowed_actions(self, declaration) -> list[str]:
        return open_licence_allowed_actions(declaration, self.context["request"].user)


class OpenLicenceCreateSerializer(serializers.Serializer):
    """A draft declaration; the evaluation report (PDF) may come now (multipart) or later."""

    patent = serializers.IntegerField()
    royalty_method = serializers.ChoiceField(choices=RoyaltyMethod.choices)
    annual_fee = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    entry_fee = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    royalty_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True,
                                            help_text="净销售额百分比 / percent of net sales")
    unit_fee = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    period_months = serializers.ChoiceField(choices=ReportingPeriod.choices, default=ReportingPeriod.QUARTER)
    licence_years = serializers.IntegerField(min_value=1, max_value=20)
    territory = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    scope = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    covers_whole_patent = serializers.BooleanField(default=True)
    scope_note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    evaluation_report = serializers.FileField(required=False, allow_null=True)


class RuleCheckRequestSerializer(serializers.Serializer):
    patent = serializers.IntegerField()
    has_evaluation_report = serializers.BooleanField(default=False)


class EvaluationReportSerializer(serializers.Serializer):
    evaluation_report = serializers.FileField()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TakeUpSerializer(serializers.Serializer):
    notice_confirmed = serializers.BooleanField(
        help_text="已阅读并接受公告的许可条件（书面通知） / the written notice accepting the published terms")
    idempotency_key = serializers.CharField(max_length=100, required=False,
                                            help_text="或使用请求头 Idempotency-Key / or the Idempotency-Key header")


class RoyaltyPeriodSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    late = serializers.BooleanField(read_only=True)
    escrow_reference = serializers.CharField(source="escrow.reference", read_only=True, default=None, allow_null=True)

    class Meta:
        model = RoyaltyPeriod
        fields = ["id", "sequence", "kind", "period_start", "period_end", "due_date", "reported_quantity",
                  "reported_at", "amount_due", "paid_at", "cancelled_at", "status", "late", "escrow_reference"]


class LicenceSerializer(PatentBriefMixin, serializers.ModelSerializer):
    licensor = OrganisationSerializer(read_only=True)
    licensee = OrganisationSerializer(read_only=True)
    kind = serializers.ChoiceField(choices=LicenceKind.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    periods = RoyaltyPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Licence
        fields = ["id", "number", "patent", "patent_number", "patent_title", "licensor", "licensee", "kind",
                  "territory", "scope", "start_date", "end_date", "state", "state_label", *ROYALTY_FIELDS,
                  "declaration", "contract", "record_number", "notice_confirmed_at", "periods", "created_at",
                  "ended_at", "end_reason"]


class RoyaltyReportSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0"),
                                        help_text="净销售额（元）或件数 / net sales in yuan, or units")


class RoyaltyPaySerializer(serializers.Serializer):
    period = serializers.IntegerField()
    idempotency_key = serializers.CharField(max_length=100, required=False,
                                            help_text="或使用请求头 Idempotency-Key / or the Idempotency-Key header")


class LicenceTermsSerializer(serializers.Serializer):
    """Proposed terms: kind, term, territory, royalty."""

    licence_kind = serializers.ChoiceField(choices=LicenceKind.choices)
    territory = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    royalty_method = serializers.ChoiceField(choices=RoyaltyMethod.choices)
    annual_fee = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    entry_fee = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    royalty_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    unit_fee = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    period_months = serializers.ChoiceField(choices=ReportingPeriod.choices, default=ReportingPeriod.QUARTER)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ContractOpenSerializer(LicenceTermsSerializer):
    listing = serializers.IntegerField()
    patent = serializers.IntegerField(required=False, allow_null=True,
                                      help_text="挂牌含多件专利时必填 / needed when the listing has several patents")


class LicenceOfferSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    royalty_summary = serializers.CharField(read_only=True)

    class Meta:
        model = LicenceOffer
        fields = ["id", "organisation", "licence_kind", "territory", "start_date", "end_date", *ROYALTY_FIELDS,
                  "message", "created_at"]


class LicenceContractSerializer(PatentBriefMixin, serializers.ModelSerializer):
    licensor = OrganisationSerializer(read_only=True)
    licensee = OrganisationSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    offers = LicenceOfferSerializer(many=True, read_only=True)
    licence = serializers.PrimaryKeyRelatedField(read_only=True)
    filing_overdue = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = LicenceContract
        fields = ["id", "number", "listing", "patent", "patent_number", "patent_title", "licensor", "licensee",
                  "state", "state_label", "licence_kind", "territory", "start_date", "end_date", *ROYALTY_FIELDS,
                  "licensor_signed_at", "licensee_signed_at", "effective_date", "filing_due_date", "filing_overdue",
                  "filed_at", "record_number", "recorded_at", "filing_refusal_reason", "ended_at", "end_reason",
                  "licence", "offers", "allowed_actions", "created_at"]

    def get_allowed_actions(self, contract) -> list[str]:
        return licence_contract_allowed_actions(contract, self.context["request"].user)


class RecordSerializer(serializers.Serializer):
    record_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class AnnualFeeRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    due_date = serializers.DateField()
    standard_fee = serializers.DecimalField(**MONEY)
    reduction = serializers.DecimalField(**MONEY)
    payable = serializers.DecimalField(**MONEY)
    reduced = serializers.BooleanField()
