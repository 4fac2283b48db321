"""Demo pledge financing: the demo bank (钱塘银行杭州分行, account ``bank``) with applications and loans in
every state but "settled" (an auction settles it; see the auction demo), and one application to the second
bank. Everything goes through the pledge services. Idempotent: each demo loan has a ``demo_key`` and is
made only when missing, each in its own transaction.

A loan in "defaulted" needs instalments long overdue: its dates are moved back (contract, schedule,
register) after disbursement, as if it had been granted months ago; then the daily overdue task runs and
the bank declares default. The "filed" and "repaid" loans are filed with the registry's automatic
examination off, so they wait for the registry (staff may examine them from the loan page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.test import override_settings

from market.models import Encumbrance, LegalStatus, Patent, User
from market.pledges.models import Instalment, PledgeContract, PledgeLoan, PledgeLoanPatent
from market.pledges.services import applications as apps
from market.pledges.services import loans, registry
from market.pledges.services.monitoring import pledge_monitor_all

# (demo key, holder account, bank account, patents, amount, months, plan, target state)
PLAN = (
    ("submitted", "holder", "bank", 2, 60_000, 24, "equal_principal", "submitted"),
    ("submitted-jx", "holder_jx", "bank", 1, 30_000, 12, "bullet", "submitted"),
    ("info-requested", "holder_jh", "bank", 1, 25_000, 12, "bullet", "info_requested"),
    ("approved", "holder_sx", "bank", 1, 40_000, 12, "equal_principal", "approved"),
    ("rejected", "holder_tz", "bank", 1, 500_000, 36, "bullet", "rejected"),
    ("withdrawn", "holder_wz", "bank", 1, 20_000, 12, "bullet", "withdrawn"),
    ("signed-refused", "holder", "bank", 1, 35_000, 12, "equal_principal", "signed"),
    ("filed", "holder_jx", "bank", 1, 30_000, 12, "bullet", "filed"),
    ("registered", "holder_jh", "bank", 1, 40_000, 12, "equal_principal", "registered"),
    ("disbursed", "holder_sx", "bank", 2, 80_000, 12, "equal_principal", "disbursed"),
    ("repaid", "holder_tz", "bank", 1, 12_000, 3, "equal_principal", "repaid"),
    ("released", "holder_wz", "bank", 1, 15_000, 3, "equal_principal", "released"),
    ("defaulted", "holder", "bank", 1, 50_000, 12, "equal_principal", "defaulted"),
    # disbursed, then its patent is sold with the bank's consent and the price repays it (demo/seed.py)
    ("sold", "holder_jh", "bank", 1, 30_000, 12, "equal_principal", "disbursed"),
    ("other-bank", "holder_jx", "bank2", 1, 20_000, 12, "bullet", "submitted"),
)
ORDER = ("submitted", "approved", "signed", "filed", "registered", "disbursed", "repaid", "released")
PURPOSE = "补充流动资金，采购原材料（演示）"
BACKDATE_DAYS = 120


def _free_patents(holder: User, count: int) -> list[Patent]:
    """Granted patents held by the holder alone, with 5+ years left, unlisted, unencumbered, never in a pledge loan."""
    busy_loans = PledgeLoanPatent.objects.values("patent_id")  # each demo patent in one loan only
    candidates = (Patent.objects.filter(ownerships__organisation=holder.organisation, legal_status=LegalStatus.GRANTED,
                                        invalidation_pending=False, annual_fee_overdue=False, grant_date__isnull=False)
                  .exclude(listings__isnull=False).exclude(encumbrances__isnull=False).exclude(pk__in=busy_loans)
                  .order_by("source", "pk"))
    found = []
    for patent in candidates:
        if patent.ownerships.count() == 1 and patent.remaining_years() > 5:
            found.append(patent)
        if len(found) == count:
            break
    return found


def _backdate(loan: PledgeLoan, days: int) -> None:
    """Move the loan's dates ``days`` back, as if it had been granted then (demo data only)."""
    delta = dt.timedelta(days=days)
    contract = loan.contract()
    PledgeContract.objects.filter(pk=contract.pk).update(start_date=contract.start_date - delta,
                                                         end_date=contract.end_date - delta)
    PledgeLoan.objects.filter(pk=loan.pk).update(disbursed_on=loan.disbursed_on - delta)
    for instalment in loan.instalments.all():
        Instalment.objects.filter(pk=instalment.pk).update(due_date=instalment.due_date - delta)
    for entry in Encumbrance.objects.filter(pledge_loan_patent__loan=loan):
        Encumbrance.objects.filter(pk=entry.pk).update(start_date=entry.start_date - delta,
                                                       end_date=entry.end_date - delta)


