"""API permissions; object-level visibility comes from market.selectors querysets."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from market.access import member_of


class IsCentreStaff(BasePermission):
    message = "只有交易中心工作人员可以执行此操作 / Only trading-centre staff may do this"

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_centre_staff)


class IsOrganisationAdmin(BasePermission):
    message = "只有机构管理员可以执行此操作 / Only the organisation's administrator may do this"

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_organisation_admin)


class ReadOnlyOrMember(BasePermission):
    """Anyone may read what the queryset shows; writing needs a user who belongs to an organisation."""

    message = "请使用机构账户登录 / Sign in with an organisation account"

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return member_of(request.user) is not None
