"""Matching a demand to published listings, with the reasons for each match.

Why several queries, merged
---------------------------
The search interface ANDs the words of a query, so a demand's description (dozens of words) asked as
one query would find almost nothing. The matcher asks the engine through the public interface only
(``get_search_backend().search(SearchQuery(...))``), so it works the same on every backend:

1. one query per demand word — the ``MAX_DEMAND_WORDS`` longest of its jieba words, stop words
   removed — restricted to the tradeable modes (licence, transfer, open licence). Each answer gives
   the word's rank list and, in ``SearchPage.total``, how many listings hold the word: its rarity (an
   estimate for words found in very many listings on PostgreSQL: close enough for a logarithm);
2. one query per IPC prefix of the demand (a listing of the right class may word things differently);
3. one query for N, the tradeable listings in the index.

The hits of all these queries are the candidates. Their ranks in the word queries are merged by
reciprocal-rank fusion (RRF), weighted by rarity, so the engine's own relevance ordering (field
boosts: title before claims before abstract) counts in the score.

Each candidate is then explained and scored here, in Python, from the document the index was built
from (``search.documents``); words are cut with ``search.tokenize`` (jieba precise mode):

- matched terms: the demand words that occur in the listing's text (titles, description, abstracts, claims);
- shared IPC groups: the listing's IPC main groups (``H01M10``) under one of the demand's prefixes;
- budget: ``within`` [min, max], ``below`` the minimum, ``above`` the maximum, ``negotiable`` (面议: no price);
- region: the holder's city is a wanted one; mode: the listing's mode is a wanted one;
- industry: one of the listing's patents is in the wanted industry.

A candidate with neither a matched term nor a shared IPC group is dropped, and so are the demand
organisation's own listings. So that generic words (结构, 处理, 控制, 材料) make no match (``MatchRules``):
they are not probed (``GENERIC_WORDS``, and any word found in more than 5 % of the tradeable listings);
a candidate without a shared IPC group needs ``MIN_TEXT_SHARE`` of the demand's word weight in its text;
and nothing scoring below ``MIN_SCORE`` is proposed. Measured on 25 demands and 124 labelled pairs of the
demo (benchmarks/matching_precision.py, docs/matching.md): precision of the top 5 from 0.28 to 0.80.

Score, 0–100 = 100 × Σ weight × signal ÷ Σ weight, over the signals that apply (a demand without IPC
prefixes, budget, regions or industry is not scored on them):

======== ====== ====================================================================================
signal   weight value
======== ====== ====================================================================================
text     0.35   Σ idf of the matched terms ÷ Σ idf of all the demand's words
engine   0.15   Σ idf(w) ÷ (RRF_K + rank of the listing in w's query) ÷ the same sum at rank 1 everywhere
ipc      0.20   1 when an IPC group is shared, else 0
budget   0.10   1 within or below the budget, 0.5 面议, budget max ÷ price above it
mode     0.10   1 when the listing's mode is wanted, else 0
region   0.05   1 when the holder's city is wanted, else 0
industry 0.05   1 when the industry matches, else 0
======== ====== ====================================================================================

with idf(w) = ln(1 + N ÷ max(1, hits of w)). Ties are broken by the engine signal, then listing id.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from market.models import Listing, ListingState
from search.backends import InvalidSearchQuery, SearchBackend, SearchPage, SearchQuery, get_search_backend
from search.documents import MAX_CLAIMS_CHARS, ListingDocument, documents_for
from search.schema import facet_label
from search.tokenize import CJK_RUN, IPC_CODE, PATENT_NUMBER, PIECE, ipc_levels, normalise, segmenter

from .models import WANTED_MODES, Demand

TRADE_MODES = tuple(str(mode) for mode in WANTED_MODES)
# Words probed per demand: each is one query to the engine.
MAX_DEMAND_WORDS = 12
CANDIDATES_PER_QUERY = 25
# Reciprocal-rank fusion constant: rank 1 counts (K+10)/(K+1) ≈ 1.8 times rank 10.
RRF_K = 10
WEIGHTS = {"text": 0.35, "engine": 0.15, "ipc": 0.20, "budget": 0.10, "mode": 0.10, "region": 0.05, "industry": 0.05}
# Words of demand texts that say nothing about the technology.
_STOP_WORDS = """
一种 一个 需要 需求 寻求 寻找 希望 技术 方法 我们 我司 公司 企业 用于 相关 进行 具有 以及 能够 可以
提供 实现 合作 产品 专利 要求 其中 目前 现有 主要 通过 包括 采用 方面 问题 解决 应用 领域 适用 及其
以上 以下 左右 万元 预算 购买 引进 转让 许可 开放 受让 方式 项目 有关 用来 拥有 欢迎 联系 意向 考虑
优先 最好 能力 提升 提高 方案 生产 工艺 研发 以内 不超过 ipc cn zl 专利号 申请号
制备 装置 系统 设备 用途
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
# Words of patent texts that say nothing about which technology it is: parts, places, qualities. A demand
# word among them is not probed; one found in more than GENERIC_SHARE of the tradeable listings (and more
# than GENERIC_MIN_HITS) does not count as a matched term nor weigh in the score.
_GENERIC_WORDS = """
结构 处理 控制 材料 连接 组件 模块 单元 部件 机构 本体 主体 固定 设置 安装 使用 操作 方便 简单 有效
效率 性能 稳定 稳定性 可靠 一端 另一端 两端 底部 顶部 内部 外部 表面 侧面 方向 位置 两侧 第一 第二
第三 多个 若干 所述 至少 其特征 特征 包含 组成 形成 连接件 固定件 支撑 支架 壳体 外壳 底座 基座 框架
板体 盖板 端部 上端 下端 一侧 中部 整体 效果 成本 质量 时间 过程 步骤 条件 状态 信息 参数 功能 作用
智能 自动 新型 改进 优化 高效 节能 环保 安全 便于 降低 增加 减少 有利于 通过 其中 作为 根据 用以
"""
GENERIC_WORDS = frozenset(_GENERIC_WORDS.split())
GENERIC_SHARE = 0.05
# ... and in more than this many: in a small market every word is in a large share of it.
GENERIC_MIN_HITS = 20
# Proposals below this score are not made: a demand gets fewer proposals rather than unrelated ones.
MIN_SCORE = Decimal("35")
# A match needs at least this part of the demand's word weight (Σ idf) in the listing's text, or a shared
# IPC group: one common word does not make two technologies alike.
MIN_TEXT_SHARE = 0.2

