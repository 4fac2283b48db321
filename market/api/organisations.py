"""Organisations, their users and invitations: who may act for whom (logic in market.services.organisations)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from market.access import member_of
from market.models import Invitation, Organisation, User, UserRole
from market.models.organisations import OrganisationKind
from market.services import organisations as services
from market.validators import validate_credit_code
from market.web.throttles import AuthThrottle

from .permissions import IsCentreStaff, IsOrganisationAdmin
from .serializers import OrganisationSerializer, ReasonSerializer


class OrganisationRegistrationSerializer(OrganisationSerializer):
    """An organisation with its first administrator. Anyone may register an enterprise, university or
    research institute; banks, trading centres and valuation agencies are created by trading-centre staff."""

    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    admin_username = serializers.CharField(write_only=True, max_length=150)
    admin_password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False,
                                           style={"input_type": "password"})
    admin_email = serializers.EmailField(write_only=True, required=False, allow_blank=True, default="")

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "admin_username", "admin_password", "admin_email"]
        # The service checks the code's uniqueness whatever its case (a 400, not a database error).
        extra_kwargs = {"credit_code": {"validators": [validate_credit_code]}}


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "role", "is_active", "date_joined"]


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at", "state"]

    def get_state(self, invitation: Invitation) -> str:
        if invitation.accepted_at:
            return "accepted"
        if invitation.revoked_at:
            return "revoked"
        return "open" if invitation.is_open else "expired"


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=UserRole.choices, default=UserRole.AGENT)


class InvitationCreatedSerializer(InvitationSerializer):
    token = serializers.CharField(read_only=True, help_text="只显示一次，请转交被邀请人 / shown once: pass it on")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "token"]


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100)
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class OrganisationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Organisations: a public directory. Registration creates an unverified organisation and its administrator."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "city", "verified"]

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        if self.action in ("verify", "revoke"):
            return [IsCentreStaff()]
        return super().get_permissions()

    def get_throttles(self):
        throttles = super().get_throttles()
        return [*throttles, AuthThrottle()] if self.action == "create" else throttles

    @extend_schema(request=OrganisationRegistrationSerializer, responses={201: OrganisationSerializer})
    def create(self, request, *args, **kwargs):
        data = OrganisationRegistrationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organisation_register(actor=request.user, **data.validated_data)
        return Response(OrganisationSerializer(org).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OrganisationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Trading-centre staff verify the organisation: its kind's powers work from now on."""
        org = services.organisation_verify(organisation_id=self.get_object().pk, actor=request.user)
        return Response(OrganisationSerializer(org).data)

    @extend_schema(request=ReasonSerializer, responses=OrganisationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Trading-centre staff withdraw the verification, with the reason."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organisation_revoke(organisation_id=self.get_object().pk, actor=request.user,
                                           reason=data.validated_data["reason"])
        return Response(OrganisationSerializer(org).data)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """The users of the caller's own organisation; its administrator deactivates them."""

    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        org = member_of(self.request.user)
        return User.objects.filter(organisation=org).order_by("username") if org else User.objects.none()

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsOrganisationAdmin])
    def deactivate(self, request, pk=None):
        user = services.user_deactivate(user_id=self.get_object().pk, actor=request.user)
        return Response(UserSerializer(user).data)


class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    """Invitations of the caller's organisation (its administrator only); accepting one needs no account."""

    serializer_class = InvitationSerializer
    permission_classes = [IsOrganisationAdmin]

    def get_queryset(self):
        org = member_of(self.request.user)
        return Invitation.objects.filter(organisation=org) if org else Invitation.objects.none()

    def get_permissions(self):
        return [AllowAny()] if self.action == "accept" else super().get_permissions()

    def get_throttles(self):
        throttles = super().get_throttles()
        return [*throttles, AuthThrottle()] if self.action == "accept" else throttles

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationCreatedSerializer})
    def create(self, request):
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, token = services.invitation_create(actor=request.user, **data.validated_data)
        invitation.token = token
        return Response(InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(invitation_id=self.get_object().pk, actor=request.user)
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=InvitationAcceptSerializer, auth=[],
                   responses={201: inline_serializer("InvitationAccepted", {"username": serializers.CharField(),
                                                                            "organisation": serializers.CharField()})})
    @action(detail=False, methods=["post"])
    def accept(self, request):
        """Become a user of the inviting organisation with the invitation's token."""
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.invitation_accept(**data.validated_data)
        return Response({"username": user.username, "organisation": user.organisation.name},
                        status=status.HTTP_201_CREATED)

