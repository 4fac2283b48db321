from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "交易市场 Market"
