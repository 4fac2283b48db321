"""Forms of the organisation pages: invitations, joining by invitation, staff creating organisations."""

from django import forms
from django.utils.translation import gettext_lazy as _

from market.models import EnterpriseSize, OrganisationKind, UserRole
from market.regions import City

from .forms import Form, _choices


class InviteForm(Form):
    email = forms.EmailField(label=_("被邀请人电子邮箱"))
    role = forms.ChoiceField(label=_("角色"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _choices(UserRole)


class JoinForm(Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    password = forms.CharField(label=_("密码"), max_length=128, strip=False, widget=forms.PasswordInput)
    password_again = forms.CharField(label=_("再次输入密码"), max_length=128, strip=False,
                                     widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data


class OrganisationCreateForm(Form):
    """Staff create a bank, a valuation agency or another trading centre (verified afterwards)."""

    name = forms.CharField(label=_("机构名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    kind = forms.ChoiceField(label=_("机构类型"))
    city = forms.ChoiceField(label=_("所在地市"))
    admin_username = forms.CharField(label=_("管理员用户名"), max_length=150)
    admin_email = forms.EmailField(label=_("管理员电子邮箱"), required=False)
    admin_password = forms.CharField(label=_("管理员初始密码"), max_length=128, strip=False,
                                     widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(OrganisationKind)
        self.fields["city"].choices = _choices(City)


class EnterpriseSizeForm(Form):
    """Staff record an enterprise's size, found by its credit code."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    size = forms.ChoiceField(label=_("企业规模"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size"].choices = _choices(EnterpriseSize)
