"""Saved searches: parameters checked like the search page's; the daily digest lists each new listing once,
in-app and by e-mail, and sends nothing when nothing is new."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from market.models import Listing, ListingMode
from matching.models import SavedSearch, SavedSearchHit
from matching.services.subscriptions import saved_search_create
from matching.tasks import saved_searches_digest_task
from notifications.models import Notification

from .conftest import api_for, listing_of


@pytest.fixture
def subscriber(buyer):
    buyer.email = "buyer@example.cn"
    buyer.save()
    return buyer


@pytest.fixture
def saved(market, subscriber):
    """“隔膜 in transfer”, saved after the market's listings were published."""
    return saved_search_create(actor=subscriber, name="隔膜转让", params={"q": "隔膜", "mode": ["transfer"]})


def publish(backend, user, title, mode=ListingMode.TRANSFER, minutes=1) -> Listing:
    listing = listing_of(user, title, f"{title}，孔隙率高。", "H01M50/403", mode, "600000.00",
                         published_at=timezone.now() + dt.timedelta(minutes=minutes))
    backend.index_listings([listing])
    return listing


def digest(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return saved_searches_digest_task()


def test_a_search_is_saved_with_the_search_pages_parameters_only(subscriber):
    response = api_for(subscriber).post("/api/v1/saved-searches/", {
        "name": "", "params": {"q": "锂电池 隔膜", "mode": ["transfer", "licence"], "city": "杭州", "page": "3",
                               "sort": "price_asc", "unknown": "x"}}, format="json")

    assert response.status_code == 201
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.name) == (subscriber, "锂电池 隔膜")
    assert saved.params == {"q": ["锂电池 隔膜"], "mode": ["transfer", "licence"], "city": ["杭州"]}
    assert response.json()["url"] == "/search/?q=%E9%94%82%E7%94%B5%E6%B1%A0+%E9%9A%94%E8%86%9C&mode=transfer" \
                                     "&mode=licence&city=%E6%9D%AD%E5%B7%9E"


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"price_min": "abc"}, "price_min", "“abc”不是数字 / 'abc' is not a number"),
    ({"mode": "barter"}, "mode", "未知的取值“barter”，可选：open_licence, transfer, licence, pledge / Unknown value "
                                 "'barter'; choose from: open_licence, transfer, licence, pledge"),
], ids=["price_case", "mode_case"])
def test_a_search_the_search_page_would_refuse_is_not_saved(subscriber, params, field, message):
    response = api_for(subscriber).post("/api/v1/saved-searches/", {"params": params}, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not SavedSearch.objects.exists()


def test_the_digest_lists_new_listings_once_and_nothing_when_nothing_is_new(
        saved, backend, holder, ningbo_holder, subscriber, eager_tasks, mailoutbox, django_capture_on_commit_callbacks,
        settings):
    settings.PUBLIC_BASE_URL = "https://ip.example.cn"
    first = publish(backend, holder, "一种陶瓷涂层隔膜", minutes=1)
    second = publish(backend, ningbo_holder, "耐高温隔膜及其制备方法", minutes=2)
    publish(backend, holder, "一种锂电池隔膜许可", mode=ListingMode.LICENCE)  # not a transfer
    publish(backend, holder, "一种电池外壳")  # not a 隔膜

    assert digest(django_capture_on_commit_callbacks) == 1

    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (subscriber, "saved_search_digest")
    assert note.title == "您订阅的“隔膜转让”有 2 条新挂牌 / 2 new listings for '隔膜转让'"
    assert note.body.splitlines() == [
        f"· 耐高温隔膜及其制备方法（转让 Transfer，¥600,000.00，宁波甬港新能源有限公司）https://ip.example.cn/listings/{second.pk}/",
        f"· 一种陶瓷涂层隔膜（转让 Transfer，¥600,000.00，杭州锂能新材料有限公司）https://ip.example.cn/listings/{first.pk}/"]
    assert note.url == "/search/?q=%E9%9A%94%E8%86%9C&mode=transfer"
    assert [m.to for m in mailoutbox] == [["buyer@example.cn"]]
    assert note.body in mailoutbox[0].body and "https://ip.example.cn/search/?q=" in mailoutbox[0].body
    assert set(SavedSearchHit.objects.values_list("listing_id", flat=True)) == {first.pk, second.pk}

    assert digest(django_capture_on_commit_callbacks) == 0  # nothing new: nothing sent

    assert Notification.objects.count() == 1 and len(mailoutbox) == 1
    third = publish(backend, holder, "复合隔膜", minutes=3)
    backend.index_listings(Listing.objects.filter(pk__in=[first.pk, second.pk]))  # reindexed: still reported once

    assert digest(django_capture_on_commit_callbacks) == 1

    latest = Notification.objects.order_by("-pk").first()
    assert latest.title == "您订阅的“隔膜转让”有 1 条新挂牌 / 1 new listings for '隔膜转让'"
    assert latest.body == f"· 复合隔膜（转让 Transfer，¥600,000.00，杭州锂能新材料有限公司）https://ip.example.cn/listings/{third.pk}/"
    assert len(mailoutbox) == 2
    assert SavedSearch.objects.get().last_digest_at is not None


def test_listings_published_before_the_search_was_saved_are_not_news(saved, eager_tasks, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    assert digest(django_capture_on_commit_callbacks) == 0

    assert not Notification.objects.exists() and mailoutbox == []
    assert not SavedSearchHit.objects.exists()


def test_a_user_sees_and_deletes_only_their_own_saved_searches(saved, subscriber, outsider):
    other = api_for(outsider)

    assert other.get("/api/v1/saved-searches/").json()["count"] == 0
    assert other.get(f"/api/v1/saved-searches/{saved.pk}/").status_code == 404
    assert other.delete(f"/api/v1/saved-searches/{saved.pk}/").status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()

    assert api_for(subscriber).delete(f"/api/v1/saved-searches/{saved.pk}/").status_code == 204
    assert not SavedSearch.objects.exists()


def test_saved_searches_are_limited(subscriber, db):
    for n in range(20):
        saved_search_create(actor=subscriber, name=f"搜索{n}", params={"q": f"电池{n}"})

    response = api_for(subscriber).post("/api/v1/saved-searches/", {"params": {"q": "隔膜"}}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["最多保存 20 个搜索，请先删除不用的 / At most 20 saved searches: delete one first"]}


def test_price_filters_of_a_saved_search_apply_to_the_digest(market, backend, subscriber, holder, eager_tasks,
                                                             django_capture_on_commit_callbacks):
    saved_search_create(actor=subscriber, name="便宜的隔膜", params={"q": "隔膜", "price_max": "100000"})
    publish(backend, holder, "一种陶瓷涂层隔膜")  # ¥600,000: above the maximum

    assert digest(django_capture_on_commit_callbacks) == 0
    cheap = listing_of(holder, "低成本隔膜", "低成本隔膜。", "H01M50/403", ListingMode.TRANSFER, "90000.00",
                       published_at=timezone.now() + dt.timedelta(minutes=5))
    backend.index_listings([cheap])

    assert digest(django_capture_on_commit_callbacks) == 1
    assert Decimal("90000.00") == cheap.asking_price
    assert list(SavedSearchHit.objects.values_list("listing_id", flat=True)) == [cheap.pk]
