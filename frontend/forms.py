"""Forms of the frontend: they validate input; the market services do the work."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from market.models import ListingMode, Patent
from market.web.forms import Form
from market.web.labels import pick_language
from search.schema import Sort

MAX_PRICE = Decimal("9999999999999.99")


def _choices(enum) -> list[tuple[str, str]]:
    """Choices of a model enum with the active language's half of each label (built per form, per request)."""
    return [(value, pick_language(text)) for value, text in enum.choices]


class PatentPicker(forms.CheckboxSelectMultiple):
    """The organisation's rights as checkboxes with a search box above them (frontend/static/frontend/site.js)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-picker": _("按申请号或名称筛选"), **(attrs or {})}, choices)


class PriceField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("价格（元）"))
        super().__init__(max_digits=15, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_PRICE, **kwargs)
        self.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})


class SearchFilterForm(Form):
    """Renders the search page's inputs with the current values (never validated here: ``SearchQuery``
    checks the parameters; the field names are its parameter names)."""

    q = forms.CharField(label=_("关键词"), required=False)
    ipc_prefix = forms.CharField(label=_("IPC分类号前缀"), required=False)
    price_min = forms.DecimalField(label=_("最低价（元）"), required=False, min_value=0)
    price_max = forms.DecimalField(label=_("最高价（元）"), required=False, min_value=0)
    remaining_years_min = forms.DecimalField(label=_("剩余保护期不少于（年）"), required=False, min_value=0)
    sort = forms.ChoiceField(label=_("排序"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = _choices(Sort)
        self.fields["q"].widget = forms.TextInput(attrs={
            "type": "search", "placeholder": _("专利名称、摘要、技术关键词，如：电池"), "aria-label": _("关键词")})
        self.fields["ipc_prefix"].widget.attrs["placeholder"] = "H01M"
        for name in ("price_min", "price_max", "remaining_years_min"):
            self.fields[name].widget.attrs.update({"step": "any", "inputmode": "decimal"})


class OfferForm(Form):
    """A price offer or counter-offer."""

    price = PriceField()
    message = forms.CharField(label=_("留言"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class IdempotentForm(Form):
    """A money movement: the key is generated when the form is rendered, so a double submit pays once."""

    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)


class FileRegistrationForm(Form):
    export_registration_number = forms.CharField(label=_("技术出口登记证书编号"), required=False, max_length=60)


class ConsentRequestForm(Form):
    message = forms.CharField(label=_("说明（选填）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(Form):
    text = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(Form):
    patent_id = forms.IntegerField(widget=forms.HiddenInput)
    deposit_proceeds = forms.BooleanField(label=_("质权人：价款提存至债务履行期届满（不提前清偿）"), required=False)


class RegisterForm(Form):
    registration_number = forms.CharField(label=_("变更登记号（可留空自动生成）"), required=False, max_length=40)


class ListingCreateForm(Form):
    """A new draft listing of patents the organisation holds."""

    title = forms.CharField(label=_("标题"), max_length=300)
    mode = forms.ChoiceField(label=_("交易方式"))
    patent_ids = forms.ModelMultipleChoiceField(label=_("专利或商标"), queryset=Patent.objects.none(),
                                                widget=PatentPicker)
    asking_price = forms.DecimalField(label=_("挂牌价（元，留空为面议）"), required=False, max_digits=15,
                                      decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_PRICE)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = _choices(ListingMode)
        self.fields["mode"].initial = ListingMode.TRANSFER
        if organisation is not None:
            self.fields["patent_ids"].queryset = Patent.objects.filter(ownerships__organisation=organisation)
        self.fields["patent_ids"].label_from_instance = lambda p: f"{p.patent_number} {p.title}"
