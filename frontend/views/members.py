"""An organisation's users and invitations (its administrator), joining by invitation, and the trading
centre's organisation register (create, verify, withdraw)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from market.access import require_centre_staff, require_organisation_admin
from market.models import Invitation, Organisation, User
from market.models.organisations import PRIVILEGED_KINDS
from market.services import organisations as services

from ..access_forms import EnterpriseSizeForm, InviteForm, JoinForm, OrganisationCreateForm
from ..forms import ReasonForm
from .common import call_service, errors_onto_form, flash_errors, flash_outcome, shows_403_page


def _members_page(request: HttpRequest, *, form: InviteForm | None = None, link: str = "",
                  status: int = 200) -> HttpResponse:
    org = require_organisation_admin(request.user)
    return render(request, "frontend/members/members.html", {
        "nav": "workspace", "organisation": org, "form": form or InviteForm(), "link": link,
        "users": User.objects.filter(organisation=org).order_by("-is_active", "username"),
        "invitations": Invitation.objects.filter(organisation=org)[:50],
    }, status=status)


@login_required
@shows_403_page
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


@login_required
@require_POST
@shows_403_page
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, form=form, status=400)
    outcome = call_service(services.invitation_create, actor=request.user, **form.cleaned_data)
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return _members_page(request, form=form, status=400)
    _invitation, token = outcome.result
    link = f"{settings.PUBLIC_BASE_URL}{reverse('frontend:join')}?token={token}"
    messages.success(request, _("邀请已创建。请将下方链接发给被邀请人（只显示这一次）。"))
    return _members_page(request, link=link)


@login_required
@require_POST
@shows_403_page
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = call_service(services.invitation_revoke, invitation_id=pk, actor=request.user)
    flash_outcome(request, outcome, _("邀请已撤销。"))
    return redirect("frontend:members")


@login_required
@require_POST
@shows_403_page
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = call_service(services.user_deactivate, user_id=pk, actor=request.user)
    flash_outcome(request, outcome, _("该用户已停用，其登录与 API 令牌即时失效。"))
    return redirect("frontend:members")


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Accept an invitation: choose a username and password, then sign in."""
    form = JoinForm(request.POST or None, initial={"token": request.GET.get("token", "")})
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in ("token", "username", "password", "display_name")}
        outcome = call_service(services.invitation_accept, **data)
        if outcome.ok:
            messages.success(request, _("账户已创建，请登录。"))
            return redirect("frontend:login")
        for field, errors in outcome.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields and field != "token" else None, error)
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/members/join.html", {"form": form}, status=status)


# -- the trading centre's register of organisations ------------------------------------------------
def _organisations_page(request: HttpRequest, *, form: OrganisationCreateForm | None = None,
                        size_form: EnterpriseSizeForm | None = None, status: int = 200) -> HttpResponse:
    require_centre_staff(request.user)
    return render(request, "frontend/members/organisations.html", {
        "nav": "organisations", "form": form or OrganisationCreateForm(), "reason_form": ReasonForm(),
        "size_form": size_form or EnterpriseSizeForm(),
        "unverified": Organisation.objects.filter(verified=False).order_by("-created_at")[:100],
        "privileged": Organisation.objects.filter(kind__in=PRIVILEGED_KINDS,
                                                  verified=True).order_by("kind", "name"),
    }, status=status)


@login_required
@shows_403_page
def organisations(request: HttpRequest) -> HttpResponse:
    return _organisations_page(request)


@login_required
@require_POST
@shows_403_page
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationCreateForm(request.POST)
    if not form.is_valid():
        return _organisations_page(request, form=form, status=400)
    outcome = call_service(services.organisation_register, actor=request.user, **form.cleaned_data)
    if not outcome.ok:
        for field, errors in outcome.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _organisations_page(request, form=form, status=400)
    messages.success(request, _("机构已创建，认证后其权限方可使用。"))
    return redirect("frontend:staff_organisations")


@login_required
@require_POST
@shows_403_page
def organisation_verify(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = call_service(services.organisation_verify, organisation_id=pk, actor=request.user)
    flash_outcome(request, outcome, _("机构已认证。"))
    return redirect("frontend:staff_organisations")


@login_required
@require_POST
@shows_403_page
def organisation_size(request: HttpRequest) -> HttpResponse:
    """Staff record an enterprise's size (schemes for small enterprises read it)."""
    form = EnterpriseSizeForm(request.POST)
    if not form.is_valid():
        return _organisations_page(request, size_form=form, status=400)
    outcome = call_service(services.organisation_size_set, actor=request.user, **form.cleaned_data)
    if not outcome.ok:
        errors_onto_form(form, outcome.errors)
        return _organisations_page(request, size_form=form, status=400)
    messages.success(request, _("已核定企业规模。"))
    return redirect("frontend:staff_organisations")


@login_required
@require_POST
@shows_403_page
def organisation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    outcome = call_service(services.organisation_revoke, organisation_id=pk, actor=request.user, reason=reason)
    flash_outcome(request, outcome, _("已撤销该机构的认证。"))
    return redirect("frontend:staff_organisations")
