"""The bank's collateral review of a pledge application, and the Excel export of its queue.

For each patent of the package: the value range (the latest stored valuation, else the valuation
module's quick estimate), its score, the remaining term against the debt term, the risk flags and
the registry grounds that hold now; and the pledge-ratio advice of the valuation module
(``valuation.services.pledge_advice``) for this loan's term and this bank's caps. The package's advice
is the sum of the patents' maximum loans (each patent secures the whole debt; the bank decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import Encumbrance, EncumbranceKind, Patent, User
from market.money import ZERO, cny, format_cny
from market.pledges.models import PledgeLoan
from market.pledges.services.precheck import pledge_precheck
from market.rules import Reason
from market.web.labels import pick_half, pick_language
from market.web.sheets import MONEY_FORMAT, PERCENT_FORMAT, Column, table_xlsx
from valuation.quick import quick_estimate
from valuation.selectors import patent_facts, valuations_visible_to
from valuation.services import pledge_advice

CENT = Decimal("0.0001")


@dataclass
class PatentCollateral:
    patent: Patent
    source: str                    # "评估报告 PG…" or "快速估值"
    p10: Decimal
    p50: Decimal
    p90: Decimal
    score: Decimal
    remaining_years: float
    debt_years: float
    flags: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    ratio: Decimal = Decimal("0")
    max_loan: Decimal = ZERO
    lines: list[str] = field(default_factory=list)

    @property
    def term_ok(self) -> bool:
        return self.remaining_years >= self.debt_years


@dataclass
class CollateralSummary:
    rows: list[PatentCollateral]
    p10: Decimal
    p50: Decimal
    p90: Decimal
    max_loan: Decimal
    ratio: Decimal
    lines: list[str]

    def as_dict(self) -> dict:
        return {
            "p10": str(self.p10), "p50": str(self.p50), "p90": str(self.p90), "recommended_max_amount": str(self.max_loan),
            "recommended_ratio": str(self.ratio), "lines": self.lines,
            "patents": [{"patent": r.patent.pk, "application_number": r.patent.application_number,
                         "title": r.patent.title, "valuation": r.source, "p10": str(r.p10), "p50": str(r.p50),
                         "p90": str(r.p90), "score": str(r.score), "remaining_years": round(r.remaining_years, 2),
                         "debt_years": round(r.debt_years, 2), "term_ok": r.term_ok, "risk_flags": r.flags,
                         "reasons": [x.as_dict() for x in r.reasons], "recommended_ratio": str(r.ratio),
                         "recommended_max_amount": str(r.max_loan), "lines": r.lines} for r in self.rows],
        }


def risk_flags(patent: Patent) -> list[str]:
    """What a bank weighs beyond the value: invalidation, fees, co-ownership, licences, open licence, history."""
    in_force = set(Encumbrance.objects.in_force().filter(patent=patent).values_list("kind", flat=True))
    past = Encumbrance.objects.filter(patent=patent, kind=EncumbranceKind.PLEDGE, released_at__isnull=False).count()
    owners = patent.ownerships.count()
    flags = [
        (patent.invalidation_pending, "无效宣告请求审查中 / Invalidation request pending"),
        (patent.annual_fee_overdue, "年费处于滞纳期 / Annual fee in the grace period"),
        (owners > 1, f"共有专利（{owners}个专利权人） / Co-owned ({owners} holders)"),
        (bool(in_force & {EncumbranceKind.EXCLUSIVE_LICENCE, EncumbranceKind.SOLE_LICENCE}),
         "存在有效的独占或排他许可 / An exclusive or sole licence is in force"),
        (EncumbranceKind.OPEN_LICENCE in in_force, "已作开放许可声明 / Open-licence declaration"),
        (past > 0, f"曾质押{past}次（已注销） / Pledged {past} time(s) before"),
    ]
    return [label for on, label in flags if on]


def _value(patent: Patent, user: User | None) -> tuple[str, Decimal, Decimal, Decimal, Decimal]:
    """The latest stored valuation the user may see, else the quick estimate."""
    stored = valuations_visible_to(user).filter(patent=patent).order_by("-created_at", "-pk").first()
    if stored is not None:
        return f"评估 {stored.number} / Valuation {stored.number}", stored.p10, stored.p50, stored.p90, stored.score
    quick = quick_estimate(patent)
    source = ("注册商标无快速估值，请委托正式评估 / a mark has no quick value: order a formal valuation"
              if patent.is_trademark else "快速估值 / quick estimate")
    return source, cny(quick["p10"]), cny(quick["p50"]), cny(quick["p90"]), Decimal(str(round(quick["score"], 1)))


def collateral_summary(loan: PledgeLoan, *, user: User | None) -> CollateralSummary:
    """The review of ``loan``'s collateral as its bank sees it (see the module docstring)."""
    today = timezone.localdate()
    debt_years = loan.term / 12
    patents = list(loan.patents.order_by("application_number"))
    checks = {c.patent.pk: c for c in pledge_precheck(applicant=loan.applicant, patents=patents,
                                                      term_months=loan.term, loan=loan)}
    facts = {f.patent_id: f for f in patent_facts(patents, on=today)}
    rows = []
    for patent in patents:
        source, p10, p50, p90, score = _value(patent, user)
        advice = pledge_advice(patent=patent, facts=facts[patent.pk], p10=p10, p50=p50, score=float(score),
                               loan_term_years=debt_years, on=today, bank_credit_code=loan.bank.credit_code,
                               pledgor_id=loan.applicant_id)
        check = checks[patent.pk]
        rows.append(PatentCollateral(
            patent=patent, source=source, p10=p10, p50=p50, p90=p90, score=score,
            remaining_years=patent.remaining_years(today), debt_years=debt_years, flags=risk_flags(patent),
            reasons=check.blocking + check.to_cure, ratio=advice.ratio, max_loan=advice.max_loan,
            lines=list(advice.lines)))
    total = {name: cny(sum((getattr(r, name) for r in rows), ZERO)) for name in ("p10", "p50", "p90", "max_loan")}
    ratio = (total["max_loan"] / total["p50"]).quantize(CENT) if total["p50"] > ZERO else Decimal("0.0000")
    asked = loan.amount or loan.amount_requested
    money = {name: format_cny(value) for name, value in total.items()}
    lines = [_("质押物合计 P10 %(p10)s，P50 %(p50)s，P90 %(p90)s") % money,
             _("建议最高贷款额 = 各专利建议额之和 %(max_loan)s，折合质押率 %(ratio)s")
             % {"max_loan": money["max_loan"], "ratio": f"{ratio:.2%}"},
             (_("申请金额 %(amount)s，超过建议最高额") if asked > total["max_loan"] else _("申请金额 %(amount)s，在建议额度内"))
             % {"amount": format_cny(asked)}]
    return CollateralSummary(rows=rows, p10=total["p10"], p50=total["p50"], p90=total["p90"],
                             max_loan=total["max_loan"], ratio=ratio, lines=lines)


