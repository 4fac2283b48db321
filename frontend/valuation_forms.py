"""Forms of the valuation pages: order a formal valuation, and the agency's valuation with the module's
inputs (percentages on the page, fractions for the module, which checks every range)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from market.models import Organisation, OrganisationKind
from market.web.forms import Form
from valuation.models import ValuationMethod

from .forms import _choices

PURPOSES = [("质押融资", _("质押融资")), ("转让", _("转让")), ("许可", _("许可")), ("财务报告", _("财务报告"))]


def percent_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=7, decimal_places=3, **kwargs)


class OrderForm(Form):
    """Order a formal valuation of one right from a verified agency."""

    agency = forms.ModelChoiceField(label=_("评估机构"), empty_label=None,
                                    queryset=Organisation.objects.acting_as(OrganisationKind.VALUATION_AGENCY))
    purpose = forms.ChoiceField(label=_("评估目的"), choices=PURPOSES)
    note = forms.CharField(label=_("委托说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    patent_id = forms.IntegerField(widget=forms.HiddenInput)
    loan_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].label_from_instance = lambda org: org.name


class ValuationForm(Form):
    """The method, its inputs (income: royalty relief; cost: reproduction cost; market: the comparable deals
    the platform holds), the use declared and the intended loan term."""

    method = forms.ChoiceField(label=_("评估方法"), initial="income")
    revenue = forms.DecimalField(label=_("首年收入（元）"), max_digits=15, decimal_places=2, min_value=Decimal("0"),
                                 required=False)
    growth = percent_field(_("收入年增长率（%）"), initial=Decimal("0"), required=False)
    royalty_rate = percent_field(_("提成率（%）"), required=False)
    share = percent_field(_("专利分成比例（%）"), initial=Decimal("100"), required=False)
    discount_rate = percent_field(_("折现率（%）"), required=False)
    development_cost = forms.DecimalField(label=_("研发成本（元，成本法）"), max_digits=15, decimal_places=2,
                                          min_value=Decimal("0"), required=False)
    fees = forms.DecimalField(label=_("官费与代理费（元，成本法）"), max_digits=15, decimal_places=2,
                              min_value=Decimal("0"), required=False)
    economic_life = forms.DecimalField(label=_("经济寿命（年，可留空：按剩余保护期）"), required=False, max_digits=5,
                                       decimal_places=2, min_value=Decimal("0.1"))
    implemented = forms.BooleanField(label=_("已实施"), required=False, initial=True)
    loan_term_years = forms.DecimalField(label=_("拟贷款期限（年）"), initial=Decimal("3"), max_digits=4,
                                         decimal_places=1, min_value=Decimal("0.1"))
    seed = forms.IntegerField(label=_("随机种子（同一种子得到同一结果）"), required=False, min_value=0)

    INCOME_FIELDS = ("revenue", "royalty_rate", "discount_rate")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = _choices(ValuationMethod)

    def clean(self) -> dict:
        data = super().clean()
        method = data.get("method")
        needed = self.INCOME_FIELDS if method == "income" else ("development_cost",) if method == "cost" else ()
        for name in needed:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("所选评估方法须填写此项"))
        return data

    def inputs(self) -> dict:
        """The module's request (valuation.inputs): fractions and numbers for the chosen method."""
        data = self.cleaned_data
        inputs = {"method": data["method"], "implemented": data["implemented"],
                  "loan_term_years": float(data["loan_term_years"])}
        if data.get("revenue") is not None and data.get("royalty_rate") is not None:
            income = {"revenue": float(data["revenue"]), "growth": float(data.get("growth") or 0) / 100,
                      "royalty_rate": float(data["royalty_rate"]) / 100,
                      "share": float(data["share"] if data.get("share") is not None else 100) / 100,
                      "discount_rate": float(data["discount_rate"] or 0) / 100}
            if data.get("economic_life"):
                income["economic_life"] = float(data["economic_life"])
            inputs["income"] = income
        if data.get("development_cost") is not None:
            inputs["cost"] = {"development_cost": float(data["development_cost"]), "fees": float(data.get("fees") or 0)}
        if data.get("seed") is not None:
            inputs["seed"] = data["seed"]
        return inputs


class DeclineForm(Form):
    reason = forms.CharField(label=_("谢绝理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
