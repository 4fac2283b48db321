"""The client's address, as the sign-in lockout and the API throttles see it."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind ``PROXY_COUNT`` trusted proxies, the address the outermost one appended.

    Only the last ``PROXY_COUNT`` entries of X-Forwarded-For were written by our proxies; whatever the
    client sent before them is ignored, so a forged header cannot pick another address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    return addresses[-min(proxies, len(addresses))] if addresses else remote
