"""Pages everyone may see: search (the home page) and the listing page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from market.models import Encumbrance, EncumbranceKind, Listing, ListingMode, ListingState, Patent, TransitionLog
from market.money import CENT
from market.selectors import listings_visible_to
from market.transfers.models import OPEN_STATES, TransferDeal
from search.backends import (
    InvalidSearchQuery,
    SearchHit,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    get_search_backend,
)
from search.schema import PRICE_BUCKETS, TERM_VALUED, VALUE_FACETS, facet_label
from search.similar import similar_listings
from stats.selectors import headline

from ..forms import OfferForm, SearchFilterForm
from .common import Outcome, is_htmx

LICENCE_KINDS = (EncumbranceKind.EXCLUSIVE_LICENCE, EncumbranceKind.SOLE_LICENCE, EncumbranceKind.ORDINARY_LICENCE,
                 EncumbranceKind.OPEN_LICENCE)
DISPUTE_KINDS = (EncumbranceKind.OWNERSHIP_DISPUTE, EncumbranceKind.PRESERVATION)


def register_summary(patent: Patent) -> dict[str, list[Encumbrance]]:
    """The patent's encumbrances in force, grouped as the public register shows them."""
    rows = list(Encumbrance.objects.in_force().filter(patent=patent).select_related("beneficiary"))
    return {
        "licences": [e for e in rows if e.kind in LICENCE_KINDS],
        "pledges": [e for e in rows if e.kind == EncumbranceKind.PLEDGE],
        "disputes": [e for e in rows if e.kind in DISPUTE_KINDS],
    }


def can_offer(listing: Listing, user) -> bool:
    """A signed-in verified organisation other than the holder, on a published transfer listing."""
    return bool(
        user.is_authenticated and user.organisation_id and user.organisation.verified
        and user.organisation_id != listing.organisation_id
        and listing.state == ListingState.PUBLISHED and listing.mode == ListingMode.TRANSFER
    )


def render_listing(request: HttpRequest, listing: Listing, *, offer_form: OfferForm | None = None,
                   outcome: Outcome | None = None, status: int = 200) -> HttpResponse:
    """The listing page; the offer view re-renders it with its form errors or refusal reasons."""
    user = request.user
    today = timezone.localdate()
    patents = [
        {"patent": p, "register": register_summary(p), "remaining": p.remaining_years(today),
         "holders": list(p.ownerships.all())}
        for p in listing.patents.all()
    ]
    my_deal = None
    if user.is_authenticated and user.organisation_id:
        my_deal = TransferDeal.objects.filter(listing=listing, buyer_id=user.organisation_id,
                                              state__in=OPEN_STATES).first()
    context = {
        "listing": listing,
        "patents": patents,
        "can_offer": can_offer(listing, user) and my_deal is None,
        "offer_form": offer_form or OfferForm(initial={"price": listing.asking_price}),
        "my_deal": my_deal,
        "reasons": outcome.reasons if outcome else [],
        "nav": "search",
        "similar": similar_listings(listing.pk),
        "bank_may_offer": listing.mode == ListingMode.PLEDGE and listing.state == ListingState.PUBLISHED
        and user.is_authenticated and user.organisation_id is not None and user.organisation.is_bank,
        "offered": TransitionLog.for_object(listing).filter(transition="pledge_interest",
                                                           organisation_id=user.organisation_id).exists()
        if user.is_authenticated and user.organisation_id else False,
    }
    return render(request, "frontend/public/listing_detail.html", context, status=status)


def visible_listing(request: HttpRequest, pk: int) -> Listing:
    """The listing if the user may see it (published, own organisation's, or staff); 404 otherwise."""
    patents = Patent.objects.prefetch_related("ownerships__organisation")
    queryset = listings_visible_to(request.user).prefetch_related(Prefetch("patents", queryset=patents))
    return get_object_or_404(queryset, pk=pk)


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_listing(request, visible_listing(request, pk))


# -- search ---------------------------------------------------------------------------------------
FACET_TITLES = {"mode": _("交易方式"), "kind": _("权利类型"), "industry": _("产业"), "city": _("地市"),
                "legal_status": _("法律状态"), "nice_class": _("商标类别")}
PAGE_WINDOW = 3


@dataclass(frozen=True)
class HitView:
    """A hit as the page shows it: the backend's highlights (escaped text + <mark>) are the only safe HTML."""

    hit: SearchHit
    title_html: SafeString
    snippets: list[SafeString]


def hit_view(hit: SearchHit) -> HitView:
    highlights = hit.highlights or {}
    title = mark_safe(highlights["title"]) if highlights.get("title") else escape(hit.title)  # noqa: S308
    snippets = [mark_safe(html) for name, html in highlights.items() if name != "title" and html]  # noqa: S308
    return HitView(hit=hit, title_html=title, snippets=snippets)


def search_url(params: QueryDict, **changes) -> str:
    """The search page's URL with ``params`` changed (None removes a parameter); back to page 1."""
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = value
    encoded = query.urlencode()
    return reverse("frontend:search") + (f"?{encoded}" if encoded else "")


