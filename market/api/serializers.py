"""API serializers: they translate; validation of identifiers lives in market.validators."""


from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from market.models import (
    Document,
    DocumentState,
    Encumbrance,
    Escrow,
    Listing,
    ListingMode,
    Organisation,
    Patent,
    PatentKind,
    TransitionLog,
)
from market.services.patents import patent_register
from market.validators import kind_from_application_number, normalise_application_number

MONEY = {"max_digits": 15, "decimal_places": 2}


def _django_errors(exc: DjangoValidationError) -> list[str]:
    return list(exc.messages)


class OrganisationSerializer(serializers.ModelSerializer):
    city_name = serializers.CharField(source="get_city_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "credit_code", "kind", "city", "city_name", "address", "is_public_institution",
                  "is_foreign", "verified"]
        read_only_fields = ["verified"]


class EncumbranceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    beneficiary = serializers.CharField(source="holder_label", read_only=True)

    class Meta:
        model = Encumbrance
        fields = ["id", "kind", "kind_label", "beneficiary", "start_date", "end_date", "territory", "registration_number",
                  "registered_at", "released_at"]


class PatentSerializer(serializers.ModelSerializer):
    patent_number = serializers.CharField(read_only=True)
    expiry_date = serializers.DateField(read_only=True)
    remaining_years = serializers.SerializerMethodField()
    holders = serializers.SerializerMethodField()
    co_owner_ids = serializers.ListField(child=serializers.IntegerField(), write_only=True, required=False,
                                         help_text="其他共有人机构 id / ids of co-owning organisations")
    kind = serializers.ChoiceField(choices=PatentKind.choices, required=False)

    class Meta:
        model = Patent
        fields = ["id", "application_number", "patent_number", "kind", "title", "abstract", "first_claim",
                  "claims_count", "independent_claims", "ipc_codes", "industry", "applicants", "inventors",
                  "filing_date", "publication_date", "grant_date", "priority_date", "family_size", "forward_citations",
                  "backward_citations", "legal_status", "invalidation_pending", "annual_fee_overdue", "expiry_date",
                  "remaining_years", "holders", "co_owner_ids", "demo_generated_fields", "source"]
        read_only_fields = ["industry", "demo_generated_fields", "source"]
        extra_kwargs = {"abstract": {"max_length": 10000}, "first_claim": {"max_length": 10000}}

    def get_remaining_years(self, patent: Patent) -> float:
        return round(patent.remaining_years(), 2)

    def get_holders(self, patent: Patent) -> list[dict]:
        return [{"id": o.organisation_id, "name": o.organisation.name} for o in
                patent.ownerships.select_related("organisation")]

    def validate_application_number(self, value: str) -> str:
        try:
            number = normalise_application_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_django_errors(exc)) from exc
        if Patent.objects.filter(application_number=number).exists():
            raise serializers.ValidationError("该申请号已登记 / This application number is already registered")
        return number

    def validate(self, attrs):
        number = attrs.get("application_number")
        if number:
            kind = kind_from_application_number(number)
            if attrs.get("kind") and attrs["kind"] != kind:
                raise serializers.ValidationError({"kind": [
                    f"专利类型与申请号的类型位不符（应为 {PatentKind(kind).label}） / "
                    f"The kind does not match the application number's kind digit ({kind})"]})
            attrs["kind"] = kind
            filing = attrs.get("filing_date")
            if filing and str(filing.year) != number[:4]:
                raise serializers.ValidationError({"filing_date": [
                    "申请日年份与申请号不符 / The filing year does not match the application number"]})
        filing = attrs.get("filing_date")
        for name, label in (("publication_date", "公开日 / publication date"), ("grant_date", "授权公告日 / grant date")):
            if filing and attrs.get(name) and attrs[name] < filing:
                raise serializers.ValidationError({name: [f"{label.split(' / ')[0]}不能早于申请日 / The "
                                                          f"{label.split(' / ')[1]} cannot precede the filing date"]})
        return attrs

    def create(self, validated):
        return patent_register(actor=self.context["request"].user, **validated)


class ListingSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    patent_ids = serializers.PrimaryKeyRelatedField(source="patents", many=True, queryset=Patent.objects.all())
    asking_price = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    mode = serializers.ChoiceField(choices=ListingMode.choices)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "title", "description", "mode", "patent_ids", "asking_price", "terms", "state", "state_label",
                  "rejection_reason", "organisation", "submitted_at", "published_at", "expires_at", "created_at"]
        read_only_fields = ["state", "rejection_reason", "submitted_at", "published_at", "expires_at"]
        extra_kwargs = {"description": {"max_length": 5000}, "terms": {"max_length": 2000}}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TransitionLogSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(read_only=True, allow_null=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = TransitionLog
        fields = ["transition", "from_state", "to_state", "actor", "organisation", "reason", "at"]


class EscrowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Escrow
        fields = ["id", "reference", "amount", "state", "held_at", "captured_at", "released_at", "refunded_at"]


class LedgerEntrySerializer(serializers.Serializer):
    account = serializers.CharField(source="account.code")
    amount = serializers.DecimalField(**MONEY)


class LedgerTransactionSerializer(serializers.Serializer):
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()
    entries = LedgerEntrySerializer(many=True)


class PaymentSerializer(EscrowSerializer):
    """An escrow with its parties and the ledger transactions that moved its money."""

    payer = serializers.CharField(source="payer.name")
    payee = serializers.CharField(source="payee.name")
    transactions = LedgerTransactionSerializer(many=True, read_only=True)

    class Meta(EscrowSerializer.Meta):
        fields = [*EscrowSerializer.Meta.fields, "payer", "payee", "provider_reference", "transactions"]


class IdempotentSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(max_length=100, required=False,
                                            help_text="或使用请求头 Idempotency-Key / or the Idempotency-Key header")


class DocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    patent_number = serializers.CharField(source="patent.patent_number", read_only=True, allow_null=True,
                                          default=None)
    is_current = serializers.BooleanField(read_only=True)
    verification_code = serializers.CharField(source="verification_code_display", read_only=True)
    download_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "number", "kind", "kind_label", "deal_id", "patent_number", "version", "state", "sha256",
                  "size", "issued_at", "is_current", "verification_code", "download_url", "verify_url"]

    def get_download_url(self, doc) -> str | None:
        """The file through the API (token or session): ``GET /api/v1/documents/{number}/download/``."""
        return reverse("api:document-download", args=[doc.number]) if doc.state == DocumentState.ISSUED else None

    def get_verify_url(self, doc) -> str:
        return reverse("market:verify", args=[doc.verification_code_display])
