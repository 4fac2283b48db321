"""The market app: the shared core, and the flows that plug into it (market/extensions.py).

This is the one place that knows every flow: it loads their models with the core's (one app label, one set
of tables) and lets each register its documents, visibility, checks and hooks once the registry is ready.
"""

from importlib import import_module

from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "交易市场 Market"
    # The flows: each is a package market/<flow>/ with its models and a registration module.
    FLOWS = ("transfers", "licensing", "pledges", "auctions")

    def import_models(self):
        """The core's models (market/models/), then each flow's, all under the one app label "market"."""
        super().import_models()
        for flow in self.FLOWS:
            import_module(f"market.{flow}.models")

    def ready(self):
        """Each flow registers its documents, visibility, checks and hooks (market/extensions.py)."""
        for flow in self.FLOWS:
            import_module(f"market.{flow}.registration").register()
