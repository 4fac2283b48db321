"""The pages' search extras: suggestions under the search box (htmx) and similar listings on a listing page."""

from django.test import Client


def test_the_search_box_asks_for_suggestions_as_you_type(backend):
    html = Client().get("/search/").content.decode()
    assert 'id="search-suggestions" hx-get="/search/suggest/" hx-include="#id_q"' in html
    assert 'id="id_q"' in html


def test_the_suggestion_fragment_links_each_suggestion_to_its_search(catalogue):
    html = Client().get("/search/suggest/", {"q": "之江"}).content.decode()
    assert '<a href="/search/?q=%E6%9D%AD%E5%B7%9E%E4%B9%8B%E6%B1%9F%E6%96%B0%E6%9D%90%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8">' \
           "杭州之江新材有限公司" in html
    ipc = Client().get("/search/suggest/", {"q": "h01m"}).content.decode()
    assert 'href="/search/?ipc_prefix=H01M"' in ipc
    assert Client().get("/search/suggest/", {"q": ""}).content.decode().strip() == ""


def test_a_listing_page_shows_similar_published_listings(catalogue):
    listing = catalogue.named["锂电池隔膜"]
    html = Client().get(f"/listings/{listing.pk}/").content.decode()
    assert "相似挂牌" in html
    assert html.count('<ul class="similar-list">') == 1
    assert f'href="/listings/{listing.pk}/"' not in html.split('class="similar-list"')[1]
    hidden = catalogue.hidden[0]
    assert f'href="/listings/{hidden.pk}/"' not in html


def test_a_listing_pages_similar_listings_are_found_once_then_kept_a_while(catalogue, monkeypatch):
    """Finding them was half a listing page's cost; they change only as other listings come and go."""
    from search import similar

    listing = catalogue.named["锂电池隔膜"]
    backend_type = type(similar.get_search_backend())
    asked = []
    original = backend_type.similar
    monkeypatch.setattr(backend_type, "similar", lambda self, *a, **k: asked.append(a) or original(self, *a, **k))
    pages = [Client().get(f"/listings/{listing.pk}/").content.decode().split('class="similar-list"')[1]
             for _ in range(2)]
    api = Client().get(f"/api/v1/search/listings/{listing.pk}/similar/").json()["hits"]
    assert len(asked) == 1 and pages[0] == pages[1] and api and all(f'href="/listings/{hit["listing_id"]}/"' in pages[0]
                                                            for hit in api)
    monkeypatch.setattr(similar, "CACHE_SECONDS", 0)
    similar.cache.clear()
    Client().get(f"/listings/{listing.pk}/")
    assert len(asked) == 2
