"""Loading the configured search backend, like Django's cache setting.

``settings.SEARCH_BACKEND`` is a name ("database", "elasticsearch"), a dotted path to a
``SearchBackend`` subclass, or a dict ``{"BACKEND": name or path, **options}`` whose other keys reach
the constructor. Backends are built once per process and name.
"""

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import InvalidSearchQuery, SearchBackend, SearchHit, SearchPage, SearchQuery, SearchUnavailable

BACKENDS = {
    "database": "search.backends.database.DatabaseSearchBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchSearchBackend",
}


def _configured() -> tuple[str, dict]:
    config = settings.SEARCH_BACKEND or "database"
    if isinstance(config, dict):
        options = {key.lower(): value for key, value in config.items() if key != "BACKEND"}
        return config.get("BACKEND", "database"), options
    return config, {}


@functools.cache
def _load(name: str, configured: bool) -> SearchBackend:
    options = _configured()[1] if configured else {}
    path = BACKENDS.get(name, name)
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SEARCH_BACKEND {name!r}: cannot import {path} ({exc})") from exc
    return backend_class(**options)


def get_search_backend(name: str | None = None) -> SearchBackend:
    """The backend named ``name``, by default the one ``settings.SEARCH_BACKEND`` configures."""
    configured_name = _configured()[0]
    return _load(name or configured_name, (name or configured_name) == configured_name)


def reset_search_backends() -> None:
    """Forget the built backends (after a settings change in tests)."""
    _load.cache_clear()


__all__ = [
    "BACKENDS", "InvalidSearchQuery", "SearchBackend", "SearchHit", "SearchPage", "SearchQuery",
    "SearchUnavailable", "get_search_backend", "reset_search_backends",
]
