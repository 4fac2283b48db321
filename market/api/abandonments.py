"""Abandonment requests: the holder asks, co-owners and pledgees consent, the holder executes."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated

from market.models import AbandonmentRequest
from market.services import abandonments as services

from .common import REFUSED, ObjectActionsMixin


class AbandonmentSerializer(serializers.ModelSerializer):
    patent_id = serializers.IntegerField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = AbandonmentRequest
        fields = ["id", "patent_id", "organisation", "reason", "state", "state_label", "created_at", "decided_at"]
        read_only_fields = ["state", "created_at", "decided_at"]
        extra_kwargs = {"reason": {"max_length": 2000}}


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def abandonments_visible_to(user):
    """The requesting holder, the patent's co-owners and pledgees, and staff."""
    qs = AbandonmentRequest.objects.select_related("organisation")
    if getattr(user, "is_centre_staff", False):
        return qs
    org = getattr(user, "organisation_id", None)
    if org is None:
        return qs.none()
    return qs.filter(Q(organisation_id=org) | Q(patent__ownerships__organisation_id=org)
                     | Q(patent__encumbrances__beneficiary_id=org, patent__encumbrances__kind="pledge",
                         patent__encumbrances__released_at__isnull=True)).distinct()


class AbandonmentViewSet(ObjectActionsMixin, viewsets.ReadOnlyModelViewSet):
    """放弃专利权: refused while a pledgee or co-owner has not consented (409 with rule and reason)."""

    serializer_class = answer_serializer = AbandonmentSerializer
    service_key = "request_id"
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AbandonmentRequest.objects.none()
        return abandonments_visible_to(self.request.user)

    @extend_schema(request=AbandonmentSerializer, responses={201: AbandonmentSerializer, **REFUSED})
    def create(self, request):
        serializer = AbandonmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.abandonment_request(patent_id=serializer.validated_data["patent_id"], actor=request.user,
                                               reason=serializer.validated_data.get("reason", ""))
        return self.answer(request, created.pk, status.HTTP_201_CREATED)

    @extend_schema(request=NoteSerializer, responses={200: AbandonmentSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        return self.act(request, services.abandonment_consent, body=NoteSerializer)

    @extend_schema(request=None, responses={200: AbandonmentSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def execute(self, request, pk=None):
        return self.act(request, services.abandonment_execute)

    @extend_schema(request=None, responses={200: AbandonmentSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(request, services.abandonment_cancel)
