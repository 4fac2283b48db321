"""API sign-in: expiring, revocable tokens (django-rest-knox), behind the sign-in lockout (django-axes)."""

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox import views as knox_views
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from market.web.openapi import ErrorSerializer
from market.web.throttles import AuthThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


TOKEN_RESPONSE = inline_serializer("TokenResponse", {
    "token": serializers.CharField(help_text="放在请求头 Authorization: Token <token> / send as Authorization: Token <token>"),
    "expiry": serializers.DateTimeField(help_text="未使用则到期失效，每次使用顺延 / expires unless used; each use extends it"),
})


class TokenLoginView(knox_views.LoginView):
    """Exchange a username and password for an API token.

    Wrong passwords count toward the sign-in lockout: after the limit the pair of username and address is
    refused (429 with Retry-After) for the lock's duration, even with the right password.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    def get_token_limit_per_user(self):
        return None  # the oldest tokens are revoked instead (below)

    @extend_schema(request=TokenRequestSerializer, responses={200: TOKEN_RESPONSE, 429: ErrorSerializer},
                   auth=[])
    def post(self, request, format=None):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None or user.organisation_id is None:
            raise ValidationError({"non_field_errors": ["用户名或密码不正确 / Wrong username or password"]})
        request.user = user
        keep = settings.REST_KNOX_TOKENS_PER_USER - 1
        stale = AuthToken.objects.filter(user=user).order_by("-created").values_list("pk", flat=True)[keep:]
        AuthToken.objects.filter(pk__in=list(stale)).delete()
        return super().post(request, format)


class TokenLogoutView(knox_views.LogoutView):
    """Revoke the token this request carries."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="已注销 / Revoked")})
    def post(self, request, format=None):
        return super().post(request, format)


class TokenLogoutAllView(knox_views.LogoutAllView):
    """Revoke every token of the signed-in user (a lost device, a leaked token)."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="已全部注销 / All revoked")})
    def post(self, request, format=None):
        return super().post(request, format)