def _steps(loan: PledgeLoan, users: dict[str, User], holder: User, banker: User) -> dict[str, Callable]:
    staff = users["staff"]
    key = f"demo-pledge-{loan.pk}"

    def sign() -> None:
        apps.pledge_contract_draft(loan_id=loan.pk, actor=banker)
        apps.pledge_contract_sign(loan_id=loan.pk, actor=banker)
        apps.pledge_contract_sign(loan_id=loan.pk, actor=holder)

    def register() -> None:
        registry.pledge_registry_examine(filing_id=loan.filings.get(state="filed").pk)

    def repay_all() -> None:
        owed = sum((i.outstanding for i in PledgeLoan.objects.get(pk=loan.pk).instalments.all()), Decimal("0"))
        loans.loan_repay(loan_id=loan.pk, actor=holder, amount=owed, idempotency_key=f"{key}-repay-all")

    return {
        "approved": lambda: apps.pledge_approve(loan_id=loan.pk, actor=banker, amount=loan.amount_requested,
                                                rate_percent="3.650", term_months=loan.term_months,
                                                pledge_ratio="0.2500",
                                                above_advice_reason="另有法定代表人连带责任保证（演示）"),
        "signed": sign,
        "filed": lambda: registry.pledge_registration_file(loan_id=loan.pk, actor=holder),
        "registered": register,
        "disbursed": lambda: loans.loan_disburse(loan_id=loan.pk, actor=banker, idempotency_key=f"{key}-disburse"),
        "repaid": repay_all,
        "released": lambda: registry.pledge_registry_examine(filing_id=loan.filings.get(kind="release").pk),
        "refused-once": lambda: (
            registry.pledge_registry_cite_other(loan_id=loan.pk, actor=staff,
                                                reason="质押合同签章页与登记信息不一致（演示）"),
            registry.pledge_registry_examine(
                filing_id=registry.pledge_registration_file(loan_id=loan.pk, actor=holder).pk),
            registry.pledge_registry_clear_other(loan_id=loan.pk, actor=staff)),
        "first-repayment": lambda: loans.loan_repay(
            loan_id=loan.pk, actor=holder, amount=PledgeLoan.objects.get(pk=loan.pk).instalments.get(number=1).outstanding,
            idempotency_key=f"{key}-repay-1"),
        "info": lambda: apps.pledge_request_info(loan_id=loan.pk, actor=banker,
                                                 message="请补充近两年审计报告及专利实施情况说明（演示）"),
        "reject": lambda: apps.pledge_reject(loan_id=loan.pk, actor=banker,
                                             reason="质押物评估价值不足以覆盖申请金额（演示）"),
        "withdraw": lambda: apps.pledge_withdraw(loan_id=loan.pk, actor=holder, reason="已获得其他融资（演示）"),
        "default": lambda: _default(loan, banker),
    }


def _default(loan: PledgeLoan, banker: User) -> None:
    _backdate(PledgeLoan.objects.get(pk=loan.pk), BACKDATE_DAYS)
    loans.loans_mark_overdue()
    loans.loan_declare_default(loan_id=loan.pk, actor=banker,
                               reason="第1期起连续逾期超过宽限期，经催收未还（演示）")


def _run(loan: PledgeLoan, target: str, users: dict[str, User], holder: User, banker: User) -> None:
    steps = _steps(loan, users, holder, banker)
    path = {"info_requested": ["info"], "rejected": ["reject"], "withdrawn": ["withdraw"],
            "defaulted": [*ORDER[1:6], "default"]}.get(target)
    if path is None:
        path = list(ORDER[1:ORDER.index(target) + 1])
    if target == "signed":
        path.append("refused-once")  # the registry refused it once (ground 12, since cleared): file again
    if target == "disbursed":
        path.append("first-repayment")
    for step in path:
        steps[step]()


def seed_pledges(users: dict[str, User]) -> int:
    """Create the demo pledge loans that are missing; returns how many were created."""
    made = 0
    for key, holder_name, bank_name, count, amount, months, plan, target in PLAN:
        if PledgeLoan.objects.filter(demo_key=key).exists():
            continue
        holder, banker = users[holder_name], users[bank_name]
        patents = _free_patents(holder, count)
        if len(patents) < count:
            continue  # this holder has no free patent left in this database: skip the example
        manual = target in ("filed", "repaid")
        with transaction.atomic(), override_settings(MARKET={**settings.MARKET, "PLEDGE_REGISTRY_AUTO_EXAMINE": not manual}):
            loan = apps.pledge_apply(actor=holder, bank_id=banker.organisation_id, patent_ids=[p.pk for p in patents],
                                     amount=amount, term_months=months, purpose=PURPOSE, repayment_plan=plan)
            PledgeLoan.objects.filter(pk=loan.pk).update(demo_key=key)
            _run(loan, target, users, holder, banker)
        made += 1
    if made:
        pledge_monitor_all()
    return made
