"""search_reindex rebuilds the index from the database; search_check reports (and --fix repairs) differences."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from market.models import Listing, ListingState
from search.backends import SearchQuery


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_reindex_fills_an_empty_index_in_chunks(backend, catalogue):
    backend.clear()
    out, err = run("search_reindex", "--chunk-size", "10")
    assert out == "已索引 35 条挂牌，移除 0 条 / Indexed 35 listings, removed 0 (database)\n"
    assert "35/35" in err  # the progress bar
    assert backend.search(SearchQuery(with_facets=False)).total == 35
    assert set(backend.indexed_checksums()) == catalogue.ids()


def test_reindex_removes_listings_no_longer_published(backend, catalogue):
    gone = catalogue.named["分布式调度"]
    Listing.objects.filter(pk=gone.pk).update(state=ListingState.EXPIRED)  # the index was not told
    out, _ = run("search_reindex")
    assert "removed 1" in out and "Indexed 34" in out
    assert gone.pk not in backend.indexed_checksums()


def test_reindex_is_quiet_at_verbosity_zero(backend, catalogue):
    assert run("search_reindex", "--verbosity", "0") == ("", "")


def test_check_reports_nothing_when_the_index_matches(backend, catalogue):
    out, err = run("search_check", "--chunk-size", "10")
    assert out == "索引与数据库一致 / The index matches the database\n"
    assert "35/35" in err  # the progress bar


def _spoil(backend, catalogue) -> tuple[int, int, int]:
    missing = catalogue.named["锂电池隔膜"].pk
    backend.remove_listing(missing)
    stale = catalogue.named["电池管理系统"]
    patent = stale.patents.get()
    patent.title = "一种电池均衡电路"
    patent.save()
    orphaned = catalogue.named["醋酸纤维素膜"].pk
    Listing.objects.filter(pk=orphaned).update(state=ListingState.WITHDRAWN)
    return missing, stale.pk, orphaned


def test_check_prints_one_line_per_problem_and_fails(backend, catalogue):
    missing, stale, orphaned = _spoil(backend, catalogue)
    out = StringIO()
    with pytest.raises(CommandError, match="发现 3 个问题 / 3 problems found"):
        call_command("search_check", stdout=out)
    assert out.getvalue().splitlines() == [
        f"缺失 missing: 挂牌 listing #{missing} 已发布但不在索引中 / published but not indexed",
        f"过期 stale: 挂牌 listing #{stale} 的索引内容已过时 / indexed from outdated data",
        f"多余 orphaned: 挂牌 listing #{orphaned} 未发布却在索引中 / indexed but not published",
    ]
    assert missing not in backend.indexed_checksums()  # reporting changes nothing


def test_check_fix_repairs_and_a_second_check_is_clean(backend, catalogue):
    missing, stale, orphaned = _spoil(backend, catalogue)
    out, _ = run("search_check", "--fix", "--chunk-size", "7")
    assert out.splitlines()[-1] == "已修复 3 个问题 / Fixed 3 problems"
    indexed = backend.indexed_checksums()
    assert missing in indexed and orphaned not in indexed
    assert [h.listing_id for h in backend.search(SearchQuery(text="均衡电路")).hits] == [stale]
    assert run("search_check")[0] == "索引与数据库一致 / The index matches the database\n"
