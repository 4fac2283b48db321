from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "知识产权金融 IP finance"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from market.models import TransitionLog

        from .registration import register
        from .risk_sharing import on_transition

        post_save.connect(on_transition, sender=TransitionLog, dispatch_uid="finance-loss-split")
        register()
