"""Organisations and their users: registration, verification by staff, invitations, deactivation.

Roles are granted, never claimed: anyone may register an enterprise, university or research institute;
banks, trading centres and valuation agencies are created by trading-centre staff (the first centre by
``manage.py create_trading_centre``), and no organisation holds a privileged power before staff verify
it (``Organisation.acts_as``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from knox.models import AuthToken

from market.access import require_centre_staff, require_organisation_admin
from market.models import EnterpriseSize, Invitation, Organisation, OrganisationKind, TransitionLog, User, UserRole
from market.models.organisations import SELF_REGISTERED_KINDS
from market.rules import Reason, RuleViolation
from market.validators import validate_credit_code
from market.web.passwords import password_errors

from .errors import ActionForbidden

RULE = "organisations"


def _credit_code(value: str) -> str:
    code = (value or "").strip().upper()
    validate_credit_code(code)
    return code


def _registration_errors(*, kind: str, credit_code: str, admin_username: str, admin_password: str,
                         admin_email: str, may_create_privileged: bool) -> tuple[str, dict[str, list[str]]]:
    """(the normalised credit code, field errors) of a registration."""
    errors: dict[str, list[str]] = {}
    if kind not in OrganisationKind.values:
        errors["kind"] = ["机构类型无效 / Unknown organisation kind"]
    elif kind not in SELF_REGISTERED_KINDS and not may_create_privileged:
        errors["kind"] = ["银行、交易中心和评估机构由交易中心创建并认证，不能自行注册 / Banks, trading centres and "
                          "valuation agencies are created and verified by the trading centre; they cannot register "
                          "themselves"]
    try:
        credit_code = _credit_code(credit_code)
    except ValidationError as exc:
        errors["credit_code"] = list(exc.messages)
    else:
        if Organisation.objects.filter(credit_code=credit_code).exists():
            errors["credit_code"] = ["该统一社会信用代码已注册 / This credit code is already registered"]
    if User.objects.filter(username__iexact=admin_username).exists():
        errors["admin_username"] = ["用户名已被使用 / This username is taken"]
    if weak := password_errors(admin_password, User(username=admin_username, email=admin_email)):
        errors["admin_password"] = weak
    return credit_code, errors


def _create(*, actor: User | None, reason: str, verified: bool, name: str, credit_code: str, kind: str, city: str,
            admin_username: str, admin_password: str, admin_email: str, address: str, is_public_institution: bool,
            is_foreign: bool) -> Organisation:
    try:
        with transaction.atomic():
            org = Organisation.objects.create(
                name=name.strip(), credit_code=credit_code, kind=kind, city=city, address=address.strip(),
                is_public_institution=is_public_institution, is_foreign=is_foreign, verified=verified)
            User.objects.create_user(username=admin_username, password=admin_password, email=admin_email,
                                     organisation=org, role=UserRole.ADMIN)
            TransitionLog.record(org, transition="register", from_state="",
                                 to_state="verified" if verified else "unverified", actor=actor, reason=reason)
    except IntegrityError as exc:  # a concurrent registration of the same code or username won the race
        raise ValidationError({"credit_code": ["该统一社会信用代码或用户名已注册 / This credit code or username is "
                                               "already registered"]}) from exc
    return org


def organisation_register(*, actor: User | None, name: str, credit_code: str, kind: str, city: str,
                          admin_username: str, admin_password: str, admin_email: str = "", address: str = "",
                          is_public_institution: bool = False, is_foreign: bool = False) -> Organisation:
    """Create an unverified organisation and its first administrator, in one transaction.

    Self-registration gives enterprises, universities and research institutes only; trading-centre
    staff may create any kind (banks, centres and agencies still wait for verification).
    """
    staff = actor is not None and actor.is_authenticated and actor.is_centre_staff
    credit_code, errors = _registration_errors(kind=kind, credit_code=credit_code, admin_username=admin_username,
                                               admin_password=admin_password, admin_email=admin_email,
                                               may_create_privileged=staff)
    if errors:
        raise ValidationError(errors)
    return _create(actor=actor if staff else None, verified=False,
                   reason="交易中心创建 / created by the trading centre" if staff else "自行注册 / self-registered",
                   name=name, credit_code=credit_code, kind=kind, city=city, admin_username=admin_username,
                   admin_password=admin_password, admin_email=admin_email, address=address,
                   is_public_institution=is_public_institution, is_foreign=is_foreign)


def trading_centre_bootstrap(*, name: str, credit_code: str, city: str, admin_username: str, admin_password: str,
                             admin_email: str = "", address: str = "") -> Organisation:
    """The deployment's first trading centre, verified, with its administrator (``manage.py create_trading_centre``).

    The only way a privileged organisation comes into being without staff: whoever runs it has the server.
    """
    credit_code, errors = _registration_errors(kind=OrganisationKind.TRADING_CENTRE, credit_code=credit_code,
                                               admin_username=admin_username, admin_password=admin_password,
                                               admin_email=admin_email, may_create_privileged=True)
    if errors:
        raise ValidationError(errors)
    return _create(actor=None, verified=True, reason="manage.py create_trading_centre", name=name,
                   credit_code=credit_code, kind=OrganisationKind.TRADING_CENTRE, city=city,
                   admin_username=admin_username, admin_password=admin_password, admin_email=admin_email,
                   address=address, is_public_institution=True, is_foreign=False)


def organisation_verify(*, organisation_id: int, actor: User, note: str = "") -> Organisation:
    """Trading-centre staff verify an organisation: from now on its kind's powers work."""
    require_centre_staff(actor)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation_id)
        if org.verified:
            raise RuleViolation(Reason("already_verified", RULE, "该机构已认证 / The organisation is already verified"))
        org.verified = True
        org.save(update_fields=["verified"])
        TransitionLog.record(org, transition="verify", from_state="unverified", to_state="verified", actor=actor,
                             reason=note.strip())
    return org


