"""Tokens, query words and highlights: pure functions, no database."""

import pytest

from search.highlight import highlight
from search.query import QueryWord, parse_text
from search.tokenize import (
    RUN_BREAK,
    index_tokens,
    ipc_levels,
    ipc_tokens,
    normalise_ipc,
    patent_number_token,
)


def test_index_tokens_hold_search_mode_words_bigrams_and_latin_words():
    tokens = index_tokens("一种锂电池隔膜，采用PE材料（5G）")
    assert {"锂电池", "锂电", "电池", "隔膜", "一种", "采用", "材料"} <= set(tokens)  # jieba search mode
    assert "池隔" in tokens  # bigrams cross jieba's word boundaries
    assert "膜采" not in tokens  # but not punctuation
    assert {"pe", "5g"} <= set(tokens)
    assert not any(c in token for token in tokens for c in "，（）")


def test_bigrams_close_the_compounds_jieba_splits_elsewhere():
    tokens = set(index_tokens("醋酸纤维素膜"))
    assert "纤维素" not in tokens  # jieba: 醋酸纤维 + 素膜
    assert {"纤维", "维素"} <= tokens


def test_full_width_and_upper_case_are_normalised():
    assert index_tokens("ＬＥＤ Lamp") == ["led", "lamp"]


def test_very_long_latin_runs_are_dropped():
    assert index_tokens("a" * 41 + " ok") == ["ok"]


@pytest.mark.parametrize("code, canonical", [
    ("H01M50/403", "H01M50/403"),
    ("h01m 50/403", "H01M50/403"),
    ("H01M 0050 / 403", "H01M50/403"),
    ("G06F", "G06F"),
    ("G06F16", "G06F16"),
    ("电池", None),
    ("H01", None),
])
def test_normalise_ipc_case(code, canonical):
    assert normalise_ipc(code) == canonical


def test_ipc_levels_and_tokens():
    assert ipc_levels("H01M50/403") == ["H", "H01", "H01M", "H01M50", "H01M50/403"]
    assert ipc_levels("G06F") == ["G", "G06", "G06F"]
    assert ipc_tokens(["H01M50/403", "H01M10/0525"]) == ["h01", "h01m", "h01m50", "h01m50x403", "h01m10",
                                                         "h01m10x0525"]


def test_patent_number_token_keeps_the_twelve_digits():
    assert patent_number_token("201910100000.1") == "201910100000"
    assert patent_number_token("ZL201910100000.X") == "201910100000"
    assert patent_number_token("not a number") is None


def test_a_run_of_chinese_is_one_word_matched_as_it_stands():
    assert parse_text("锂电池隔膜") == [QueryWord(token="锂电池隔膜", text="锂电池隔膜",
                                                bigrams=("锂电", "电池", "池隔", "隔膜"))]
    assert parse_text("锂电池 隔膜") == [QueryWord(token="锂电池", text="锂电池", bigrams=("锂电", "电池")),
                                        QueryWord(token="隔膜", text="隔膜")]
    assert [w.token for w in parse_text("膜材料，的膜")] == ["膜材料", "的膜"]


def test_a_lone_character_is_a_prefix_word():
    assert parse_text("锂") == [QueryWord(token="锂", text="锂", prefix=True)]


def test_codes_are_recognised_before_words():
    words = parse_text("ZL201910100000.1 H01M50/403 电池")
    assert [w.token for w in words] == ["201910100000", "h01m50x403", "电池"]
    assert [w.text for w in words] == ["", "", "电池"]  # codes are not highlighted


def test_repeated_words_count_once_and_punctuation_separates():
    assert [w.token for w in parse_text("电池，电池! LED/led")] == ["电池", "led"]
    assert parse_text("，。！") == []


def test_highlight_marks_and_escapes():
    assert highlight("<b>锂电池</b>", ["电池"]) == "&lt;b&gt;锂<mark>电池</mark>&lt;/b&gt;"
    assert highlight("Lithium LED", ["led"]) == "Lithium <mark>LED</mark>"
    assert highlight("没有命中", ["电池"]) == ""
    assert highlight("醋酸纤维素膜", ["醋酸纤维", "素膜"]) == "<mark>醋酸纤维素膜</mark>"


def test_highlight_prefers_the_longest_term():
    assert highlight("锂电池", ["电池", "锂电池"]) == "<mark>锂电池</mark>"


def test_highlight_window_around_the_first_match():
    text = "甲" * 200 + "电池" + "乙" * 200
    snippet = highlight(text, ["电池"], max_chars=40)
    assert snippet == "…" + "甲" * 10 + "<mark>电池</mark>" + "乙" * 28 + "…"
    assert highlight("电池" + "乙" * 100, ["电池"], max_chars=10) == "<mark>电池</mark>" + "乙" * 8 + "…"


def test_long_texts_get_bigrams_and_latin_words_without_jieba():
    from search.tokenize import bigram_tokens

    # A lone character is its own token (it has no bigram); full-width latin is folded.
    assert bigram_tokens("锂电池，隔 LED灯Ａ1") == ["锂电", "电池", RUN_BREAK, "隔", RUN_BREAK, "灯", "led", "a1"]


def test_bigrams_stand_side_by_side_only_where_their_characters_do():
    """温控阀's bigrams are in 恒温控，控阀门 but a run break stands between them; jieba words are apart too."""
    from search.tokenize import bigram_tokens

    assert bigram_tokens("恒温控，控阀门") == ["恒温", "温控", RUN_BREAK, "控阀", "阀门"]
    # the jieba words first, each followed by a break; then the bigrams of each run
    assert index_tokens("温控器") == ["温控", RUN_BREAK, "温控器", RUN_BREAK, "温控", "控器"]
    assert parse_text(f"{RUN_BREAK} 电池") == parse_text("电池")  # never a query word


def test_ipc_descriptions_take_the_most_specific_level_in_the_table():
    from search.ipc import ipc_description

    assert ipc_description("H01M50/403") == ipc_description("H01M") == "用于直接转变化学能为电能的方法或装置，例如电池组"
    assert ipc_description("H01X") == "基本电气元件"  # class H01
    assert ipc_description("Z99") == ""
