"""API serializers of the matching app: they translate; validation of a demand lives in matching.validation."""

from decimal import Decimal

from rest_framework import serializers

from market.industries import Industry
from market.models import Organisation
from market.regions import City
from market.transfers.models import TransferDeal

from ..matcher import BUDGET_LABELS
from ..models import WANTED_MODES, Demand, DemandState, MatchProposal, ProposalState, SavedSearch
from ..services.subscriptions import saved_search_url

# Budget errors in both languages (DRF's own messages are in the active language only).
AMOUNT_ERRORS = {
    "invalid": "请输入金额（元） / Enter an amount in yuan",
    "max_digits": "金额不能超过13位整数 / At most 13 digits before the decimal point",
    "max_whole_digits": "金额不能超过13位整数 / At most 13 digits before the decimal point",
    "max_decimal_places": "金额最多保留2位小数 / At most 2 decimal places",
    "min_value": "金额不能为负 / The amount must not be negative",
    "max_string_length": "金额过长 / The amount is too long",
}


def amount_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal(0), allow_null=True,
                                    required=False, error_messages=AMOUNT_ERRORS, **kwargs)


class DemandSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    created_by_name = serializers.CharField(source="created_by", read_only=True)
    state = serializers.ChoiceField(choices=DemandState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    wanted_modes = serializers.ListField(child=serializers.ChoiceField(choices=[(m.value, m.label) for m in WANTED_MODES]))
    regions = serializers.ListField(child=serializers.ChoiceField(choices=City.choices))
    ipc_prefixes = serializers.ListField(child=serializers.CharField())
    industry = serializers.ChoiceField(choices=Industry.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Demand
        fields = ["id", "number", "organisation", "organisation_name", "created_by_name", "title", "text", "industry",
                  "ipc_prefixes", "budget_min", "budget_max", "wanted_modes", "regions", "state", "state_label",
                  "created_at", "updated_at"]
        read_only_fields = fields


class DemandInputSerializer(serializers.Serializer):
    """A demand to post. ``organisation`` is for staff entering it on a company's behalf (members post for their own)."""

    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), required=False,
                                                      allow_null=True)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=2000, help_text="需要什么技术，用途与要求 / what technology, for what")
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True, default="")
    ipc_prefixes = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list,
                                         help_text="IPC 分类号前缀，如 H01M10 / IPC prefixes such as H01M10")
    budget_min = amount_field(help_text="预算下限（元） / budget minimum, yuan")
    budget_max = amount_field(help_text="预算上限（元），不低于下限 / budget maximum, not below the minimum")
    wanted_modes = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1,
                                         help_text="licence / transfer / open_licence")
    regions = serializers.ListField(child=serializers.CharField(max_length=10), required=False, default=list,
                                    help_text="地市代码，如 3301（杭州） / city codes such as 3301 (Hangzhou)")


class DemandUpdateSerializer(DemandInputSerializer):
    """Fields to change on an open demand (all optional)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("organisation")
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class OptionalReasonSerializer(serializers.Serializer):
    """An optional note of why (kept in the transition log)."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ExplanationSerializer(serializers.Serializer):
    matched_terms = serializers.ListField(child=serializers.CharField(), help_text="需求中的词，见于挂牌 / demand words "
                                                                                   "found in the listing")
    ipc_groups = serializers.ListField(child=serializers.CharField(), help_text="共同的 IPC 大组 / shared IPC groups")
    budget = serializers.ChoiceField(choices=list(BUDGET_LABELS))
    budget_label = serializers.CharField()
    mode_match = serializers.BooleanField()
    region_match = serializers.BooleanField(allow_null=True, help_text="未设地区时为空 / null without regions")
    industry_match = serializers.BooleanField(allow_null=True, help_text="未设产业时为空 / null without industry")


class MatchSerializer(serializers.Serializer):
    listing = serializers.IntegerField(source="listing_id")
    title = serializers.CharField()
    holder = serializers.CharField()
    city = serializers.CharField()
    mode = serializers.CharField()
    asking_price = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="0–100")
    signals = serializers.DictField(child=serializers.FloatField(), help_text="每项信号 0–1 / each signal 0–1")
    explanation = ExplanationSerializer(source="explanation.as_dict")


class DemandSummarySerializer(serializers.ModelSerializer):
    """What the listing's holder sees of the demand a proposal answers (no budget)."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Demand
        fields = ["id", "number", "title", "organisation_name", "wanted_modes"]


class ProposalSerializer(serializers.ModelSerializer):
    demand = DemandSummarySerializer(read_only=True)
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    holder_name = serializers.CharField(source="listing.organisation.name", read_only=True)
    proposed_by_name = serializers.CharField(source="proposed_by", read_only=True)
    state = serializers.ChoiceField(choices=ProposalState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    explanation = serializers.JSONField(read_only=True)

    class Meta:
        model = MatchProposal
        fields = ["id", "demand", "listing", "listing_title", "holder_name", "proposed_by_name", "note", "score",
                  "explanation", "state", "state_label", "deal", "created_at", "updated_at"]
        read_only_fields = fields


class ProposalCreateSerializer(serializers.Serializer):
    demand = serializers.PrimaryKeyRelatedField(queryset=Demand.objects.all())
    listing = serializers.IntegerField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ProposalDealSerializer(serializers.Serializer):
    """The demand organisation's first offer on the proposed transfer listing."""

    price = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal("0.01"))
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class DealLinkSerializer(serializers.Serializer):
    deal = serializers.PrimaryKeyRelatedField(queryset=TransferDeal.objects.all(), required=False, allow_null=True,
                                              help_text="需求方在此挂牌上的转让交易（可空：线下或许可洽谈） / the transfer "
                                                        "deal, if any")


class ConversionSerializer(serializers.Serializer):
    proposals = serializers.IntegerField()
    pending = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    deals_started = serializers.IntegerField()
    deals_closed = serializers.IntegerField()
    started_rate = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text="%")
    closed_rate = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text="%")
    closed_of_started_rate = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text="%")


class SavedSearchSerializer(serializers.ModelSerializer):
    params = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "params", "url", "created_at", "last_digest_at"]
        read_only_fields = fields

    def get_url(self, saved: SavedSearch) -> str:
        return saved_search_url(saved)


class SavedSearchCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    params = serializers.DictField(help_text="搜索参数，与搜索页相同：{\"q\": \"电池\", \"mode\": [\"transfer\"]} / the search "
                                             "page's parameters")