def organisation_size_set(*, credit_code: str, size: str, actor: User) -> Organisation:
    """Trading-centre staff record an enterprise's size from its documents (schemes for small enterprises read
    it); logged."""
    require_centre_staff(actor)
    if size not in EnterpriseSize.values:
        raise ValidationError({"size": ["请选择企业规模 / Choose the enterprise's size"]})
    with transaction.atomic():
        org = Organisation.objects.select_for_update().filter(credit_code=(credit_code or "").strip().upper()).first()
        if org is None or org.kind != OrganisationKind.ENTERPRISE:
            raise ValidationError({"credit_code": ["没有该统一社会信用代码的企业 / No enterprise has this credit code"]})
        before = org.enterprise_size
        org.enterprise_size = size
        org.save(update_fields=["enterprise_size"])
        TransitionLog.record(org, transition="set_size", from_state=before, to_state=size, actor=actor,
                             reason="企业规模核定为{} / Enterprise size set to {}".format(
                                 *EnterpriseSize(size).label.split(" ", 1)))
    return org


def organisation_revoke(*, organisation_id: int, actor: User, reason: str) -> Organisation:
    """Trading-centre staff withdraw a verification (a licence withdrawn, fraud): the kind's powers stop at once."""
    require_centre_staff(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请说明撤销认证的原因 / Give the reason for withdrawing the verification"]})
    if organisation_id == actor.organisation_id:
        raise ActionForbidden("不能撤销本机构的认证 / You cannot withdraw your own organisation's verification")
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation_id)
        if not org.verified:
            raise RuleViolation(Reason("not_verified", RULE, "该机构尚未认证 / The organisation is not verified"))
        org.verified = False
        org.save(update_fields=["verified"])
        TransitionLog.record(org, transition="revoke", from_state="verified", to_state="unverified", actor=actor,
                             reason=reason.strip())
    return org


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, actor: User, email: str, role: str = UserRole.AGENT) -> tuple[Invitation, str]:
    """The organisation's administrator invites a user; returns the invitation and its token (shown once)."""
    org = require_organisation_admin(actor)
    if role not in UserRole.values:
        raise ValidationError({"role": ["角色无效 / Unknown role"]})
    token = secrets.token_urlsafe(32)
    days = settings.ACCESS["INVITATION_DAYS"]
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=org, email=email.strip(), role=role, token_sha256=_token_digest(token), created_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=days))
        TransitionLog.record(invitation, transition="invite", from_state="", to_state="open", actor=actor,
                             reason=email.strip())
    return invitation, token


def invitation_revoke(*, invitation_id: int, actor: User) -> Invitation:
    org = require_organisation_admin(actor)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id, organisation=org)
        if not invitation.is_open:
            raise RuleViolation(Reason("invitation_closed", RULE,
                                       "该邀请已接受、已撤销或已过期 / The invitation was accepted, revoked or has expired"))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        TransitionLog.record(invitation, transition="revoke", from_state="open", to_state="revoked", actor=actor)
    return invitation


def invitation_accept(*, token: str, username: str, password: str, display_name: str = "") -> User:
    """Create the invited user in the inviting organisation (the token is good for one user, once)."""
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["用户名已被使用 / This username is taken"]
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update().select_related("organisation")
                      .filter(token_sha256=_token_digest(token or "")).first())
        if invitation is None or not invitation.is_open:
            raise ValidationError({"token": ["邀请无效、已使用或已过期 / The invitation is invalid, used or expired"]})
        if weak := password_errors(password, User(username=username, email=invitation.email)):
            errors["password"] = weak
        if errors:
            raise ValidationError(errors)
        user = User.objects.create_user(username=username, password=password, email=invitation.email,
                                        organisation=invitation.organisation, role=invitation.role,
                                        display_name=display_name.strip())
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        TransitionLog.record(invitation, transition="accept", from_state="open", to_state="accepted", actor=user)
    return user


def user_deactivate(*, user_id: int, actor: User) -> User:
    """The administrator deactivates a user of its organisation: sessions and API tokens stop working."""
    org = require_organisation_admin(actor)
    if user_id == actor.pk:
        raise ActionForbidden("不能停用自己的账户 / You cannot deactivate your own account")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id, organisation=org)
        if not user.is_active:
            raise RuleViolation(Reason("user_inactive", RULE, "该用户已停用 / The user is already deactivated"))
        user.is_active = False
        user.save(update_fields=["is_active"])
        AuthToken.objects.filter(user=user).delete()
        TransitionLog.record(user, transition="deactivate", from_state="active", to_state="inactive", actor=actor)
    return user
