"""Forms of the pledge-financing pages: they parse input; the pledge services validate and decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.models import Organisation, OrganisationKind, Patent
from market.money import format_cny
from market.pledges.models import DEFAULT_DEBT_KIND, DEFAULT_SECURITY_SCOPE, ConfirmableGround, RepaymentPlan

from .forms import MAX_PRICE, Form, IdempotentForm, PatentPicker, ReasonForm, _choices


def amount_field(label, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(label=label, max_digits=15, decimal_places=2, max_value=MAX_PRICE, **kwargs)
    field.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
    return field


class ApplicationForm(Form):
    """A pledge-loan application: the patents (a package), the bank, amount, term, purpose, repayment plan."""

    patents = forms.ModelMultipleChoiceField(label=_("出质专利或商标"), queryset=Patent.objects.none(),
                                             widget=PatentPicker)
    bank = forms.ModelChoiceField(label=_("贷款银行"), queryset=Organisation.objects.acting_as(OrganisationKind.BANK),
                                  empty_label=_("请选择银行"))
    amount = amount_field(_("申请金额（元）"))
    term_months = forms.IntegerField(label=_("期限（月）"), initial=12)
    purpose = forms.CharField(label=_("借款用途"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    repayment_plan = forms.ChoiceField(label=_("还款方式"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repayment_plan"].choices = _choices(RepaymentPlan)
        if organisation is not None:
            self.fields["patents"].queryset = (Patent.objects.filter(ownerships__organisation=organisation)
                                               .order_by("application_number"))
        self.fields["patents"].label_from_instance = lambda p: f"{p.patent_number} {p.title}"
        self.fields["bank"].label_from_instance = lambda org: org.name


class PrecheckForm(Form):
    """What the pre-check needs (it never refuses: it shows)."""

    patents = forms.ModelMultipleChoiceField(queryset=Patent.objects.all(), required=False)
    term_months = forms.IntegerField(required=False, min_value=1, max_value=360)


class ApproveForm(Form):
    amount = amount_field(_("批准金额（元）"))
    rate_percent = forms.DecimalField(label=_("年利率（%）"), max_digits=6, decimal_places=3)
    term_months = forms.IntegerField(label=_("期限（月）"))
    # In percent, as the review page shows the advice; the services take a fraction.
    pledge_ratio = forms.DecimalField(label=_("质押率（%）"), min_value=Decimal("0"), max_value=Decimal("100"),
                                      max_digits=6, decimal_places=2)
    above_advice_reason = forms.CharField(label=_("高于建议的理由"), max_length=500, required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}),
                                          help_text=_("批准金额或质押率高于建议时必填"))

    def show_advice(self, *, value: Decimal, max_loan: Decimal, ratio: Decimal) -> None:
        """The review's advice beside the fields; the page derives the ratio from the amount and back
        (frontend/static/frontend/site.js, against the collateral's P50 ``value``)."""
        for name in ("amount", "pledge_ratio"):
            self.fields[name].widget.attrs["data-collateral-value"] = str(value)
        self.fields["amount"].help_text = _("建议最高贷款额 %(amount)s") % {"amount": format_cny(max_loan)}
        self.fields["pledge_ratio"].help_text = _("建议质押率 %(ratio)s，按质押物 P50 %(value)s 折算") % {
            "ratio": f"{ratio:.2%}", "value": format_cny(value)}
        amount = self.initial.get("amount")
        if amount and value and "pledge_ratio" not in self.initial:
            self.initial["pledge_ratio"] = (Decimal(amount) / value * 100).quantize(Decimal("0.01"))

    def clean_pledge_ratio(self) -> Decimal:
        return (self.cleaned_data["pledge_ratio"] / 100).quantize(Decimal("0.0001"))


class MessageForm(Form):
    message = forms.CharField(label=_("需补充的材料"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ResubmitForm(Form):
    reply = forms.CharField(label=_("答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    amount = amount_field(_("调整申请金额（元，可留空）"), required=False)
    term_months = forms.IntegerField(label=_("调整期限（月，可留空）"), required=False)


class ContractForm(Form):
    debt_kind = forms.CharField(label=_("被担保主债权种类"), max_length=100, initial=DEFAULT_DEBT_KIND, required=False)
    security_scope = forms.CharField(label=_("质押担保范围"), initial=DEFAULT_SECURITY_SCOPE, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    start_date = forms.DateField(label=_("债务履行期起始日"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    other_terms = forms.CharField(label=_("其他约定"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    forfeiture_clause = forms.BooleanField(label=_("约定到期不还时专利归质权人所有（流质条款，不得约定）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()


class PatentForm(Form):
    patent_id = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmForm(PatentForm):
    ground = forms.ChoiceField(choices=ConfirmableGround.choices, widget=forms.HiddenInput)


class ReleasePatentForm(Form):
    patent_id = forms.TypedChoiceField(label=_("解除质押的专利"), coerce=int)

    def __init__(self, *args, patents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patent_id"].choices = [(p.pk, f"{p.patent_number} {p.title}") for p in patents]


class RepayForm(IdempotentForm):
    amount = amount_field(_("还款金额（元）"), min_value=Decimal("0.01"))


__all__ = ["ApplicationForm", "ApproveForm", "ConfirmForm", "ContractForm", "IdempotentForm",
           "MessageForm", "PatentForm", "PrecheckForm", "ReasonForm", "ReleasePatentForm", "RepayForm",
           "ResubmitForm"]
