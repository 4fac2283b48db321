"""The cockpit's indicators: each one's name, unit, the facts it reads and its arithmetic, stated once.

The facts (stats/facts.py) say which rows count and when; an indicator combines their sums over the chosen
cells: a count, an amount, a rate between two facts, a mean duration, or a balance carried from the first
month on (``stock``). The plan's targets (10万 transfers and licences, 1000亿元 pledge financing a year) are
drawn where an indicator measures what they measure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from market.money import cny

from .facts import FACTS


class Sums(NamedTuple):
    n: int = 0
    amount: Decimal = Decimal("0.00")
    amount2: Decimal = Decimal("0.00")
    seconds: int = 0

    def __add__(self, other: Sums) -> Sums:  # type: ignore[override]
        return Sums(self.n + other.n, self.amount + other.amount, self.amount2 + other.amount2,
                    self.seconds + other.seconds)


Values = dict[str, Sums]  # fact key → its sums over the chosen cells


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    label_en: str
    group: str
    unit: str                              # count / amount (元) / percent / days
    facts: tuple[str, ...]
    formula: Callable[[Values], Decimal | int | None]
    arithmetic: str                        # how the value follows from the facts
    stock: bool = False                    # a balance at the period's end (facts summed from the first month)
    target_per_year: Decimal | None = None
    # The filters under which the plan's target measures the same thing (the transfer target counts patents).
    target_filters: dict = field(default_factory=dict)

    @property
    def has_bank(self) -> bool:
        return all(FACTS[f].bank for f in self.facts)

    @property
    def has_kind(self) -> bool:
        return all(FACTS[f].kind for f in self.facts)

    def definition(self) -> list[str]:
        return [self.arithmetic] + [FACTS[f].definition for f in self.facts]


def _percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _count(*facts: str) -> Callable[[Values], int]:
    return lambda v: sum(v[f].n for f in facts)


def _amount(*facts: str) -> Callable[[Values], Decimal]:
    return lambda v: cny(sum((v[f].amount for f in facts), Decimal(0)))


def _mean_days(fact: str) -> Callable[[Values], Decimal | None]:
    def mean(v: Values) -> Decimal | None:
        s = v[fact]
        return (Decimal(s.seconds) / 86400 / s.n).quantize(Decimal("0.1"), ROUND_HALF_UP) if s.n else None
    return mean


GROUPS = {
    "deals": ("交易", "Deals"),
    "finance": ("质押融资", "Pledge financing"),
    "ipfinance": ("知识产权金融", "IP finance"),
    "open": ("开放许可", "Open licences"),
    "auctions": ("拍卖", "Auctions"),
    "matching": ("供需对接", "Matching"),
    "speed": ("办理时长", "Days to close"),
}

_DEALS = ("transfer", "licence", "takeup")
INDICATORS: dict[str, Indicator] = {i.key: i for i in [
    Indicator("deals", "转让与许可（件）", "Transfers and licences (count)", "deals", "count", _DEALS,
              _count(*_DEALS), "转让、许可合同与开放许可实施件数之和 / Transfers, licence contracts and open-licence "
              "take-ups, added", target_per_year=Decimal(100000), target_filters={"right": "patent"}),
    Indicator("deal_amount", "转让与许可金额（元）", "Transfers and licences (amount)", "deals", "amount", _DEALS,
              _amount(*_DEALS), "转让、许可合同与开放许可实施金额之和 / Their amounts, added"),
    Indicator("transfers", "转让（件）", "Transfers (count)", "deals", "count", ("transfer",),
              _count("transfer"), "件数 / Count"),
    Indicator("transfer_amount", "转让金额（元）", "Transfers (amount)", "deals", "amount", ("transfer",),
              _amount("transfer"), "成交价之和 / Sum of prices"),
    Indicator("licences", "许可合同（件）", "Licence contracts (count)", "deals", "count", ("licence",),
              _count("licence"), "件数 / Count"),
    Indicator("licence_amount", "许可合同金额（元）", "Licence contracts (amount)", "deals", "amount", ("licence",),
              _amount("licence"), "固定许可费之和 / Sum of fixed fees"),
    Indicator("takeups", "开放许可实施（件）", "Open-licence take-ups (count)", "open", "count", ("takeup",),
              _count("takeup"), "件数 / Count"),
    Indicator("takeup_amount", "开放许可实施金额（元）", "Open-licence take-ups (amount)", "open", "amount", ("takeup",),
              _amount("takeup"), "入门费与年许可费之和 / Entry and annual fees, added"),
    Indicator("declarations", "开放许可声明（件）", "Open-licence declarations", "open", "count", ("declaration",),
              _count("declaration"), "件数 / Count"),
    Indicator("loan_applications", "质押融资申请（笔）", "Pledge-loan applications", "finance", "count", ("loan_applied",),
              _count("loan_applied"), "笔数 / Count"),
    Indicator("loan_approvals", "银行批准（笔）", "Approvals", "finance", "count", ("loan_approved",),
              _count("loan_approved"), "笔数 / Count"),
    Indicator("approval_rate", "批准率（%）", "Approval rate (%)", "finance", "percent",
              ("loan_approved", "loan_rejected"),
              lambda v: _percent(v["loan_approved"].n, v["loan_approved"].n + v["loan_rejected"].n),
              "期内批准笔数 ÷（批准 + 拒绝）笔数 / Approvals ÷ (approvals + refusals) decided in the period"),
    Indicator("disbursed", "质押融资放款额（元）", "Pledge financing disbursed (amount)", "finance", "amount",
              ("loan_disbursed",), _amount("loan_disbursed"), "放款金额之和 / Sum of amounts lent",
              target_per_year=Decimal(100_000_000_000)),
    Indicator("loans_disbursed", "放款（笔）", "Loans disbursed (count)", "finance", "count", ("loan_disbursed",),
              _count("loan_disbursed"), "笔数 / Count"),
    Indicator("outstanding", "在贷余额（元）", "Outstanding (amount)", "finance", "amount",
              ("loan_disbursed", "loan_ended"),
              lambda v: cny(v["loan_disbursed"].amount - v["loan_ended"].amount),
              "期末已放款尚未结案贷款的批准金额：历年放款额 − 历年结案额 / At the period's end, the amounts of "
              "loans disbursed and not yet closed: all disbursements to date less all closings", stock=True),
    Indicator("registration_days", "申请至质押登记平均天数", "Days from application to registration", "speed",
              "days", ("loan_registration_days",), _mean_days("loan_registration_days"), "平均值 / Mean"),
    Indicator("defaults", "违约（笔）", "Defaults (count)", "finance", "count", ("loan_defaulted",),
              _count("loan_defaulted"), "笔数 / Count"),
    Indicator("default_rate", "违约率（%）", "Default rate (%)", "finance", "percent",
              ("loan_defaulted", "loan_disbursed"),
              lambda v: _percent(v["loan_defaulted"].n, v["loan_disbursed"].n),
              "期内违约笔数 ÷ 期内放款笔数 / Defaults ÷ disbursements in the period"),
    Indicator("recoveries", "拍卖处置回收额（元）", "Recovered by auction (amount)", "finance", "amount", ("recovery",),
              _amount("recovery"), "偿付债权人价款之和 / Sum paid to creditors"),
    Indicator("recovery_rate", "拍卖回收率（%）", "Recovery rate (%)", "finance", "percent", ("recovery",),
              lambda v: _percent(v["recovery"].amount, v["recovery"].amount2),
              "偿付债权人价款 ÷ 担保债权数额 / Paid to creditors ÷ secured claims"),
    Indicator("risk_schemes", "风险分担方案（个）", "Risk-sharing schemes", "ipfinance", "count", ("risk_scheme",),
              _count("risk_scheme"), "期末已设立的方案个数 / Schemes set up to the period's end", stock=True),
    Indicator("risk_loans", "纳入风险分担的贷款（笔）", "Loans enrolled in a scheme", "ipfinance", "count",
              ("risk_enrolled",), _count("risk_enrolled"), "笔数 / Count"),
    Indicator("risk_loan_amount", "纳入风险分担的贷款金额（元）", "Loans enrolled (amount)", "ipfinance", "amount",
              ("risk_enrolled",), _amount("risk_enrolled"), "批准金额之和 / Sum of amounts approved"),
    Indicator("risk_paid", "风险分担赔付（元）", "Losses shared (amount)", "ipfinance", "amount", ("risk_shared",),
              _amount("risk_shared"), "各参与方实际赔付之和 / Sum of what the participants paid"),
    Indicator("receivable_pledges", "应收账款质押登记（笔）", "Royalty pledges registered", "ipfinance", "count",
              ("receivable_pledged",), _count("receivable_pledged"), "笔数 / Count"),
    Indicator("receivable_secured", "应收账款质押担保金额（元）", "Royalty pledges (secured amount)", "ipfinance",
              "amount", ("receivable_pledged",), _amount("receivable_pledged"),
              "被担保债权数额之和 / Sum of secured amounts"),
    Indicator("receivable_outstanding", "在押应收账款担保金额（元）", "Royalty pledges in force (secured amount)",
              "ipfinance", "amount", ("receivable_pledged", "receivable_discharged"),
              lambda v: cny(v["receivable_pledged"].amount - v["receivable_discharged"].amount),
              "期末登记未注销的被担保债权数额：历年登记 − 历年注销 / At the period's end, the secured amounts of "
              "pledges registered and not discharged", stock=True),
    Indicator("pools_issued", "证券化发行（单）", "Securitisation pools issued", "ipfinance", "count",
              ("pool_issued",), _count("pool_issued"), "单数 / Count"),
    Indicator("pool_size", "证券化发行规模（元）", "Securitisation issued (amount)", "ipfinance", "amount",
              ("pool_issued",), _amount("pool_issued"), "各档次规模之和 / Sum of tranche sizes"),
    Indicator("pool_collections", "证券化回收许可使用费（元）", "Royalties collected by pools", "ipfinance", "amount",
              ("pool_distributed",), _amount("pool_distributed"), "各期回收之和 / Sum of each period's collections"),
    Indicator("auctions", "拍卖结束场次", "Auctions ended", "auctions", "count", ("auction_ended",),
              _count("auction_ended"), "场次 / Count"),
    Indicator("auction_sold_share", "拍卖成交率（%）", "Share of auctions sold (%)", "auctions", "percent",
              ("auction_sold", "auction_ended"),
              lambda v: _percent(v["auction_sold"].n, v["auction_ended"].n),
              "成交场次 ÷ 结束场次 / Sold ÷ ended"),
    Indicator("auction_premium", "成交价高于保留价（%）", "Hammer price over reserve (%)", "auctions", "percent",
              ("auction_sold",),
              lambda v: (None if not v["auction_sold"].amount2 else
                         _percent(v["auction_sold"].amount - v["auction_sold"].amount2, v["auction_sold"].amount2)),
              "（成交价之和 − 保留价之和）÷ 保留价之和 / (Hammer prices − reserves) ÷ reserves"),
    Indicator("demands", "技术需求（项）", "Technology demands", "matching", "count", ("demand",),
              _count("demand"), "项数 / Count"),
    Indicator("proposals", "匹配推荐（次）", "Proposals", "matching", "count", ("proposal",),
              _count("proposal"), "次数 / Count"),
    Indicator("conversion", "推荐转化率（%）", "Proposals turned into deals (%)", "matching", "percent",
              ("proposal_deal", "proposal"),
              lambda v: _percent(v["proposal_deal"].n, v["proposal"].n),
              "期内由推荐发起的交易数 ÷ 期内推荐次数 / Deals opened from proposals ÷ proposals in the period"),
    Indicator("transfer_deal_days", "转让：洽谈至提交登记平均天数", "Transfer: days to file", "speed", "days",
              ("transfer_deal_days",), _mean_days("transfer_deal_days"), "平均值 / Mean"),
    Indicator("transfer_registry_days", "转让：登记审查平均天数", "Transfer: days at the register", "speed", "days",
              ("transfer_registry_days",), _mean_days("transfer_registry_days"), "平均值 / Mean"),
]}