BUDGET_LABELS = {
    "within": "在预算内 Within budget",
    "below": "低于预算下限 Below the budget minimum",
    "above": "超出预算 Above budget",
    "negotiable": "面议 Negotiable",
    "any": "未设预算 No budget given",
}


@dataclass(frozen=True)
class DemandProfile:
    """What matching reads of a demand (a saved ``Demand``, or values being entered)."""

    text: str
    wanted_modes: tuple[str, ...]
    ipc_prefixes: tuple[str, ...] = ()
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    regions: tuple[str, ...] = ()
    industry: str = ""
    organisation_id: int | None = None

    @classmethod
    def of(cls, demand: Demand) -> DemandProfile:
        return cls(text=f"{demand.title}\n{demand.text}", wanted_modes=tuple(demand.wanted_modes),
                   ipc_prefixes=tuple(demand.ipc_prefixes), budget_min=demand.budget_min,
                   budget_max=demand.budget_max, regions=tuple(demand.regions), industry=demand.industry,
                   organisation_id=demand.organisation_id)

    @property
    def words(self) -> list[str]:
        return demand_words(self.text)


@dataclass(frozen=True)
class MatchRules:
    """What makes a proposal: the generic words left out, the share of listings above which a word is
    generic, the least text share (without a shared IPC group) and the least score. ``LOOSE`` is the
    matcher before these rules (kept to measure them: benchmarks/matching_precision.py)."""

    generic: frozenset[str] = GENERIC_WORDS
    generic_share: float = GENERIC_SHARE
    min_text_share: float = MIN_TEXT_SHARE
    min_score: Decimal = MIN_SCORE


RULES = MatchRules()
LOOSE = MatchRules(generic=frozenset(), generic_share=1.0, min_text_share=0.0, min_score=Decimal("0"))


@dataclass(frozen=True)
class Explanation:
    """Why a listing matches a demand. ``region_match`` / ``industry_match`` are None when the demand
    names no region / industry."""

    matched_terms: tuple[str, ...]
    ipc_groups: tuple[str, ...]
    budget: str
    mode_match: bool
    region_match: bool | None
    industry_match: bool | None

    @property
    def is_match(self) -> bool:
        return bool(self.matched_terms or self.ipc_groups)

    @property
    def budget_label(self) -> str:
        return BUDGET_LABELS[self.budget]

    def as_dict(self) -> dict:
        return {"matched_terms": list(self.matched_terms), "ipc_groups": list(self.ipc_groups),
                "budget": self.budget, "budget_label": self.budget_label, "mode_match": self.mode_match,
                "region_match": self.region_match, "industry_match": self.industry_match}


