"""A listed mark is found by its text, its pinyin and its goods; its page shows the mark's register facts."""

from decimal import Decimal

from django.test import Client

from market.models import ListingMode
from search.backends import SearchQuery
from search.documents import documents_for

from ..factories import ListingFactory, trademark


def found(backend, text):
    return {hit.listing_id for hit in backend.search(SearchQuery(text=text, page_size=50, with_facets=False)).hits}


def test_a_listed_mark_is_found_by_text_pinyin_and_goods_and_its_page_shows_them(backend, holder_org):
    mark = trademark("丽水山耕", groups=("3002",), holders=[holder_org])
    listing = ListingFactory(organisation=holder_org, title="区域公用品牌商标许可", mode=ListingMode.LICENCE,
                             asking_price=Decimal("80000"), patents=[mark])
    other = ListingFactory(title="一种锂电池隔膜")
    [document] = documents_for([listing])
    assert document.expiry_date == mark.mark.valid_until
    backend.index_documents(documents_for([listing, other]))
    for text in ("丽水山耕", "山耕", "lishuishangeng", "商品", "第30类"):
        assert found(backend, text) == {listing.pk}, text
    html = Client().get(f"/listings/{listing.pk}/").content.decode()
    assert "第30类 方便食品" in html and f"第{mark.application_number}号" in html and "专用权期限至" in html
    assert "IPC分类号" not in html.split(f'id="patent-{mark.pk}"')[1]


def test_the_kind_facet_counts_marks_apart_and_filters_them(backend, holder_org):
    mark_listing = ListingFactory(organisation=holder_org, title="丽水山耕商标转让", patents=[trademark(holders=[holder_org])])
    patent_listing = ListingFactory(title="一种茶叶杀青机")
    backend.index_documents(documents_for([mark_listing, patent_listing]))
    page = backend.search(SearchQuery(page_size=50))
    kinds = {value.value: value.count for value in page.facets["kind"]}
    assert kinds == {"trademark": 1, "invention": 1}
    marks = backend.search(SearchQuery(kind=("trademark",), page_size=50, with_facets=False))
    assert [hit.listing_id for hit in marks.hits] == [mark_listing.pk]


def test_the_search_page_offers_the_classes_of_the_marks_found_and_only_then(backend, holder_org):
    mark_listing = ListingFactory(organisation=holder_org, title="丽水山耕商标转让", patents=[trademark(holders=[holder_org])])
    patent_listing = ListingFactory(title="一种茶叶杀青机")
    backend.index_documents(documents_for([mark_listing, patent_listing]))
    html = Client().get("/search/", {"q": "丽水山耕"}).content.decode()
    assert "商标类别" in html and "第30类 方便食品" in html and "nice_class=30" in html
    chosen = Client().get("/search/", {"nice_class": "30"}).content.decode()
    assert f"/listings/{mark_listing.pk}/" in chosen and f"/listings/{patent_listing.pk}/" not in chosen
    assert "商标类别" not in Client().get("/search/", {"q": "杀青机"}).content.decode()
