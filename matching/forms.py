"""Forms of the matching pages: they check the input's shape; matching.validation checks the demand."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from market.industries import Industry
from market.models import Organisation, OrganisationKind
from market.regions import City
from market.transfers.models import TransferDeal
from market.web.forms import Form
from market.web.labels import pick_language

from .models import WANTED_MODES, MatchProposal

MAX_AMOUNT = 9999999999999


def _labelled(choices) -> list[tuple[str, str]]:
    """Choices with the active language's half of each bilingual label (built per form, per request)."""
    return [(value, pick_language(text)) for value, text in choices]


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,，;；、]+", value or "") if part]


class DemandForm(Form):
    """A demand; staff also choose the organisation it is for."""

    organisation = forms.ModelChoiceField(label=_("需求方机构"), queryset=Organisation.objects.none(), required=False)
    title = forms.CharField(label=_("需求名称"), max_length=200)
    text = forms.CharField(label=_("需求描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("需要什么技术、用于什么产品、有何指标要求"))
    wanted_modes = forms.MultipleChoiceField(label=_("期望交易方式"), widget=forms.CheckboxSelectMultiple)
    industry = forms.ChoiceField(label=_("产业"), required=False)
    ipc_prefixes = forms.CharField(label=_("IPC分类号（可多个，逗号分隔）"), required=False, max_length=200)
    budget_min = forms.DecimalField(label=_("预算下限（元）"), required=False, max_digits=15, decimal_places=2,
                                    min_value=0, max_value=MAX_AMOUNT)
    budget_max = forms.DecimalField(label=_("预算上限（元）"), required=False, max_digits=15, decimal_places=2,
                                    min_value=0, max_value=MAX_AMOUNT)
    regions = forms.MultipleChoiceField(label=_("期望地区（不选为不限）"), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wanted_modes"].choices = _labelled((m.value, m.label) for m in WANTED_MODES)
        self.fields["industry"].choices = [("", _("不限")), *_labelled(Industry.choices)]
        self.fields["regions"].choices = _labelled(City.choices)
        self.fields["ipc_prefixes"].widget.attrs["placeholder"] = "H01M10, H01M50"
        if staff:
            self.fields["organisation"].required = True
            self.fields["organisation"].queryset = Organisation.objects.exclude(kind=OrganisationKind.TRADING_CENTRE)
        else:
            del self.fields["organisation"]

    def service_arguments(self) -> dict:
        """The cleaned data as ``demand_create`` takes it."""
        data = dict(self.cleaned_data)
        organisation = data.pop("organisation", None)
        data["ipc_prefixes"] = _split(data["ipc_prefixes"])
        return {**data, "organisation_id": organisation.pk if organisation else None}


class ProposeForm(Form):
    listing_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("推荐说明（选填）"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 1, "placeholder": _("推荐说明（选填）")}))


class NoteForm(Form):
    reason = forms.CharField(label=_("说明（选填）"), required=False, max_length=1000,
                             widget=forms.TextInput(attrs={"placeholder": _("说明（选填）")}))


class DealLinkForm(Form):
    """Staff mark a deal started, linking the demand organisation's transfer deal on the listing if there is one."""

    deal = forms.ModelChoiceField(label=_("关联转让交易"), queryset=TransferDeal.objects.none(), required=False,
                                  empty_label=_("不关联（线下或许可洽谈）"))

    def __init__(self, *args, proposal: MatchProposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].queryset = TransferDeal.objects.filter(listing_id=proposal.listing_id,
                                                                   buyer_id=proposal.demand.organisation_id)
        self.fields["deal"].label_from_instance = lambda deal: f"{deal.number} {deal.get_state_display()}"


class SaveSearchForm(Form):
    """The search page's "保存搜索": ``query`` is the page's query string."""

    name = forms.CharField(label=_("订阅名称"), required=False, max_length=100)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
