"""Forms of the licensing pages: they validate input; the market services check the rules and do the work."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.licensing.models import LicenceKind, ReportingPeriod, RoyaltyMethod
from market.models import Patent

from .forms import MAX_PRICE, Form, IdempotentForm, _choices


def _money(label, required=False) -> forms.DecimalField:
    field = forms.DecimalField(label=label, required=required, max_digits=15, decimal_places=2,
                               min_value=Decimal("0"), max_value=MAX_PRICE)
    field.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
    return field


class RoyaltyFieldsForm(Form):
    """The royalty method and the amounts it needs (the service says which are missing)."""

    royalty_method = forms.ChoiceField(label=_("许可使用费支付方式"))
    annual_fee = _money(_("年许可费（元）"))
    entry_fee = _money(_("入门费（元，可为0）"))
    royalty_rate = forms.DecimalField(label=_("提成比例（%，占净销售额）"), required=False, max_digits=5,
                                      decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100"))
    unit_fee = _money(_("每件许可费（元）"))
    period_months = forms.TypedChoiceField(label=_("结算周期"), coerce=int, initial=ReportingPeriod.QUARTER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["royalty_method"].choices = _choices(RoyaltyMethod)
        self.fields["period_months"].choices = _choices(ReportingPeriod)


class DeclarationForm(RoyaltyFieldsForm):
    """The holder's open-licence declaration; the rules check runs live as the patent changes."""

    patent = forms.ModelChoiceField(label=_("专利"), queryset=Patent.objects.none(),
                                    widget=forms.Select(attrs={"data-picker": _("按申请号或名称筛选")}))
    licence_years = forms.IntegerField(label=_("许可期限（年）"), min_value=1, max_value=20, initial=3)
    territory = forms.CharField(label=_("地域范围"), max_length=200, required=False,
                                widget=forms.TextInput(attrs={"placeholder": "中华人民共和国境内"}))
    scope = forms.CharField(label=_("实施方式"), max_length=300, required=False,
                            widget=forms.TextInput(attrs={"placeholder": "制造、使用、许诺销售、销售、进口"}))
    covers_whole_patent = forms.BooleanField(label=_("许可全部权利要求"), required=False, initial=True)
    scope_note = forms.CharField(label=_("许可范围说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evaluation_report = forms.FileField(label=_("专利权评价报告（PDF，实用新型和外观设计必交）"), required=False,
                                        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    field_order = ["patent", "royalty_method", "annual_fee", "entry_fee", "royalty_rate", "unit_fee", "period_months",
                   "licence_years", "territory", "scope", "covers_whole_patent", "scope_note", "evaluation_report"]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["patent"].queryset = Patent.objects.filter(ownerships__organisation=organisation)
        self.fields["patent"].label_from_instance = lambda p: f"{p.patent_number} {p.title}"
        self.order_fields(self.field_order)


class EvaluationReportForm(Form):
    evaluation_report = forms.FileField(label=_("专利权评价报告（PDF）"),
                                        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class TakeUpForm(IdempotentForm):
    """“立即获得许可”: the written notice and the payment, in one submit."""

    notice_confirmed = forms.BooleanField(
        label=_("本单位已阅读并接受上述开放许可条件，以此书面通知专利权人实施该专利，并支付许可使用费"),
        error_messages={"required": _("请确认书面通知 / Confirm the written notice")})


class RoyaltyReportForm(Form):
    period_id = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("本期净销售额（元）或件数"), max_digits=18, decimal_places=2,
                                  min_value=Decimal("0"))


class RoyaltyPayForm(IdempotentForm):
    period_id = forms.IntegerField(widget=forms.HiddenInput)


class LicenceTermsForm(RoyaltyFieldsForm):
    """An offer of licence terms (kind, term, territory, royalty)."""

    licence_kind = forms.ChoiceField(label=_("许可类型"))
    territory = forms.CharField(label=_("地域范围"), max_length=200, required=False,
                                widget=forms.TextInput(attrs={"placeholder": "中华人民共和国境内"}))
    start_date = forms.DateField(label=_("许可起始日"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("许可终止日"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(label=_("留言"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["licence_kind", "territory", "start_date", "end_date", "royalty_method", "annual_fee", "entry_fee",
                   "royalty_rate", "unit_fee", "period_months", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence_kind"].choices = _choices(LicenceKind)
        self.fields["licence_kind"].initial = LicenceKind.ORDINARY
        self.fields["start_date"].initial = timezone.localdate()
        self.order_fields(self.field_order)

    def terms(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("message", None)
        return data


class RecordForm(Form):
    record_number = forms.CharField(label=_("备案号（可留空自动生成）"), required=False, max_length=40)