@dataclass(frozen=True)
class Match:
    """A listing ranked for a demand: what a result line shows, its score and its reasons."""

    listing_id: int
    title: str
    holder: str
    city: str
    mode: str
    asking_price: Decimal | None
    score: Decimal
    explanation: Explanation
    signals: dict[str, float] = field(default_factory=dict)
    # Demand word -> the listing's rank in that word's query (engine relevance).
    ranks: dict[str, int] = field(default_factory=dict)

    @property
    def mode_label(self) -> str:
        return facet_label("mode", self.mode)

    @property
    def city_label(self) -> str:
        return facet_label("city", self.city)


# -- words ---------------------------------------------------------------------------------------
def demand_words(text: str, limit: int = MAX_DEMAND_WORDS, generic: frozenset[str] = GENERIC_WORDS) -> list[str]:
    """The demand's words: jieba precise-mode words of two characters or more and latin words, without
    stop words, ``generic`` patent words, IPC codes and patent numbers; the ``limit`` longest, in the
    order of the text."""
    text = IPC_CODE.sub(" ", PATENT_NUMBER.sub(" ", normalise(text)))
    words: list[str] = []
    for piece in PIECE.findall(text):
        if CJK_RUN.fullmatch(piece):
            words += [word for word in segmenter().cut(piece) if len(word) > 1]
        elif len(piece) > 1 and not piece.isdigit():
            words.append(piece)
    words = [word for word in dict.fromkeys(words) if word not in STOP_WORDS and word not in generic]
    longest = set(sorted(words, key=lambda word: (-len(word), words.index(word)))[:limit])
    return [word for word in words if word in longest]


def listing_text(document: ListingDocument) -> str:
    """The normalised text of a listing the demand words are looked for in (what the index holds, less holders)."""
    parts = [document.title, document.description]
    for patent in document.patents:
        parts += [patent.title, patent.abstract, patent.first_claim, patent.claims[:MAX_CLAIMS_CHARS]]
    return normalise("\n".join(filter(None, parts)))


# -- signals -------------------------------------------------------------------------------------
def _group(code: str) -> str:
    """The IPC main group of a code (H01M10/0525 → H01M10); the code itself above group level."""
    levels = ipc_levels(code)
    return levels[3] if len(levels) > 3 else code


def shared_ipc_groups(prefixes: Iterable[str], codes: Iterable[str]) -> list[str]:
    """The listing codes' main groups under a demand prefix (H01M → H01M50), or in the group of a deeper
    prefix (H01M10/0525 shares H01M10 with H01M10/052)."""
    prefixes = list(prefixes)
    shared = []
    for code in codes:
        levels = ipc_levels(code)
        group = _group(code)
        if any(prefix in levels or (len(ipc_levels(prefix)) > 3 and _group(prefix) == group) for prefix in prefixes):
            shared.append(group)
    return list(dict.fromkeys(shared))


def budget_fit(price: Decimal | None, low: Decimal | None, high: Decimal | None) -> str:
    """Where the asking price sits against the budget: a key of BUDGET_LABELS."""
    if low is None and high is None:
        return "any"
    if price is None:
        return "negotiable"
    if high is not None and price > high:
        return "above"
    if low is not None and price < low:
        return "below"
    return "within"


def explain(profile: DemandProfile, document: ListingDocument, words: Sequence[str] | None = None) -> Explanation:
    """Why (and whether) the listing of ``document`` matches the demand."""
    text = listing_text(document)
    return Explanation(
        matched_terms=tuple(word for word in (profile.words if words is None else words) if word in text),
        ipc_groups=tuple(shared_ipc_groups(profile.ipc_prefixes, document.ipc_codes)),
        budget=budget_fit(document.asking_price, profile.budget_min, profile.budget_max),
        mode_match=document.mode in profile.wanted_modes,
        region_match=document.city in profile.regions if profile.regions else None,
        industry_match=profile.industry in document.industries if profile.industry else None,
    )


def _budget_signal(explanation: Explanation, price: Decimal | None, high: Decimal | None) -> float:
    if explanation.budget == "above":
        return float(high / price)
    return 0.5 if explanation.budget == "negotiable" else 1.0


