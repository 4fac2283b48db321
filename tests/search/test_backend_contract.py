"""The contract every search backend passes: same listings in, same hits, counts and highlights out.

A backend's test class is the mixin plus ``backend_name``: the database backend (run on SQLite and on
PostgreSQL, one pass of ``make test`` each) and Elasticsearch (osmem-server, or ``ELASTICSEARCH_URL``).
Elasticsearch runs in both passes: its documents and its outbox come from the database, and only
PostgreSQL locks outbox rows; it costs about 25 s a pass.

What may differ between backends, and why:
- ranking: Elasticsearch scores bigram phrases with BM25 and field boosts (title 8 > claims 4 > body 2 >
  holder 1), SQLite bm25 over jieba words and bigrams (title 10, body 4, claims 1), PostgreSQL
  ts_rank_cd; so relevance pages hold the same listings in an order that may differ, except for the
  judged queries (RELEVANCE_JUDGEMENTS), whose relevant listings come first everywhere;
- a query of one Chinese character: Elasticsearch finds the bigrams it starts and any occurrence in a
  title, the database backend the jieba words and bigrams it starts; where the character ends a run of
  Chinese text outside a title, jieba decides on the database backend. Tests of single characters assert
  only what both guarantee.
Everything else (hit sets, totals, facet counts, sort orders, pages, highlights, suggestions) is equal:
test_elasticsearch_backend.py compares the two backends' answers query by query.
"""

import math
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from market.models import ListingMode, ListingState, PatentKind
from market.regions import City
from search.backends import SearchQuery
from search.indexing import listing_changed
from search.models import OutboxEntry
from search.schema import PRICE_BUCKETS, REMAINING_BUCKETS
from search.tasks import index_listing_task
from search.tokenize import PIECE, ipc_levels, normalise, segmenter

from ..factories import ListingFactory, PatentFactory
from .conftest import backend_fixture

# Queries and the listings (keys of the catalogue) that must come first, judged by reading the real
# records: the title names the thing asked for.
RELEVANCE_JUDGEMENTS = [
    ("滚筒洗衣机", ["kpp-test-0184"]),
    ("钙钛矿 太阳能电池", ["kpp-test-0379"]),
    ("燃料电池 热水器", ["kpp-test-0019"]),
    ("碳化硅匣钵", ["kpp-test-0321"]),
    ("伺服电机 摆闸", ["kpp-test-0366"]),
    ("甲醇合成催化剂", ["kpp-test-0256"]),
    ("液压油 过滤装置", ["kpp-test-0221"]),
    ("驾驶室 轴承", ["kpp-test-0330"]),
    ("刀片电池", ["kpp-test-0600"]),
    ("氧化铈", ["kpp-test-0651"]),
    ("高凝油 采收率", ["kpp-test-0112"]),
    ("富锂正极材料", ["kpp-test-0562"]),
    ("纤维素", ["醋酸纤维素膜", "kpp-test-0054", "kpp-test-0078"]),
    ("洗衣机", ["kpp-test-0184", "kpp-test-0438"]),
    ("电池管理", ["电池管理系统"]),
    ("光伏", ["专利包"]),
]
# Two listings on a subject nothing else in the catalogue is about: each is the other's most similar.
TEA_PAIR = [
    ("一种名优绿茶杀青机", "本发明公开了一种名优绿茶杀青机，茶叶在锅体内均匀受热，杀青叶色泽翠绿。"),
    ("一种绿茶揉捻机及茶叶揉捻方法", "本发明提供一种绿茶揉捻机，揉捻后的茶叶条索紧结，适用于名优绿茶加工。"),
]


def texts(suggestions) -> list[str]:
    return [suggestion.text for suggestion in suggestions]


def search(backend, **fields):
    return backend.search(SearchQuery(**fields))


def found(backend, **fields) -> set[int]:
    """Ids of every hit (the catalogue fits one page)."""
    page = search(backend, page_size=100, with_facets=False, **fields)
    assert page.total == len(page.hits)
    return {hit.listing_id for hit in page.hits}


def hit_ids(page) -> list[int]:
    """Ids of a page's hits, or of a list of hits."""
    return [hit.listing_id for hit in getattr(page, "hits", page)]


def min_remaining_years(listing) -> float:
    return min(patent.remaining_years() for patent in listing.patents.all())


