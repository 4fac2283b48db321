from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索 Search"

    def ready(self):
        """Follow the market's changes into the index (market/signals.py → the outbox of search/outbox.py)."""
        from market import signals

        from . import indexing

        signals.listing_changed_signal.connect(
            lambda sender, listing_id, **kwargs: indexing.listing_changed(listing_id), weak=False,
            dispatch_uid="search-listing-changed")
        signals.patent_changed_signal.connect(
            lambda sender, patent_id, **kwargs: indexing.patent_changed(patent_id), weak=False,
            dispatch_uid="search-patent-changed")