def score_signals(explanation: Explanation, *, text: float, engine: float, with_ipc: bool, price: Decimal | None,
                  budget_max: Decimal | None) -> tuple[Decimal, dict[str, float]]:
    """The score (0–100, one decimal) and the value of each signal that applies (see the module docstring)."""
    signals = {"text": text, "engine": engine, "mode": float(explanation.mode_match)}
    if with_ipc:
        signals["ipc"] = float(bool(explanation.ipc_groups))
    if explanation.budget != "any":
        signals["budget"] = _budget_signal(explanation, price, budget_max)
    if explanation.region_match is not None:
        signals["region"] = float(explanation.region_match)
    if explanation.industry_match is not None:
        signals["industry"] = float(explanation.industry_match)
    total = sum(WEIGHTS[name] * value for name, value in signals.items())
    score = Decimal(100 * total / sum(WEIGHTS[name] for name in signals)).quantize(Decimal("0.1"))
    return score, {name: round(value, 4) for name, value in signals.items()}


# -- the engine ----------------------------------------------------------------------------------
@dataclass
class _Probes:
    """What the engine answered: N, each word's hit count, each candidate's rank per word."""

    total: int = 0
    hits: dict[str, int] = field(default_factory=dict)
    ranks: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    candidates: set[int] = field(default_factory=set)

    def idf(self, word: str) -> float:
        return math.log(1 + self.total / max(1, self.hits.get(word, 0)))


def _search(backend: SearchBackend, **fields) -> SearchPage | None:
    try:
        query = SearchQuery(mode=TRADE_MODES, page_size=CANDIDATES_PER_QUERY, with_facets=False, **fields)
    except InvalidSearchQuery:  # a word the query parser refuses (too long): nothing to probe
        return None
    return backend.search(query)


def _probe(backend: SearchBackend, profile: DemandProfile, words: list[str]) -> _Probes:
    probes = _Probes(total=backend.search(SearchQuery(mode=TRADE_MODES, page_size=1, with_facets=False)).total)
    for word in words:
        page = _search(backend, text=word)
        if page is None:
            continue
        probes.hits[word] = page.total
        for rank, hit in enumerate(page.hits, start=1):
            probes.ranks[hit.listing_id][word] = rank
    probes.candidates = set(probes.ranks)
    for prefix in profile.ipc_prefixes:
        page = _search(backend, ipc_prefix=prefix)
        probes.candidates |= {hit.listing_id for hit in page.hits} if page else set()
    return probes


def match_demand(demand: Demand | DemandProfile, *, limit: int = 10, backend: SearchBackend | None = None,
                 listing_ids: Iterable[int] | None = None, rules: MatchRules = RULES) -> list[Match]:
    """The published listings that best match ``demand``, best first, each with its score and reasons;
    none below ``rules.min_score``.

    ``listing_ids`` restricts the answer to these listings (to explain a given proposal).
    """
    profile = demand if isinstance(demand, DemandProfile) else DemandProfile.of(demand)
    probes = _probe(backend or get_search_backend(), profile, demand_words(profile.text, generic=rules.generic))
    # Words found in too many listings are generic in this corpus: they neither count nor weigh.
    words = [word for word in probes.hits
             if probes.hits[word] <= max(GENERIC_MIN_HITS, rules.generic_share * probes.total)]
    candidates = probes.candidates if listing_ids is None else probes.candidates & set(listing_ids)
    listings = (Listing.objects.filter(pk__in=candidates, state=ListingState.PUBLISHED)
                .exclude(organisation_id=profile.organisation_id))
    idf = {word: probes.idf(word) for word in words}
    best = sum(value / (RRF_K + 1) for value in idf.values()) or 1.0
    matches = []
    for document in documents_for(listings):
        explanation = explain(profile, document, words)
        if not explanation.is_match:
            continue
        ranks = probes.ranks.get(document.listing_id, {})
        text = sum(idf[word] for word in explanation.matched_terms) / (sum(idf.values()) or 1.0)
        if text < rules.min_text_share and not explanation.ipc_groups:
            continue
        engine = sum(idf[word] / (RRF_K + rank) for word, rank in ranks.items() if word in idf) / best
        score, signals = score_signals(explanation, text=text, engine=engine, with_ipc=bool(profile.ipc_prefixes),
                                       price=document.asking_price, budget_max=profile.budget_max)
        matches.append(Match(listing_id=document.listing_id, title=document.title, holder=document.holder,
                             city=document.city, mode=document.mode, asking_price=document.asking_price,
                             score=score, explanation=explanation, signals=signals, ranks=dict(ranks)))
    matches = [match for match in matches if match.score >= rules.min_score]
    matches.sort(key=lambda m: (-m.score, -m.signals["engine"], m.listing_id))
    return matches[:limit]