def facet_values(listing, facet: str) -> set[str]:
    if facet == "mode":
        return {listing.mode}
    if facet == "city":
        return {listing.organisation.city}
    return {getattr(patent, facet) for patent in listing.patents.all()}


def expected_counts(listings, facet: str) -> dict[str, int]:
    return dict(Counter(value for listing in listings for value in facet_values(listing, facet)))


def counts(page, facet: str) -> dict[str, int]:
    return {value.value: value.count for value in page.facets[facet]}


def in_bucket(bucket, value) -> bool:
    if bucket.missing:
        return value is None
    return (value is not None and (bucket.lower is None or value >= bucket.lower)
            and (bucket.upper is None or value < bucket.upper))


class BackendContract:
    backend_name: str

    @pytest.fixture
    def backend(self, request, settings, db):
        yield from backend_fixture(request, settings, self.backend_name)

    # -- Chinese words
    def test_a_word_is_found_inside_compounds(self, backend, catalogue):
        hits = found(backend, text="电池")
        assert hits == catalogue.containing("电池")
        assert {catalogue.named["锂电池隔膜"].pk, catalogue.named["电池管理系统"].pk,
                catalogue.named["kpp-test-0321"].pk, catalogue.named["专利包"].pk} <= hits

    def test_a_word_jieba_splits_differently_is_found_by_its_bigrams(self, backend, catalogue):
        for word, key in [
            ("纤维素", "醋酸纤维素膜"),  # jieba: 醋酸纤维 + 素膜
            ("分布式", "分布式调度"),  # jieba: 分布 + 式调度
            ("纤维素", "kpp-test-0054"),
            ("石墨烯", "kpp-test-0054"),  # jieba: 石墨 + 烯
            ("醋酸纤维素膜", "醋酸纤维素膜"),
        ]:
            assert catalogue.named[key].pk in found(backend, text=word), word

    def test_a_word_matches_only_where_its_characters_stand_together(self, backend):
        """Every bigram of 旋转式, 纤维组织, 聚合物, 光电子 and 温控阀 is in the first listing, never side by side
        (温控 and 控阀 only across a comma): none of these words is there; the second holds two of them."""
        scattered = ListingFactory(title="一种扭转式弹簧复位装置", patents=[PatentFactory(
            title="一种扭转式弹簧复位装置", abstract="弹簧以扭转式结构固定，旋转轴设于底座；支架含纤维组分，用于神经组织修复；"
                                           "表面涂覆聚合化合物；光电开关控制电子设备；本装置可实现恒温控，控阀门由电机驱动。")])
        mixer = ListingFactory(title="一种旋转式涂料搅拌机", patents=[PatentFactory(
            title="一种旋转式涂料搅拌机", abstract="采用旋转式搅拌，简化工艺，适用于聚合物涂料。")])
        backend.index_listings([scattered, mixer])
        for text in ["旋转式", "纤维组织", "聚合物", "温控阀", "设备 光电子"]:
            assert scattered.pk not in found(backend, text=text), text
        assert {scattered.pk, mixer.pk} & found(backend, text="旋转式") == {mixer.pk}
        assert mixer.pk in found(backend, text="聚合物")
        # a word across a word boundary (化工 in 简化工艺) is found, as a substring search finds it
        assert mixer.pk in found(backend, text="化工") and mixer.pk in found(backend, text="化工艺")
        assert scattered.pk in found(backend, text="恒温控") and scattered.pk in found(backend, text="控阀门")

    def test_hits_are_exactly_the_listings_whose_text_contains_the_word(self, backend, catalogue):
        for word in ["电池", "正极", "制备", "洗衣机", "催化剂", "纤维素", "复合材料", "装置", "制备方法", "锂电池隔膜"]:
            assert found(backend, text=word) == catalogue.containing(word), word

    def test_every_search_mode_word_of_a_title_finds_its_listing(self, backend, catalogue):
        misses = []
        for listing in catalogue.listings:
            for word in set(segmenter().cut_for_search(listing.title)):
                if PIECE.fullmatch(normalise(word)) and listing.pk not in found(backend, text=word):
                    misses.append((listing.title, word))
        assert misses == []

    def test_all_words_of_a_query_must_match(self, backend, catalogue):
        separator = catalogue.named["锂电池隔膜"].pk
        assert found(backend, text="锂电池 隔膜") == catalogue.containing("锂电池", "隔膜") == {separator}
        assert found(backend, text="锂电池隔膜 制备方法") == {separator}
        # a run of Chinese is one word, found only where it stands as a whole
        assert found(backend, text="锂电池隔膜制备方法") == catalogue.containing("锂电池隔膜制备方法") == set()
        assert found(backend, text="电池 洗衣机") == catalogue.containing("电池", "洗衣机") == set()

    def test_latin_words_match_in_any_case_and_width(self, backend, catalogue):
        lamp = catalogue.named["kpp-test-0542"].pk
        hits = found(backend, text="led")
        assert hits == found(backend, text="LED") == found(backend, text="ＬＥＤ") == catalogue.containing("led")
        assert lamp in hits

    def test_a_lone_character_matches_words_that_start_with_it(self, backend, catalogue):
        hits = found(backend, text="锂")
        assert {catalogue.named["锂电池隔膜"].pk, catalogue.named["kpp-test-0321"].pk} <= hits
        assert hits <= catalogue.containing("锂")

    def test_ipc_codes_are_found_at_every_level(self, backend, catalogue):
        def with_ipc(prefix):
            return catalogue.ids(lambda listing: any(
                prefix in ipc_levels(code) for patent in listing.patents.all() for code in patent.ipc_codes))

        separator = catalogue.named["锂电池隔膜"].pk
        assert found(backend, text="H01M") == with_ipc("H01M")
        assert len(with_ipc("H01M")) == 11
        assert found(backend, text="H01M50/403") == found(backend, text="h01m 50/403") == {separator}
        assert found(backend, text="H01M50") == with_ipc("H01M50") == {separator, catalogue.named["专利包"].pk}

    def test_patent_and_publication_numbers_are_found(self, backend, catalogue):
        listing = catalogue.named["电池管理系统"]
        patent = listing.patents.get()
        digits = patent.application_number.split(".")[0]
        for text in (patent.patent_number, patent.application_number, digits):
            assert found(backend, text=text) == {listing.pk}
        assert found(backend, text="CN113914863A") == {catalogue.named["kpp-test-0000"].pk}

    def test_holder_names_are_found_including_co_holders(self, backend, catalogue):
        hits = found(backend, text="鹿城装备")
        assert hits == catalogue.containing("鹿城装备")
        assert catalogue.named["专利包"].pk in hits  # listed by 宁波, co-held by 温州鹿城装备

    def test_text_without_words_searches_everything(self, backend, catalogue):
        assert found(backend, text="，。！") == found(backend) == catalogue.ids()

    # -- filters
    def test_mode_filter(self, backend, catalogue):
        for mode in ListingMode.values:
            assert found(backend, mode=mode) == catalogue.ids(lambda listing, mode=mode: listing.mode == mode), mode

    def test_several_values_of_one_filter_match_any(self, backend, catalogue):
        modes = (ListingMode.TRANSFER, ListingMode.PLEDGE)
        assert found(backend, mode=modes) == catalogue.ids(lambda listing: listing.mode in modes)

    def test_kind_filter_matches_any_patent_of_the_listing(self, backend, catalogue):
        package = catalogue.named["专利包"].pk
        for kind in (PatentKind.INVENTION, PatentKind.UTILITY_MODEL):
            hits = found(backend, kind=kind)
            assert hits == catalogue.ids(lambda listing, kind=kind: kind in facet_values(listing, "kind"))
            assert package in hits
        assert found(backend, kind=PatentKind.DESIGN) == set()

    def test_industry_and_legal_status_filters(self, backend, catalogue):
        for facet, value in [("industry", "new_materials"), ("industry", "digital"), ("industry", "life_health"),
                             ("industry", "other"), ("legal_status", "granted"), ("legal_status", "pending"),
                             ("legal_status", "lapsed")]:
            assert found(backend, **{facet: value}) == catalogue.ids(
                lambda listing, facet=facet, value=value: value in facet_values(listing, facet)), value

    def test_city_filter_takes_a_code_or_a_name(self, backend, catalogue):
        ningbo = catalogue.ids(lambda listing: listing.organisation.city == City.NINGBO)
        assert found(backend, city="3302") == found(backend, city="宁波") == ningbo
        assert len(ningbo) == 8

    def test_ipc_prefix_filter(self, backend, catalogue):
        for prefix in ["H", "H01", "H01M", "H01M50", "H01M50/403", "G06F", "C08B15/02", "h02s"]:
            assert found(backend, ipc_prefix=prefix) == catalogue.ids(lambda listing, prefix=prefix: any(
                prefix.upper() in ipc_levels(code) for patent in listing.patents.all() for code in patent.ipc_codes
            )), prefix

    def test_price_range_is_inclusive_and_leaves_out_negotiable(self, backend, catalogue):
        low, high = Decimal("120000"), Decimal("800000")
        hits = found(backend, price_min=low, price_max=high)
        assert hits == catalogue.ids(lambda listing: listing.asking_price is not None
                                     and low <= listing.asking_price <= high)
        assert {catalogue.named["醋酸纤维素膜"].pk, catalogue.named["锂电池隔膜"].pk} <= hits  # both bounds
        assert found(backend, price_min=Decimal(0)) == catalogue.ids(lambda listing: listing.asking_price is not None)

    def test_remaining_years_filter_uses_the_shortest_lived_patent(self, backend, catalogue):
        for years in [Decimal("0"), Decimal("3"), Decimal("7.5"), Decimal("15")]:
            assert found(backend, remaining_years_min=years) == catalogue.ids(
                lambda listing, years=years: min_remaining_years(listing) >= years), years

    def test_text_and_filters_combine(self, backend, catalogue):
        expected = catalogue.containing("电池") & catalogue.ids(
            lambda listing: listing.organisation.city == City.HANGZHOU and listing.mode == ListingMode.TRANSFER)
        assert found(backend, text="电池", city="杭州", mode="transfer") == expected
        assert expected
        # Every kind of filter at once, ranked by relevance.
        expected = catalogue.containing("方法") & catalogue.ids(
            lambda listing: listing.asking_price is not None and listing.asking_price >= 100_000
            and min_remaining_years(listing) >= 2 and "invention" in facet_values(listing, "kind")
            and "granted" in facet_values(listing, "legal_status"))
        assert found(backend, text="方法", price_min=Decimal(100_000), remaining_years_min=Decimal(2),
                     kind="invention", legal_status="granted") == expected
        assert len(expected) >= 5

    # -- facets
    def test_facets_count_the_values_of_all_matching_listings(self, backend, catalogue):
        page = search(backend)
        assert page.total == len(catalogue.listings) == 35
        for facet in ("mode", "kind", "industry", "city", "legal_status"):
            assert counts(page, facet) == expected_counts(catalogue.listings, facet), facet
            ordered = [(-value.count, value.value) for value in page.facets[facet]]
            assert ordered == sorted(ordered)
        assert counts(page, "city") == {"3301": 20, "3302": 8, "3303": 7}
        assert counts(page, "kind") == {"invention": 31, "utility_model": 5}

    def test_each_facet_counts_without_its_own_filter(self, backend, catalogue):
        page = search(backend, text="电池", mode="transfer", city="3301")
        battery = [listing for listing in catalogue.listings if listing.pk in catalogue.containing("电池")]
        in_city = [listing for listing in battery if listing.organisation.city == City.HANGZHOU]
        in_mode = [listing for listing in battery if listing.mode == ListingMode.TRANSFER]
        both = [listing for listing in in_city if listing.mode == ListingMode.TRANSFER]
        assert page.total == len(both)
        assert counts(page, "mode") == expected_counts(in_city, "mode")
        assert counts(page, "city") == expected_counts(in_mode, "city")
        for facet in ("kind", "industry", "legal_status"):
            assert counts(page, facet) == expected_counts(both, facet), facet

    # -- registered marks
    def test_marks_are_found_by_text_pinyin_and_class_with_a_facet_of_their_classes(self, backend, catalogue):
        from tests.factories import trademark

        tea = ListingFactory(title="区域公用品牌商标转让", patents=[trademark("丽水山耕", groups=("3002", "2901"))])
        wine = ListingFactory(title="黄酒商标许可", mode=ListingMode.LICENCE, patents=[trademark("越州春", groups=("3301",))])
        backend.index_listings([tea, wine])
        assert found(backend, text="丽水山耕") == {tea.pk} and found(backend, text="lishuishangeng") == {tea.pk}
        assert found(backend, text="第33类") == {wine.pk}
        page = search(backend)
        assert counts(page, "nice_class") == {"29": 1, "30": 1, "33": 1}
        assert counts(page, "kind")["trademark"] == 2
        assert {v.value: v.label for v in page.facets["nice_class"]}["30"].startswith("第30类 方便食品")
        chosen = search(backend, nice_class=("30",))
        assert {hit.listing_id for hit in chosen.hits} == {tea.pk}
        assert counts(chosen, "nice_class") == {"29": 1, "30": 1, "33": 1}  # its own filter left out
        assert counts(search(backend, nice_class=("30",), mode="licence"), "nice_class") == {"33": 1}
        assert counts(search(backend, text="电池"), "nice_class") == {}  # no marks among the matches

    def test_facet_values_have_labels(self, backend, catalogue):
        page = search(backend, city="3301")
        labels = {value.value: value.label for facet in ("mode", "city") for value in page.facets[facet]}
        assert labels["transfer"] == "转让 Transfer"
        assert labels["3301"] == "杭州"

    def test_price_and_remaining_life_buckets(self, backend, catalogue):
        price_min = Decimal("100000")
        page = search(backend, price_min=price_min, remaining_years_min=Decimal(5))
        long_lived = [listing for listing in catalogue.listings if min_remaining_years(listing) >= 5]
        priced = [listing for listing in catalogue.listings
                  if listing.asking_price is not None and listing.asking_price >= price_min]
        # The price facet ignores the price filter, the remaining-life facet its own filter.
        assert [(v.value, v.count) for v in page.facets["price"]] == [
            (bucket.value, sum(in_bucket(bucket, listing.asking_price) for listing in long_lived))
            for bucket in PRICE_BUCKETS]
        assert [(v.value, v.count) for v in page.facets["remaining_years"]] == [
            (bucket.value, sum(in_bucket(bucket, Decimal(str(min_remaining_years(listing)))) for listing in priced))
            for bucket in REMAINING_BUCKETS]
        assert page.facets["price"][0].label == "面议 Negotiable"

    def test_facets_can_be_skipped(self, backend, catalogue):
        assert search(backend, with_facets=False).facets == {}

    # -- sorting
    def test_price_ascending_and_descending_put_negotiable_last(self, backend, catalogue):
        ascending = search(backend, sort="price_asc", page_size=100).hits
        descending = search(backend, sort="price_desc", page_size=100).hits
        for hits, reverse in ((ascending, False), (descending, True)):
            prices = [hit.asking_price for hit in hits if hit.asking_price is not None]
            assert prices == sorted(prices, reverse=reverse)
            assert [hit.asking_price for hit in hits[len(prices):]] == [None] * (len(hits) - len(prices))
        assert len(ascending) == len(descending) == 35

    def test_newest_first(self, backend, catalogue):
        hits = search(backend, sort="newest", page_size=100).hits
        assert [(hit.published_at, hit.listing_id) for hit in hits] == sorted(
            ((hit.published_at, hit.listing_id) for hit in hits), reverse=True)

    def test_longest_remaining_life_first(self, backend, catalogue):
        hits = search(backend, sort="remaining_life", page_size=100).hits
        by_id = {listing.pk: listing for listing in catalogue.listings}
        expiries = [min(p.expiry_date for p in by_id[hit.listing_id].patents.all()) for hit in hits]
        assert [hit.expiry_date for hit in hits] == expiries == sorted(expiries, reverse=True)

    def test_relevance_without_text_is_newest_first(self, backend, catalogue):
        assert hit_ids(search(backend, page_size=100)) == hit_ids(search(backend, sort="newest", page_size=100))

    def test_a_title_match_ranks_above_a_claims_match(self, backend):
        in_claims = ListingFactory(title="一种紧固件", patents=[PatentFactory(
            title="一种紧固件", abstract="一种螺栓。", claims="1.一种紧固件，其特征在于，采用钛合金制成。")])
        in_title = ListingFactory(title="一种钛合金紧固件", patents=[PatentFactory(
            title="一种钛合金紧固件", abstract="一种螺栓。", claims="1.一种紧固件。")])
        backend.index_listings([in_claims, in_title])
        page = search(backend, text="钛合金")
        assert hit_ids(page) == [in_title.pk, in_claims.pk]
        assert page.hits[0].score > page.hits[1].score > 0

    # -- pages
    def test_pages_partition_the_results(self, backend, catalogue):
        for fields in [{"sort": "price_asc"}, {"text": "电池"}, {"text": "方法", "sort": "newest"}]:
            everything = search(backend, page_size=100, with_facets=False, **fields)
            pages = [search(backend, page=n, page_size=4, with_facets=False, **fields)
                     for n in range(1, math.ceil(everything.total / 4) + 2)]
            assert [i for page in pages for i in hit_ids(page)] == hit_ids(everything), fields
            assert {page.total for page in pages} == {everything.total}
            assert pages[-1].hits == [] and not pages[-1].has_next
            assert pages[0].num_pages == math.ceil(everything.total / 4)
            assert pages[0].has_next and not pages[0].has_previous

    # -- hits and highlights
    def test_hits_carry_what_a_result_line_shows(self, backend, catalogue):
        package = catalogue.named["专利包"]
        (hit,) = search(backend, text="光伏").hits
        assert hit.listing_id == package.pk
        assert (hit.title, hit.mode, hit.mode_label, hit.holder) == (
            "储能与光伏专利包", "transfer", "转让 Transfer", "宁波甬港机械有限公司")
        assert (hit.city, hit.city_label, hit.asking_price) == ("3302", "宁波", Decimal("2500000.00"))
        assert set(hit.patent_numbers) == {p.patent_number for p in package.patents.all()}
        assert hit.remaining_years == round(min_remaining_years(package), 2)
        assert hit.industry == package.patents.order_by("pk").first().industry
        assert hit.published_at == package.published_at

    def test_highlights_mark_the_words_in_title_and_abstract(self, backend, catalogue):
        page = search(backend, text="电池")
        hit = next(h for h in page.hits if h.listing_id == catalogue.named["锂电池隔膜"].pk)
        assert hit.highlights == {"title": "一种锂<mark>电池</mark>隔膜及其制备方法",
                                  "abstract": "本发明公开了一种锂<mark>电池</mark>隔膜，孔隙率高，热稳定性好。"}
        assert all("<mark>" in h.highlights.get("title", "") + h.highlights.get("abstract", "")
                   for h in page.hits if "电池" in h.title)

    def test_highlights_mark_words_found_by_bigrams(self, backend, catalogue):
        hits = {h.listing_id: h for h in search(backend, text="纤维素").hits}
        assert hits[catalogue.named["醋酸纤维素膜"].pk].highlights["title"] == "一种醋酸<mark>纤维素</mark>膜的制备方法"

    def test_long_abstracts_give_a_snippet_around_the_first_match(self, backend, catalogue):
        (hit,) = search(backend, text="钙钛矿 太阳能").hits
        snippet = hit.highlights["abstract"]
        assert "<mark>钙钛矿</mark>" in snippet
        assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 122  # 120 + two ellipses

    def test_highlights_escape_html(self, backend):
        listing = ListingFactory(title="电池<script>alert(1)</script>", patents=[PatentFactory(abstract="a < b 电池")])
        backend.index_listings([listing])
        (hit,) = search(backend, text="电池").hits
        assert hit.highlights["title"] == "<mark>电池</mark>&lt;script&gt;alert(1)&lt;/script&gt;"
        assert hit.highlights["abstract"] == "a &lt; b <mark>电池</mark>"

    def test_no_highlights_without_text(self, backend, catalogue):
        assert all(hit.highlights == {} for hit in search(backend).hits)

    # -- what is in the index
    def test_unpublished_listings_are_never_found(self, backend, catalogue):
        hidden = {listing.pk for listing in catalogue.hidden}
        assert not hidden & found(backend, text="电池")
        assert not hidden & found(backend)
        backend.index_listings(catalogue.hidden)
        backend.index_listing_ids(hidden)
        assert not hidden & found(backend, text="热管理")
        assert set(backend.indexed_checksums()) == catalogue.ids()

    def test_withdrawing_removes_the_listing_after_commit(self, backend, catalogue, eager_tasks,
                                                         django_capture_on_commit_callbacks):
        listing = catalogue.named["锂电池隔膜"]
        with django_capture_on_commit_callbacks() as callbacks:
            listing.withdraw()
            listing.save()
            listing_changed(listing.pk)
        assert listing.pk in found(backend, text="隔膜")  # not committed yet: the index has not moved
        for callback in callbacks:
            callback()
        assert listing.pk not in found(backend, text="隔膜")
        assert listing.pk not in backend.indexed_checksums()

    def test_publishing_adds_the_listing_after_commit(self, backend, catalogue, eager_tasks,
                                                      django_capture_on_commit_callbacks):
        listing = next(item for item in catalogue.hidden if item.state == ListingState.SUBMITTED)
        with django_capture_on_commit_callbacks(execute=True):
            listing.publish()
            listing.save()
            listing_changed(listing.pk)
        assert listing.pk in found(backend, text="热管理")

    def test_a_rolled_back_change_queues_nothing(self, backend, catalogue, eager_tasks,
                                                 django_capture_on_commit_callbacks):
        listing = catalogue.named["锂电池隔膜"]
        with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
              transaction.atomic()):
            listing.withdraw()
            listing.save()
            listing_changed(listing.pk)
            raise RuntimeError("rolled back")
        assert callbacks == []
        assert listing.pk in found(backend, text="隔膜")

    def test_the_task_reindexes_changed_data_and_is_idempotent(self, backend, catalogue):
        listing = catalogue.named["分布式调度"]
        patent = listing.patents.get()
        patent.title = "一种边缘计算任务迁移方法"
        patent.save()
        index_listing_task(listing.pk)
        index_listing_task(listing.pk)
        assert found(backend, text="任务迁移") == {listing.pk}
        assert found(backend) == catalogue.ids()

    def test_indexing_twice_changes_nothing(self, backend, catalogue):
        before = backend.indexed_checksums()
        backend.index_listings(catalogue.listings)
        assert backend.indexed_checksums() == before
        assert found(backend, text="电池") == catalogue.containing("电池")

    def test_a_deleted_listing_is_removed_by_the_task(self, backend, catalogue):
        listing = ListingFactory(title="待删除的电池挂牌")
        backend.index_listings([listing])
        pk = listing.pk
        listing.delete()
        index_listing_task(pk)
        assert pk not in found(backend, text="电池")

    def test_remove_and_clear(self, backend, catalogue):
        backend.remove_listing(catalogue.named["锂电池隔膜"].pk)
        backend.remove_listing(10**9)  # not indexed: nothing happens
        assert found(backend) == catalogue.ids() - {catalogue.named["锂电池隔膜"].pk}
        backend.clear()
        assert search(backend).total == 0

    def test_rebuild_restores_missing_entries_and_prunes_unpublished_ones(self, backend, catalogue):
        withdrawn = catalogue.named["分布式调度"]
        type(withdrawn).objects.filter(pk=withdrawn.pk).update(state=ListingState.WITHDRAWN)  # nobody told the index
        backend.remove_listing(catalogue.named["锂电池隔膜"].pk)
        progress = []
        result = backend.rebuild(chunk_size=10, progress=progress.append)
        assert (result.indexed, result.removed) == (34, 1)
        assert progress == [10, 10, 10, 4]
        assert found(backend) == catalogue.ids() - {withdrawn.pk}

    # -- relevance
    def test_judged_queries_put_the_relevant_listings_first(self, backend, catalogue):
        """Ranking may differ between backends (BM25 on Elasticsearch and SQLite, cover density on
        PostgreSQL; jieba words against character bigrams), but not on these judgements: for each
        query, the listings a reader of the real records judges most relevant come first, in any order."""
        misses = []
        for text, keys in RELEVANCE_JUDGEMENTS:
            expected = {catalogue.named[key].pk for key in keys}
            top = set(hit_ids(search(backend, text=text, with_facets=False))[:len(expected)])
            if top != expected:
                misses.append((text, sorted(expected), sorted(top)))
        assert misses == []

    # -- suggestions
    def test_suggestions_complete_titles_from_any_word(self, backend, catalogue):
        separator = "一种锂电池隔膜及其制备方法"
        assert separator in texts(backend.suggest("锂电"))
        assert separator in texts(backend.suggest("隔膜"))  # a word inside the title
        assert texts(backend.suggest("电池管理")) == ["一种电池管理系统及均衡方法"]
        (suggestion,) = backend.suggest("醋酸纤维")
        assert (suggestion.kind, suggestion.kind_label, suggestion.params) == (
            "title", "挂牌 Listing", {"q": "一种醋酸纤维素膜的制备方法"})

    def test_suggestions_complete_holder_names(self, backend, catalogue):
        holders = [s for s in backend.suggest("之江") if s.kind == "holder"]
        assert [(s.text, s.params) for s in holders] == [("杭州之江新材有限公司", {"q": "杭州之江新材有限公司"})]
        assert "温州鹿城装备有限公司" in texts(backend.suggest("鹿城"))  # a co-holder of the package

    def test_suggestions_include_ipc_classes_by_code_or_description(self, backend, catalogue):
        def ipc(prefix):
            return [s.params["ipc_prefix"] for s in backend.suggest(prefix) if s.kind == "ipc"]

        assert ipc("h01m") == ["H01M"]
        assert ipc("H01") == ["H01", "H01F", "H01L"]
        assert "H01M" in ipc("电池")
        assert backend.suggest("h01m")[-1].text == "H01M 用于直接转变化学能为电能的方法或装置，例如电池组"

    def test_suggestions_are_distinct_in_key_order_and_limited(self, backend, catalogue):
        suggestions = backend.suggest("一种", limit=5)
        assert len(suggestions) == 5 == len({s.text for s in suggestions})
        assert texts(suggestions) == sorted(texts(suggestions))  # the key is the whole title here
        assert backend.suggest("  ") == [] and backend.suggest("，") == []

    def test_suggestions_leave_out_unpublished_and_removed_listings(self, backend, catalogue):
        assert [s for s in backend.suggest("未公开") if s.kind == "title"] == []
        backend.remove_listing(catalogue.named["锂电池隔膜"].pk)
        assert "一种锂电池隔膜及其制备方法" not in texts(backend.suggest("锂电"))

    # -- similar listings
    def test_similar_listings_rank_the_closest_first_and_exclude_the_listing(self, backend, catalogue):
        fixer, roller = (ListingFactory(title=title, patents=[PatentFactory(title=title, abstract=abstract)])
                         for title, abstract in TEA_PAIR)
        backend.index_listings([fixer, roller])
        for listing, other in ((fixer, roller), (roller, fixer)):
            similar = backend.similar(listing.pk)
            assert hit_ids(similar)[0] == other.pk
            assert listing.pk not in hit_ids(similar)
            assert len(similar) <= 6 and set(hit_ids(similar)) <= catalogue.ids() | {other.pk}

    def test_similar_listings_are_published_ones_even_for_a_draft(self, backend, catalogue):
        draft = next(item for item in catalogue.hidden if item.state == ListingState.DRAFT)
        hidden = {item.pk for item in catalogue.hidden}
        similar = backend.similar(draft.pk, limit=3)
        assert len(similar) == 3
        assert not hidden & set(hit_ids(similar))
        assert all("电池" in hit.title or "热管理" in hit.title for hit in similar[:1])

    # -- the outbox
    def test_a_change_writes_an_outbox_row_that_the_push_after_commit_applies(
            self, backend, catalogue, eager_tasks, django_capture_on_commit_callbacks):
        listing = catalogue.named["锂电池隔膜"]
        with django_capture_on_commit_callbacks() as callbacks:
            listing.withdraw()
            listing.save()
            listing_changed(listing.pk)
        row = OutboxEntry.objects.get(listing_id=listing.pk)
        assert row.processed_at is None and listing.pk in found(backend, text="隔膜")
        for callback in callbacks:
            callback()
        row.refresh_from_db()
        assert row.processed_at is not None and row.attempts == 0
        assert listing.pk not in found(backend, text="隔膜")


class TestDatabaseBackend(BackendContract):
    backend_name = "database"


class TestElasticsearchBackend(BackendContract):
    backend_name = "elasticsearch"


def test_the_catalogue_spans_the_remaining_life_buckets(catalogue):
    """The remaining-years tests mean something only if the catalogue's patents span the buckets."""
    lives = [min_remaining_years(listing) for listing in catalogue.listings]
    assert min(lives) < 3 and max(lives) >= 15
