"""Pledge-ratio advice (质押率建议): a ratio in [0, 50%], a maximum loan and the lines that explain it.

There is no national rule for the ratio (observed 10%-60% of the appraised value); the bank
decides. The advice is built in steps, each one a line of the explanation:

1. a patent that may not be pledged (a registry ground of refusal) gets 0;
2. no value, or a loan term past the remaining term, gets 0;
3. base ratio from the score: 50% × clamp((score − 30) / 60, 0, 1) (0 at 30 points, 50% at 90);
4. × (0.5 + 0.5 × P10 / P50): a wide range lowers it;
5. × one factor per risk flag (``RISK_FACTORS``);
6. × min(1, 0.5 + share of the term left after the loan ends);
7. capped by the bank's cap for the patent's kind and by the 50% ceiling;
8. maximum loan = min(ratio × P50, P10), rounded down to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from market.money import CENT, cny

from .facts import PatentFacts

CEILING = 0.50
# Risk flags a pledgeable patent may still carry, with their multiplier (verify).
RISK_FACTORS: dict[str, tuple[float, str]] = {
    "invalidation_pending": (0.5, "无效宣告请求审查中（双方已知情确认） / Invalidation request pending (confirmed by "
                                  "both parties)"),
    "co_owned": (0.9, "共有专利，处置须协调共有人 / Co-owned: disposal needs the co-owners"),
    "exclusive_licence": (0.85, "存在独占或排他许可，受让人受许可约束 / An exclusive or sole licence binds a buyer"),
    "not_implemented": (0.9, "未声明实施，变现依赖转让 / Not implemented: realisation depends on a sale"),
}
KIND_LABELS = {"invention": ("发明专利", "inventions"), "utility_model": ("实用新型", "utility models"),
               "design": ("外观设计", "designs"), "trademark": ("注册商标", "registered marks")}
ADVICE_ONLY = "本建议仅供参考，由银行最终决定 / This is advice: the bank decides"


@dataclass(frozen=True)
class PledgeAdvice:
    ratio: Decimal
    max_loan: Decimal
    lines: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"ratio": str(self.ratio), "max_loan": str(self.max_loan), "lines": self.lines, "flags": self.flags}


def risk_flags(facts: PatentFacts) -> list[str]:
    """The ``RISK_FACTORS`` flags that apply to a patent."""
    return [name for name, on in (("invalidation_pending", facts.invalidation_pending),
                                  ("co_owned", facts.owners_count > 1),
                                  ("exclusive_licence", facts.exclusive_licensed),
                                  ("not_implemented", not facts.implemented)) if on]


def _zero(lines: list[str], flags: Sequence[str]) -> PledgeAdvice:
    return PledgeAdvice(Decimal("0.0000"), cny(0), lines + [ADVICE_ONLY], list(flags))


def recommend_pledge_ratio(*, p10: float | Decimal, p50: float | Decimal, score: float, kind: str,
                           remaining_years: float, loan_term_years: float, risk_flags: Sequence[str] = (),
                           pledgeable: bool = True, blockers: Sequence[str] = (), caps: Mapping[str, float],
                           ceiling: float = CEILING) -> PledgeAdvice:
    """The advised pledge ratio and maximum loan, with one explanation line per step."""
    p10, p50 = float(p10), float(p50)
    flags = [flag for flag in risk_flags if flag in RISK_FACTORS]
    if not pledgeable:
        return _zero(["不可质押，建议质押率为 0 / May not be pledged: advised ratio 0"]
                     + [f"· {reason}" for reason in blockers], flags)
    if p50 <= 0:
        return _zero(["评估价值为 0，建议质押率为 0 / The value is 0: advised ratio 0"], flags)
    if loan_term_years > remaining_years:
        return _zero([f"贷款期限 {loan_term_years:g} 年超过剩余保护期 {remaining_years:.1f} 年，不可质押 / The loan "
                      f"term ({loan_term_years:g} years) exceeds the remaining term ({remaining_years:.1f} years)"], flags)
    lines = []
    ratio = ceiling * min(1.0, max(0.0, (score - 30.0) / 60.0))
    lines.append(f"综合评分 {score:.1f} 分 → 基础质押率 {ratio:.1%}（30 分为 0，90 分及以上为 {ceiling:.0%}） / "
                 f"Score {score:.1f} → base ratio {ratio:.1%}")
    spread = min(1.0, max(0.0, p10 / p50))
    ratio *= 0.5 + 0.5 * spread
    lines.append(f"价值区间 P10/P50 = {spread:.2f} → ×{0.5 + 0.5 * spread:.3f} / Range P10/P50 = {spread:.2f}")
    for flag in flags:
        factor, label = RISK_FACTORS[flag]
        ratio *= factor
        zh, en = label.split(" / ")
        lines.append(f"风险提示：{zh} → ×{factor:.2f} / Risk: {en} → ×{factor:.2f}")
    left_share = (remaining_years - loan_term_years) / remaining_years
    term_factor = min(1.0, 0.5 + left_share)
    ratio *= term_factor
    lines.append(f"贷款到期时剩余保护期占 {left_share:.0%} → ×{term_factor:.2f} / {left_share:.0%} of the term is "
                 f"left when the loan ends")
    cap = min(float(caps.get(kind, ceiling)), ceiling)
    if ratio > cap:
        zh, en = KIND_LABELS.get(kind, (kind, kind))
        lines.append(f"银行对{zh}的质押率上限 {cap:.0%} / The bank's cap for {en} is {cap:.0%}")
        ratio = cap
    ratio_decimal = min(Decimal(str(round(ratio, 4))), Decimal(str(cap)).quantize(Decimal("0.0001")))
    max_loan = min(ratio_decimal * Decimal(str(p50)), Decimal(str(p10))).quantize(CENT, ROUND_DOWN)
    max_loan = max(max_loan, cny(0))
    lines.append(f"建议质押率 {ratio_decimal:.2%}，建议最高贷款额 = min(质押率 × P50, P10) = ¥{max_loan:,.2f} / "
                 f"Advised ratio {ratio_decimal:.2%}, maximum loan = min(ratio × P50, P10) = ¥{max_loan:,.2f}")
    return PledgeAdvice(ratio_decimal.quantize(Decimal("0.0001")), max_loan, lines + [ADVICE_ONLY], flags)
