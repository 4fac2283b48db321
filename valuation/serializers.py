"""API serializers of valuations: they translate and document; the ranges are checked by valuation.inputs."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from market.models import Patent

from .models import Valuation
from .selectors import sees_pledge_advice

REQUIRED = "必填 / Required"
NOT_AN_OBJECT = "须为对象 / Must be an object"
TRIANGULAR = {"type": "object", "required": ["distribution", "low", "mode", "high"], "properties": {
    "distribution": {"type": "string", "enum": ["triangular"]}, "low": {"type": "number"},
    "mode": {"type": "number"}, "high": {"type": "number"}}}
LOGNORMAL = {"type": "object", "required": ["distribution", "median", "sigma"], "properties": {
    "distribution": {"type": "string", "enum": ["lognormal"]}, "median": {"type": "number"},
    "sigma": {"type": "number"}}}


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "format": "decimal"}, TRIANGULAR, LOGNORMAL]})
class UncertainField(serializers.Field):
    """A number, or a distribution: {"distribution": "triangular", low, mode, high} or
    {"distribution": "lognormal", median, sigma} (lognormal only for revenue and development cost)."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "number"})
class NumberField(UncertainField):
    """A plain number (checked by valuation.inputs, which gives the bilingual messages)."""


class IncomeInputsSerializer(serializers.Serializer):
    revenue = UncertainField(required=False, help_text="首年收入（元） / First-year revenue (CNY), ≥ 0")
    growth = UncertainField(required=False, help_text="收入年增长率，默认 0 / Yearly revenue growth, default 0")
    royalty_rate = UncertainField(required=False, help_text="提成率 (0, 1) / Royalty rate in (0, 1)")
    share = UncertainField(required=False, help_text="专利分成比例 (0, 1]，默认 1 / Share due to the patent, default 1")
    discount_rate = UncertainField(required=False, help_text="折现率 (0, 1) / Discount rate in (0, 1)")
    economic_life = NumberField(required=False, help_text="经济寿命（年），不超过法定剩余保护期，默认等于它 / Economic "
                                                          "life in years, at most (and by default) the legal remaining life")


class CostInputsSerializer(serializers.Serializer):
    development_cost = UncertainField(required=False, help_text="研发成本（元） / Development cost (CNY)")
    development_year = NumberField(required=False, help_text="研发年份，默认申请年 / Year spent, default filing year")
    fees = NumberField(required=False, help_text="官费与代理费（元） / Official and agency fees (CNY)")
    index_rate = NumberField(required=False, help_text="成本指数年变动率 / Yearly cost index change")
    functional_obsolescence = NumberField(required=False, help_text="功能性贬值率 [0, 1) / Functional obsolescence")


class ValuationRequestSerializer(serializers.Serializer):
    patent = serializers.PrimaryKeyRelatedField(queryset=Patent.objects.all(), error_messages={
        "required": REQUIRED, "does_not_exist": "专利不存在 / No such patent",
        "incorrect_type": "须为专利编号（整数） / Must be a patent id (integer)"})
    method = serializers.CharField(max_length=10, required=False, help_text="income（默认）/ market / cost")
    seed = NumberField(required=False, help_text="随机种子；同一种子得到同一结果 / Random seed: same seed, same result")
    draws = NumberField(required=False, help_text="模拟次数，默认 10000 / Monte Carlo draws, default 10,000")
    loan_term_years = NumberField(required=False, help_text="拟贷款期限（年），默认 3 / Intended loan term, default 3")
    implemented = serializers.BooleanField(required=False, allow_null=True, default=None,
                                           error_messages={"invalid": "须为 true 或 false / Must be true or false"})
    income = IncomeInputsSerializer(required=False, error_messages={"invalid": NOT_AN_OBJECT})
    cost = CostInputsSerializer(required=False, error_messages={"invalid": NOT_AN_OBJECT})


class ValuationSerializer(serializers.ModelSerializer):
    patent_number = serializers.CharField(source="patent.patent_number", read_only=True)
    patent_title = serializers.CharField(source="patent.title", read_only=True)
    number = serializers.CharField(read_only=True)
    weights_version = serializers.CharField(source="weights_version.version", read_only=True)
    requested_by_organisation = serializers.CharField(source="requested_by_organisation.name", default=None,
                                                      allow_null=True, read_only=True)
    signed_off_organisation = serializers.CharField(source="signed_off_organisation.name", default=None,
                                                    allow_null=True, read_only=True)
    signed_off_by = serializers.CharField(allow_null=True, read_only=True)
    pledge = serializers.SerializerMethodField(help_text="质押率建议，仅银行与交易中心可见 / Pledge advice: banks and "
                                                         "trading-centre staff only")

    class Meta:
        model = Valuation
        fields = ["id", "number", "patent", "patent_number", "patent_title", "method", "source", "valuation_date",
                  "weights_version", "inputs", "seed", "draws", "score", "score_breakdown", "p10", "p50", "p90",
                  "results", "pledge", "requested_by_organisation", "signed_off_organisation", "signed_off_by",
                  "signed_off_at", "created_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "ratio": {"type": "string"}, "max_loan": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "string"}}, "flags": {"type": "array", "items": {"type": "string"}}}})
    def get_pledge(self, valuation: Valuation) -> dict | None:
        request = self.context.get("request")
        return valuation.pledge_advice if sees_pledge_advice(getattr(request, "user", None)) else None


class ScoreSerializer(serializers.Serializer):
    """The score's breakdown: total, dimensions and each indicator's score, weight and reason."""

    version = serializers.CharField()
    total = serializers.FloatField()
    dimensions = serializers.DictField()
    indicators = serializers.ListField(child=serializers.DictField())
    notes = serializers.ListField(child=serializers.CharField())
