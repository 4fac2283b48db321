"""API serializers: they translate; validation of identifiers lives in market.validators."""


from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
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
    TrademarkRecord,
    TransitionLog,
)

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


class HolderSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="登记权利人编号（认领时用） / The holding's id (for claims)")
    name = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True,
                                            help_text="已认领的机构 / The organisation that joined, if any")


class TrademarkRecordSerializer(serializers.ModelSerializer):
    """A registered mark's own facts (its goods with their Nice class and similar group, its term)."""

    grace_until = serializers.DateField(read_only=True)
    renewal_opens = serializers.DateField(read_only=True)

    class Meta:
        model = TrademarkRecord
        fields = ["mark_text", "mark_pinyin", "mark_type", "goods", "nice_classes", "similar_groups", "valid_until",
                  "renewal_opens", "grace_until"]
        read_only_fields = fields


class PatentSerializer(serializers.ModelSerializer):
    """A right as the register records it: read-only (the register's data feed it, market/register/); a
    registered mark (kind ``trademark``) also has its ``mark``, null for a patent."""

    patent_number = serializers.CharField(read_only=True, help_text="授权后为 ZL 号，申请中为申请号 / ZL number once "
                                                                    "granted, else the application number")
    expiry_date = serializers.DateField(read_only=True)
    legal_status = serializers.CharField(source="current_status", read_only=True)
    legal_status_label = serializers.CharField(source="get_current_status_display", read_only=True)
    remaining_years = serializers.SerializerMethodField()
    holders = HolderSerializer(source="ownerships", many=True, read_only=True)
    mark = serializers.SerializerMethodField()

    class Meta:
        model = Patent
        fields = ["id", "application_number", "patent_number", "kind", "title", "abstract", "first_claim",
                  "claims_count", "independent_claims", "ipc_codes", "industry", "applicants", "inventors",
                  "filing_date", "publication_date", "grant_date", "priority_date", "family_size", "forward_citations",
                  "backward_citations", "legal_status", "legal_status_label", "invalidation_pending",
                  "annual_fee_overdue", "annual_fee_paid_until", "expiry_date", "remaining_years", "holders",
                  "demo_generated_fields", "source", "mark"]
        read_only_fields = fields

    def get_remaining_years(self, patent: Patent) -> float:
        return round(patent.remaining_years(), 2)

    @extend_schema_field(TrademarkRecordSerializer(allow_null=True))
    def get_mark(self, patent: Patent) -> dict | None:
        return TrademarkRecordSerializer(patent.mark).data if patent.is_trademark else None


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
