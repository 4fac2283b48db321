"""The search engine is down (a real Elasticsearch client against a port where nothing listens): nothing
answers 500. The API says 503 with Retry-After, the home page lists the newest listings from the database,
a search that could not run says so (503), the suggestions are empty."""

import pytest

from search.backends import get_search_backend, reset_search_backends
from tests.factories import ListingFactory

DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused at once


@pytest.fixture
def engine_down(settings, db):
    settings.SEARCH_BACKEND = {"BACKEND": "elasticsearch", "URL": DEAD, "TIMEOUT": 2}
    reset_search_backends()
    yield get_search_backend()
    reset_search_backends()


@pytest.fixture
def published(holder):
    from market.models import ListingState

    listing = ListingFactory(organisation=holder.organisation, created_by=holder, title="一种锂电池隔膜的转让")
    type(listing).objects.filter(pk=listing.pk).update(state=ListingState.PUBLISHED)
    return listing


def test_the_api_answers_503_with_retry_after(engine_down, client, published):
    for url in ("/api/v1/search/listings/?q=电池", "/api/v1/search/suggest/?q=电池",
                f"/api/v1/search/listings/{published.pk}/similar/"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"] == "30"
        assert "检索服务暂时不可用" in response.json()["detail"]


def test_the_home_page_browses_the_database_and_a_search_says_it_could_not_run(engine_down, client, published):
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "检索服务暂时不可用" in html and published.title in html

    searched = client.get("/search/", {"q": "电池"})
    assert searched.status_code == 503 and searched["Retry-After"] == "30"
    assert published.title in searched.content.decode()

    suggest = client.get("/search/suggest/", {"q": "电池"})
    assert suggest.status_code == 200


def test_an_engine_that_answers_an_error_of_its_own_is_not_hidden(engine_down):
    from elasticsearch import ApiError

    from search.backends.elasticsearch import _reading

    class Meta:
        status = 400

    @_reading
    def bad_request(self):
        raise ApiError("bad request", Meta(), {})

    with pytest.raises(ApiError):
        bad_request(engine_down)  # a query the engine refuses is a bug to see, not an outage
