"""The register through the API: a patent's history, and the claims that join organisations to their
holdings (logic in market/register/)."""

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated

from market.models import Claim, Patent, RegisterEvent
from market.register import claims as services

from .common import REFUSED, ObjectActionsMixin, TimelineMixin, payload


class RegisterEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RegisterEvent
        fields = ["key", "kind", "kind_label", "effective_date", "data", "source", "applied_at"]


class ClaimSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    application_number = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "application_number", "organisation", "holding_id", "state", "state_label", "evidence",
                  "reason", "created_at", "decided_at"]

    def get_application_number(self, claim: Claim) -> str:
        return Patent.objects.filter(pk=claim.right_id).values_list("application_number", flat=True).first() or ""


class ClaimCreateSerializer(serializers.Serializer):
    application_number = serializers.CharField(max_length=20)
    evidence = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="",
                                     help_text="名称变更、合并等说明 / A change of name, a merger, …")


class ClaimAcceptSerializer(serializers.Serializer):
    holding_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=1000)


class ClaimRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ClaimViewSet(ObjectActionsMixin, TimelineMixin, viewsets.ReadOnlyModelViewSet):
    """Claims of the caller's organisation (staff: every claim). A claim the register confirms is accepted at
    once; the others wait for staff."""

    queryset = Claim.objects.none()  # the schema's; each request reads get_queryset
    service_key = "claim_id"
    answer_serializer = ClaimSerializer
    serializer_class = ClaimSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state"]

    def get_queryset(self):
        return services.claims_visible_to(self.request.user)

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer, **REFUSED})
    def create(self, request):
        """Claim my organisation's holding of a patent by its application number."""
        claim = services.claim_submit(actor=request.user, **payload(ClaimCreateSerializer, request))
        return self.answer(request, claim.pk, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClaimAcceptSerializer, responses={200: ClaimSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Staff: accept the claim for one holding of the register, with the ground."""
        return self.act(request, services.claim_accept, body=ClaimAcceptSerializer)

    @extend_schema(request=ClaimRejectSerializer, responses={200: ClaimSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Staff: reject the claim, with the ground."""
        return self.act(request, services.claim_reject, body=ClaimRejectSerializer)


def register_history(patent: Patent):
    return RegisterEvent.objects.filter(right_type=ContentType.objects.get_for_model(Patent), right_id=patent.pk)

