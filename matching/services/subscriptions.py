"""Saved searches and their daily digest.

A saved search keeps the search page's parameters (``q`` and the filters; page, page size and sort are
dropped), checked by ``SearchQuery.from_params``. The digest asks the engine for the newest matching
listings and reports those published after the search was saved and never reported for it before
(``SavedSearchHit``, unique per saved search and listing): each listing once, ever; nothing is sent
when nothing is new.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from itertools import count

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from market.models import User
from market.services.errors import ActionForbidden
from notifications.services import notify
from search.backends import InvalidSearchQuery, SearchBackend, SearchHit, SearchQuery, get_search_backend
from search.backends.base import MAX_RESULT_WINDOW
from search.schema import VALUE_FACETS, Sort

from .. import locks
from ..models import SavedSearch, SavedSearchHit
from .notifications import DIGEST_KIND, price_text

logger = logging.getLogger(__name__)

# The search page's parameters a saved search keeps.
SEARCH_PARAMS = ("q", *VALUE_FACETS, "ipc_prefix", "price_min", "price_max", "remaining_years_min")
MAX_SAVED_SEARCHES = 20
MAX_NAME = 100
DIGEST_PAGE_SIZE = 100
# Listings one digest lists at most; the rest come in the next one.
MAX_DIGEST_LISTINGS = 50


def _values(params: Mapping, name: str) -> list[str]:
    values = params.getlist(name) if hasattr(params, "getlist") else params.get(name)
    values = [] if values is None else values if isinstance(values, list | tuple) else [values]
    return [str(value).strip() for value in values if str(value).strip()]


def saved_search_params(params: Mapping) -> dict[str, list[str]]:
    """The parameters of ``params`` a saved search keeps, checked; raises ValidationError keyed by parameter."""
    kept = {name: values for name in SEARCH_PARAMS if (values := _values(params, name))}
    try:
        SearchQuery.from_params(kept)
    except InvalidSearchQuery as exc:
        raise ValidationError(exc.errors) from None
    return kept


def saved_search_query(saved: SavedSearch, **changes) -> SearchQuery:
    """The saved search as a query (``changes``: sort, page_size, ... of the digest)."""
    return dataclasses.replace(SearchQuery.from_params(saved.params), **changes)


def saved_search_url(saved: SavedSearch) -> str:
    """The search page showing the saved search's results."""
    return f"{reverse('frontend:search')}?{urlencode(saved.params, doseq=True)}"


def saved_search_create(*, actor: User, name: str, params: Mapping) -> SavedSearch:
    """Save the actor's search under ``name`` (default: the query text)."""
    if not actor.is_authenticated:
        raise ActionForbidden("请先登录 / Sign in first")
    kept = saved_search_params(params)
    name = " ".join(str(name or "").split()) or " ".join(kept.get("q", [])) or "全部新挂牌 All new listings"
    if len(name) > MAX_NAME:
        raise ValidationError({"name": [f"名称不能超过 {MAX_NAME} 个字符 / The name must not exceed {MAX_NAME} characters"]})
    with transaction.atomic():
        if SavedSearch.objects.filter(user=actor).count() >= MAX_SAVED_SEARCHES:
            raise ValidationError({"name": [f"最多保存 {MAX_SAVED_SEARCHES} 个搜索，请先删除不用的 / "
                                            f"At most {MAX_SAVED_SEARCHES} saved searches: delete one first"]})
        return SavedSearch.objects.create(user=actor, name=name[:MAX_NAME], params=kept)


def saved_search_delete(*, saved_search_id: int, actor: User) -> None:
    """Delete one of the actor's saved searches (another user's is not found)."""
    SavedSearch.objects.get(pk=saved_search_id, user_id=actor.pk).delete()


def _new_hits(backend: SearchBackend, saved: SavedSearch, reported: set[int]) -> list[SearchHit]:
    """Newest first: hits published since the search was saved and not reported yet, at most MAX_DIGEST_LISTINGS."""
    query = saved_search_query(saved, sort=Sort.NEWEST, page_size=DIGEST_PAGE_SIZE, with_facets=False)
    new: list[SearchHit] = []
    for number in count(1):
        if number * DIGEST_PAGE_SIZE > MAX_RESULT_WINDOW:
            return new
        page = backend.search(dataclasses.replace(query, page=number))
        for hit in page.hits:
            if hit.published_at is None or hit.published_at < saved.created_at:
                return new  # the rest is older
            if hit.listing_id not in reported:
                new.append(hit)
                if len(new) == MAX_DIGEST_LISTINGS:
                    return new
        if not page.has_next:
            return new
    return new


def _digest_body(hits: list[SearchHit]) -> str:
    """One line per listing with its absolute address (the body is e-mailed as it is)."""
    return "\n".join(f"· {hit.title}（{hit.mode_label}，{price_text(hit.asking_price)}，{hit.holder}）"
                     f"{settings.PUBLIC_BASE_URL}{reverse('frontend:listing_detail', args=[hit.listing_id])}"
                     for hit in hits)


def saved_search_digest(*, saved_search_id: int, backend: SearchBackend | None = None) -> list[int]:
    """Report the saved search's new listings to its user (in-app, e-mail after commit); returns their ids."""
    backend = backend or get_search_backend()
    with transaction.atomic():
        saved = locks.saved_search(saved_search_id)
        reported = set(saved.hits.values_list("listing_id", flat=True))
        hits = _new_hits(backend, saved, reported)
        saved.last_digest_at = timezone.now()
        saved.save(update_fields=["last_digest_at"])
        if not hits:
            return []
        SavedSearchHit.objects.bulk_create([SavedSearchHit(saved_search=saved, listing_id=hit.listing_id)
                                            for hit in hits])
        # A listing is reported once per saved search, so the first listing names this digest for good.
        notify(key=f"saved-search:{saved.pk}:{min(hit.listing_id for hit in hits)}", kind=DIGEST_KIND,
               users=[saved.user],
               title=f"您订阅的“{saved.name}”有 {len(hits)} 条新挂牌 / {len(hits)} new listings for '{saved.name}'",
               body=_digest_body(hits), url=saved_search_url(saved))
    return [hit.listing_id for hit in hits]


def saved_searches_digest(backend: SearchBackend | None = None) -> int:
    """The daily digest of every saved search (of active users); returns how many had something new.

    One failing search is logged and does not stop the others.
    """
    sent = 0
    for saved_search_id in SavedSearch.objects.filter(user__is_active=True).order_by("pk").values_list("pk", flat=True):
        try:
            sent += bool(saved_search_digest(saved_search_id=saved_search_id, backend=backend))
        except Exception:
            logger.exception("digest of saved search %s failed", saved_search_id)
    return sent
