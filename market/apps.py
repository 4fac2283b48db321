"""The market app: the shared core, and the flows that plug into it (market/extensions.py).

This is the one place that knows every flow: it loads their models with the core's (one app label, one set
of tables) and lets each register its documents, visibility, checks and hooks once the registry is ready.
"""

from importlib import import_module

from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "交易市场 Market"
    # Modules whose register() plugs a flow into the core.
    REGISTRATIONS = (
        "market.documents.transfer_context",
        "market.documents.licence_context",
        "market.documents.auction_context",
        "market.documents.pledge_context",
        "market.registrations",
    )

    def ready(self):
        for module in self.REGISTRATIONS:
            import_module(module).register()
