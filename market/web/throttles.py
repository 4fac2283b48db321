"""Request rates (DRF throttles): rates from settings.THROTTLE_RATES, read at each request; the client
address from market.web.clientip, as the sign-in lockout sees it."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .clientip import client_ip


class RateThrottle(SimpleRateThrottle):
    """Counts a client's requests in ``scope`` by address (``by_user``: by user once signed in)."""

    by_user = False

    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope) or None

    def get_ident(self, request):
        return client_ip(getattr(request, "_request", request))

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated)
        if self.by_user != signed_in:
            return None  # the other class of the pair counts this request
        ident = user.pk if signed_in else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(RateThrottle):
    scope = "anon"


class UserThrottle(RateThrottle):
    scope = "user"
    by_user = True


class ScopedAddressThrottle(RateThrottle):
    """A scope counted by address for everyone, signed in or not (sign-in, invitations, verification)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthThrottle(ScopedAddressThrottle):
    scope = "auth"


class VerifyThrottle(ScopedAddressThrottle):
    scope = "verify"
