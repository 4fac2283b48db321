from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "通知 Notifications"

    def ready(self) -> None:
        from market.extensions import providers

        from .services import notify

        providers.notify = notify  # for the apps that may not import this one (valuation)
