"""Forms of the IP-finance pages (receivable pledges, pools, risk-sharing schemes): they parse input; the finance
services validate and decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finance.models import ParticipantRole
from market.licensing.models import Licence
from market.models import EnterpriseSize, Organisation, OrganisationKind, PatentKind

from .forms import Form, PatentPicker, _choices
from .pledge_forms import amount_field


class LicenceChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, licence: Licence) -> str:
        return f"{licence.number} · {licence.patent.title} · {licence.licensee.name}"


class ReceivablePledgeForm(Form):
    """A licensor's application: the licences whose royalties it pledges, the bank, amount, rate and term."""

    licences = LicenceChoice(label=_("出质的许可（其许可使用费）"), queryset=Licence.objects.none(), widget=PatentPicker)
    bank = forms.ModelChoiceField(label=_("质权银行"), queryset=Organisation.objects.acting_as(OrganisationKind.BANK),
                                  empty_label=_("请选择银行"))
    amount = amount_field(_("融资金额（元）"))
    rate_percent = forms.DecimalField(label=_("年利率（%）"), max_digits=6, decimal_places=3)
    end_date = forms.DateField(label=_("质押期限至"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, licences=None, **kwargs):
        super().__init__(*args, **kwargs)
        if licences is not None:
            self.fields["licences"].queryset = licences
        self.fields["end_date"].widget.attrs["min"] = f"{timezone.localdate():%Y-%m-%d}"


class PoolForm(Form):
    name = forms.CharField(label=_("专项计划名称"), max_length=200)
    periods = forms.IntegerField(label=_("期数"), min_value=1, max_value=80, initial=8)
    period_months = forms.TypedChoiceField(label=_("每期月数"), coerce=int, initial=3,
                                           choices=[(1, "1"), (3, "3"), (6, "6"), (12, "12")])
    fee_per_period = amount_field(_("每期管理费（元）"), min_value=Decimal("0"), initial=Decimal("0"))


class PoolLicencesForm(Form):
    licences = LicenceChoice(label=_("入池许可"), queryset=Licence.objects.none(), widget=PatentPicker)

    def __init__(self, *args, licences=None, **kwargs):
        super().__init__(*args, **kwargs)
        if licences is not None:
            self.fields["licences"].queryset = licences


TRANCHE_ROWS = 3


class TranchesForm(Form):
    """Up to three tranches by priority (the first is paid first, the last filled one is subordinated)."""

    def __init__(self, *args, investors=None, **kwargs):
        super().__init__(*args, **kwargs)
        investors = investors if investors is not None else Organisation.objects.filter(verified=True)
        defaults = [_("优先级"), _("夹层级"), _("次级")]
        for i in range(1, TRANCHE_ROWS + 1):
            self.fields[f"name_{i}"] = forms.CharField(label=_("档次名称"), max_length=40, required=False,
                                                       initial=defaults[i - 1])
            self.fields[f"size_{i}"] = amount_field(_("规模（元）"), required=False)
            self.fields[f"coupon_{i}"] = forms.DecimalField(label=_("年票面利率（%）"), max_digits=6, decimal_places=3,
                                                            required=False)
            self.fields[f"investor_{i}"] = forms.ModelChoiceField(label=_("投资者"), queryset=investors,
                                                                  required=False, empty_label="—")

    def tranches(self) -> list[dict]:
        data = self.cleaned_data
        return [{"name": data[f"name_{i}"], "size": data[f"size_{i}"], "coupon_percent": data[f"coupon_{i}"],
                 "investor": str(data[f"investor_{i}"].pk) if data[f"investor_{i}"] else ""}
                for i in range(1, TRANCHE_ROWS + 1) if data[f"size_{i}"]]


PARTICIPANT_ROWS = 3


class SchemeForm(Form):
    """A risk-sharing scheme: eligibility, premium, and up to three participants with shares and caps."""

    name = forms.CharField(label=_("方案名称"), max_length=200)
    max_amount = amount_field(_("单笔贷款金额上限（元）"))
    max_rate_percent = forms.DecimalField(label=_("年利率上限（%）"), max_digits=6, decimal_places=3)
    right_kinds = forms.MultipleChoiceField(label=_("可纳入的权利类型"), widget=forms.CheckboxSelectMultiple)
    industries = forms.CharField(label=_("可纳入的产业（逗号分隔，空：不限）"), max_length=500, required=False)
    holder_sizes = forms.MultipleChoiceField(label=_("出质企业规模（不选：不限）"), widget=forms.CheckboxSelectMultiple,
                                             required=False)
    premium_rate = forms.DecimalField(label=_("保费/服务费率（%）"), max_digits=6, decimal_places=3)

    def __init__(self, *args, **kwargs):
        defaults = settings.FINANCE["RISK_SCHEME_DEFAULTS"]
        roles = list(ParticipantRole.values)
        initial = {"max_amount": defaults["max_amount"], "max_rate_percent": defaults["max_rate_percent"],
                   "premium_rate": defaults["premium_rate_percent"], "right_kinds": [PatentKind.INVENTION]}
        for i, role in enumerate(roles, start=1):
            initial.update({f"role_{i}": role, f"share_{i}": Decimal(defaults["shares"][role]) * 100,
                            f"cap_{i}": defaults["yearly_caps"][role]})
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["right_kinds"].choices = _choices(PatentKind)
        self.fields["holder_sizes"].choices = _choices(EnterpriseSize)
        participants = Organisation.objects.filter(verified=True).order_by("name")
        for i in range(1, PARTICIPANT_ROWS + 1):
            self.fields[f"organisation_{i}"] = forms.ModelChoiceField(label=_("参与方"), queryset=participants,
                                                                      required=False, empty_label="—")
            self.fields[f"role_{i}"] = forms.ChoiceField(label=_("角色"), choices=_choices(ParticipantRole),
                                                         required=False)
            self.fields[f"share_{i}"] = forms.DecimalField(label=_("分担比例（%）"), max_digits=5, decimal_places=2,
                                                           required=False)
            self.fields[f"cap_{i}"] = amount_field(_("年度赔付上限（元）"), required=False)

    def participants(self) -> list[dict]:
        data = self.cleaned_data
        return [{"organisation": data[f"organisation_{i}"].pk, "role": data[f"role_{i}"],
                 "share": data[f"share_{i}"], "yearly_cap": data[f"cap_{i}"]}
                for i in range(1, PARTICIPANT_ROWS + 1) if data[f"organisation_{i}"]]
