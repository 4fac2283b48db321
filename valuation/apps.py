from django.apps import AppConfig


class ValuationConfig(AppConfig):
    name = "valuation"
    verbose_name = "价值评估 Valuation"