def queue_workbook(loans: list[PledgeLoan], *, user: User | None) -> bytes:
    """The bank's queue as an .xlsx workbook: one row per application with its collateral summary."""
    columns = [Column(_("申请编号"), 16), Column(_("申请人"), 28), Column(_("状态"), 12), Column(_("提交日"), 12),
               Column(_("质押物"), 30, wrap=True), Column(_("申请金额"), 14, MONEY_FORMAT), Column(_("期限(月)"), 8),
               Column(_("还款方式"), 14), Column("P10", 14, MONEY_FORMAT), Column("P50", 14, MONEY_FORMAT),
               Column("P90", 14, MONEY_FORMAT), Column(_("建议质押率"), 10, PERCENT_FORMAT),
               Column(_("建议最高额"), 14, MONEY_FORMAT), Column(_("风险提示"), 40, wrap=True),
               Column(_("登记障碍"), 40, wrap=True)]
    rows = []
    for loan in loans:
        summary = collateral_summary(loan, user=user)
        flags = "；".join(sorted({f"{r.patent.application_number} {pick_half(flag)}" for r in summary.rows
                                 for flag in r.flags}))
        grounds = "；".join(pick_half(reason.message) for r in summary.rows for reason in r.reasons)
        rows.append((loan.number, loan.applicant.name, pick_language(loan.get_state_display()),
                     timezone.localtime(loan.created_at).strftime("%Y-%m-%d"),
                     "、".join(p.application_number for p in loan.patents.order_by("application_number")),
                     loan.amount_requested, loan.term_months, pick_language(loan.get_repayment_plan_display()),
                     summary.p10, summary.p50, summary.p90, summary.ratio, summary.max_loan, flags, grounds))
    return table_xlsx(_("质押融资审查队列"), columns, rows)
