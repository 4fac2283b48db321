"""The answer to a sign-in while locked out (django-axes' AXES_LOCKOUT_CALLABLE).

The API gets JSON with a bilingual message, the sign-in page its form with the message; both 429 with
Retry-After, the seconds until the lockout ends.
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("连续 %(limit)d 次密码错误，该账户已被锁定 %(minutes)d 分钟，请稍后再试。") % {
        "limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        minutes = seconds // 60
        response = JsonResponse({
            "detail": f"连续 {settings.AXES_FAILURE_LIMIT} 次密码错误，该账户已被锁定 {minutes} 分钟 / "
                      f"{settings.AXES_FAILURE_LIMIT} wrong passwords in a row: this account is locked for "
                      f"{minutes} minutes",
            "code": "locked_out"}, status=429)
    else:
        form = AuthenticationForm(request, data=request.POST or None)
        response = render(request, "frontend/auth/login.html",
                          {"form": form, "locked_out": lockout_message(), "next": request.POST.get("next", "")},
                          status=429)
    response["Retry-After"] = str(seconds)
    return response