def facet_groups(page: SearchPage, params: QueryDict) -> list[dict]:
    """Value facets in a fixed order; a value's link selects it, or clears the facet when it is selected."""
    groups = []
    for name in VALUE_FACETS:
        selected = set(params.getlist(name))
        values = [{"value": f.value, "label": f.label, "count": f.count, "selected": f.value in selected,
                   "href": search_url(params, **{name: None if f.value in selected else f.value})}
                  for f in page.facets.get(name, [])]
        if name in TERM_VALUED and not values and not selected:
            continue  # the marks' classes: only when marks are among the results
        groups.append({"name": name, "title": FACET_TITLES[name], "values": values,
                       "selected": [v for v in values if v["selected"]] or
                       [{"value": value} for value in selected]})
    return groups


def price_buckets(page: SearchPage, params: QueryDict) -> list[dict]:
    """Price ranges with counts; each (but 面议) sets price_min / price_max when clicked. A range without
    results is left out (unless it is the one chosen): clicking it could only empty the list."""
    counts = {f.value: f.count for f in page.facets.get("price", [])}
    rows = []
    for bucket in PRICE_BUCKETS:
        lower = "" if bucket.lower is None else str(bucket.lower)
        # buckets are lower ≤ price < upper; the price_max filter includes its bound
        upper = "" if bucket.upper is None else str(bucket.upper - CENT)
        selected = not bucket.missing and (params.get("price_min", ""), params.get("price_max", "")) == (lower, upper)
        if not counts.get(bucket.value) and not selected:
            continue
        rows.append({"label": bucket.label, "count": counts.get(bucket.value, 0), "missing": bucket.missing,
                     "selected": selected,
                     "href": search_url(params, price_min=None, price_max=None) if selected else
                     search_url(params, price_min=lower, price_max=upper)})
    return rows


def page_numbers(page: SearchPage) -> list[int]:
    """The page numbers around this page; with an estimated total none after it (a "next" link instead)."""
    first = max(1, page.page - PAGE_WINDOW)
    last = page.page if page.estimated else min(page.num_pages, page.page + PAGE_WINDOW)
    return list(range(first, last + 1))


def filled(params: QueryDict) -> QueryDict:
    """The parameters without the empty ones a submitted form adds (ipc_prefix=&price_min=…)."""
    result = QueryDict(mutable=True)
    for name, values in params.lists():
        if values := [value for value in values if value.strip()]:
            result.setlist(name, values)
    return result


LATEST_WHEN_UNAVAILABLE = 20


def search_unavailable(request: HttpRequest, *, asked: bool) -> HttpResponse:
    """The engine cannot answer: say so and offer the newest listings from the database to browse. The home
    page (nothing asked) answers 200; a search that could not run answers 503 with Retry-After."""
    latest = (Listing.objects.filter(state=ListingState.PUBLISHED).select_related("organisation")
              .order_by("-published_at", "-pk")[:LATEST_WHEN_UNAVAILABLE])
    response = render(request, "frontend/public/search_unavailable.html", {"nav": "search", "latest": latest},
                      status=503 if asked else 200)
    if asked:
        response["Retry-After"] = str(SearchUnavailable.retry_after)
    return response


def search_suggest(request: HttpRequest) -> HttpResponse:
    """The suggestion list under the search box (an htmx fragment; each item links to its search)."""
    try:
        suggestions = get_search_backend().suggest(request.GET.get("q", ""))
    except SearchUnavailable:
        suggestions = []  # the search box still works: it asks again when the engine is back
    items = [{"suggestion": s, "query": urlencode(s.params)} for s in suggestions]
    return render(request, "frontend/partials/suggest.html", {"suggestions": items})


def search(request: HttpRequest) -> HttpResponse:
    """Home and search page: text, facets, filters, sort and pages; htmx swaps only the results part."""
    params = filled(request.GET)
    clean_url = request.path + (f"?{params.urlencode()}" if params else "")
    if not is_htmx(request) and any(not v.strip() for _name, values in request.GET.lists() for v in values):
        return redirect(clean_url)  # a form submitted without JavaScript: show the tidy address
    errors: dict[str, list[str]] = {}
    try:
        query = SearchQuery.from_params(params)
    except InvalidSearchQuery as exc:
        errors = exc.errors
        query = SearchQuery()
    try:
        page = get_search_backend().search(query)
    except SearchUnavailable:
        return search_unavailable(request, asked=bool(params))
    selected_filters = [{"label": facet_label(name, value), "href": search_url(params, **{name: None})}
                        for name in VALUE_FACETS for value in params.getlist(name) if value]
    context = {
        "nav": "search",
        "query": query,
        "result": page,
        "hits": [hit_view(hit) for hit in page.hits],
        "facets": facet_groups(page, params),
        "prices": price_buckets(page, params),
        "pages": page_numbers(page),
        "selected_filters": selected_filters,
        "form": SearchFilterForm(initial={name: params.get(name, "") for name in SearchFilterForm.base_fields}),
        "errors": [message for messages in errors.values() for message in messages],
        # A visitor's first page says what the platform is, with its figures.
        "welcome": headline() if not params else None,
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "search-results":
        response = render(request, "frontend/public/_results.html", context)
        response["HX-Push-Url"] = clean_url
    else:
        response = render(request, "frontend/public/search.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])  # same URL, two bodies
    return response
