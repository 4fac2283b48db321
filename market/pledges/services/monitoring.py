"""Monitoring of pledged patents: each event raises one alert on the bank's monitoring page and one
notification (in-app, and e-mail after commit), never twice.

Checked daily for every loan whose pledge is on the register (beat task) and after every change of a
pledged patent or a new valuation of it (``market.pledges.models`` queues ``pledge_monitor_patent_task``):
annual fee due within ``MARKET["PLEDGE_MONITOR_FEE_DAYS"]`` days or overdue; an invalidation request
filed; a change of legal status; the patent's term ending before the debt; a revaluation whose P10
(summed over the package) falls below the outstanding debt. The event identity is the alert's ``key``:
the fee's due date, the status reached, the valuation, or — for a condition that can end and recur —
its occurrence number; a condition that ends clears its alert.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from market.models import LegalStatus, Patent, TransitionLog, User
from market.money import ZERO, cny, format_cny
from market.pledges.models import PLEDGED_STATES, InstalmentStatus, PledgeAlert, PledgeAlertKind, PledgeLoan
from market.pledges.services.common import require_party
from market.rules import Reason, RuleViolation
from market.web.labels import pick_language
from notifications.services import notify
from valuation.models import Valuation

K = PledgeAlertKind
# Kinds the holder is told about as well as the bank (it can act on them).
HOLDER_KINDS = (K.ANNUAL_FEE_DUE, K.ANNUAL_FEE_OVERDUE, K.INSTALMENT_OVERDUE)


def alert_url(loan: PledgeLoan) -> str:
    """Where a notified party reads the alert: the loan's page, which the bank and the holder may both open
    (the bank's monitoring page is the bank's alone)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("frontend:pledge_detail", args=[loan.pk]) + "#alerts"
    except NoReverseMatch:
        return ""


def alert_raise(*, loan: PledgeLoan, kind: str, key: str, message: str, patent: Patent | None = None,
                notify_applicant: bool = False) -> PledgeAlert | None:
    """Record event ``key`` once and notify the bank (and the holder); None if it was raised before."""
    try:
        with transaction.atomic():
            alert = PledgeAlert.objects.create(loan=loan, patent=patent, kind=kind, key=key, message=message)
    except IntegrityError:
        return None  # raised already (or at this very moment by another run)
    label = PledgeAlertKind(kind).label.split(" ")[0]
    subject = f"{patent.application_number} " if patent else ""
    orgs = [loan.bank, loan.applicant] if notify_applicant or kind in HOLDER_KINDS else [loan.bank]
    notify(key=f"pledge-alert:{key}", kind="pledge_alert", title=f"贷后预警：{subject}{label}（{loan.number}）",
           body=message, url=alert_url(loan), organisations=orgs)
    return alert


def _open(loan: PledgeLoan, patent: Patent | None, kind: str):
    return PledgeAlert.objects.filter(loan=loan, patent=patent, kind=kind, cleared_at__isnull=True)


def _sync(loan: PledgeLoan, patent: Patent | None, kind: str, *, active: bool, message: str = "",
          event: str | None = None) -> PledgeAlert | None:
    """Keep one open alert of ``kind`` while the condition holds; clear it when it ends.

    ``event`` names the event (a due date, a status, a valuation); without it the event is the
    condition's next occurrence, so a condition that ends and comes back is a new event.
    """
    base = f"loan:{loan.pk}:patent:{patent.pk if patent else 0}:{kind}"
    open_alerts = _open(loan, patent, kind)
    if not active:
        open_alerts.update(cleared_at=timezone.now())
        return None
    if event is None:
        if open_alerts.exists():
            return None
        event = str(PledgeAlert.objects.filter(loan=loan, patent=patent, kind=kind).count() + 1)
    key = f"{base}:{event}"
    open_alerts.exclude(key=key).update(cleared_at=timezone.now())
    return alert_raise(loan=loan, kind=kind, key=key, message=message, patent=patent)


def next_annual_fee_due(patent: Patent, today: dt.date) -> dt.date | None:
    """When the next annual fee falls due: the day after the paid-up period, else the next filing anniversary
    (fees are due before each patent year starts); None when the term ends first."""
    if patent.annual_fee_paid_until:
        due = patent.annual_fee_paid_until + dt.timedelta(days=1)
    else:
        years = relativedelta(today, patent.filing_date).years
        due = patent.filing_date + relativedelta(years=years)
        if due < today:
            due = patent.filing_date + relativedelta(years=years + 1)
    return due if due <= patent.expiry_date else None


def _debt_end(loan: PledgeLoan) -> dt.date | None:
    contract = loan.contract()
    return contract.end_date if contract else None


def _check_patent(loan: PledgeLoan, patent: Patent, today: dt.date) -> list[PledgeAlert]:
    raised = []
    due = next_annual_fee_due(patent, today)
    overdue = patent.annual_fee_overdue or (due is not None and due < today)
    # past a known due date the event is that date; a grace-period flag alone is an occurrence
    late_since = due if due is not None and due < today else None
    raised.append(_sync(loan, patent, K.ANNUAL_FEE_OVERDUE, active=overdue, event=str(late_since) if late_since else None,
                        message="年费逾期未缴（滞纳期内），滞纳期满仍未缴纳的专利权终止 / Annual fee overdue"))
    soon = not overdue and due is not None and (due - today).days <= settings.MARKET["PLEDGE_MONITOR_FEE_DAYS"]
    raised.append(_sync(loan, patent, K.ANNUAL_FEE_DUE, active=soon, event=f"{due}",
                        message=f"年费应于 {due} 前缴纳（{(due - today).days if due else 0} 天后） / Annual fee due {due}"))
    raised.append(_sync(loan, patent, K.INVALIDATION, active=patent.invalidation_pending,
                        message="有人提出无效宣告请求，质押专利的有效性存在风险 / An invalidation request was filed"))
    status_changed = patent.legal_status != LegalStatus.GRANTED
    status = patent.get_legal_status_display()
    raised.append(_sync(loan, patent, K.LEGAL_STATUS, active=status_changed, event=patent.legal_status,
                        message=f"法律状态变为“{pick_language(status, 'zh-hans')}” / Legal status is now "
                                f"{pick_language(status, 'en').lower()}"))
    end = _debt_end(loan)
    right = "注册商标专用权" if patent.is_trademark else "专利权"
    raised.append(_sync(loan, patent, K.TERM_BEFORE_DEBT, active=bool(end and patent.expiry_date < end),
                        message=f"{right}期限 {patent.expiry_date} 早于债务届满日 {end} / The right's term ends "
                                f"before the debt ({end})"))
    return raised


def _check_value(loan: PledgeLoan, patents: list[Patent]) -> PledgeAlert | None:
    """A revaluation: the P10 of the package's latest stored valuations below the debt still owed."""
    latest = [Valuation.objects.filter(patent=p).order_by("-created_at", "-pk").first() for p in patents]
    debt = loan.outstanding_principal() if loan.disbursed_on else (loan.amount or ZERO)
    if not patents or any(v is None for v in latest) or debt <= ZERO:
        return None
    p10 = cny(sum((v.p10 for v in latest), ZERO))
    newest = max(v.pk for v in latest)
    return _sync(loan, None, K.VALUE_BELOW_DEBT, active=p10 < debt, event=f"valuation-{newest}",
                 message=f"重估后质押专利P10合计 {format_cny(p10)}，低于未偿债务 {format_cny(debt)} / The revalued P10 "
                         f"({format_cny(p10)}) is below the debt still owed ({format_cny(debt)})")


def pledge_monitor_loan(*, loan_id: int, today: dt.date | None = None) -> list[PledgeAlert]:
    """Check one loan's pledged patents now; returns the alerts raised now (each event raised once ever)."""
    today = today or timezone.localdate()
    loan = PledgeLoan.objects.select_related("applicant", "bank").get(pk=loan_id)
    if loan.state not in PLEDGED_STATES:
        return []
    patents = list(loan.pledged_patents())
    raised = [alert for patent in patents for alert in _check_patent(loan, patent, today)]
    raised.append(_check_value(loan, patents))
    return [alert for alert in raised if alert is not None]


def pledge_monitor_patent(*, patent_id: int, today: dt.date | None = None) -> list[PledgeAlert]:
    """After a change of a patent (or a new valuation of it): check the loans that pledge it."""
    loans = (PledgeLoan.objects.filter(state__in=PLEDGED_STATES, pledgeloanpatent__patent_id=patent_id,
                                       pledgeloanpatent__released_at__isnull=True).values_list("pk", flat=True))
    return [alert for loan_id in loans for alert in pledge_monitor_loan(loan_id=loan_id, today=today)]


def pledge_monitor_all(*, today: dt.date | None = None) -> int:
    """Daily: check every loan whose pledge is on the register; returns how many alerts were raised."""
    loans = PledgeLoan.objects.filter(state__in=PLEDGED_STATES).values_list("pk", flat=True)
    return sum(len(pledge_monitor_loan(loan_id=loan_id, today=today)) for loan_id in loans)


def alerts_clear_paid(loan: PledgeLoan) -> None:
    """Clear the overdue alerts of instalments now paid (inside the repayment's transaction)."""
    paid = loan.instalments.filter(status=InstalmentStatus.PAID).values_list("pk", flat=True)
    keys = [f"loan:{loan.pk}:instalment:{pk}:overdue" for pk in paid]
    PledgeAlert.objects.filter(loan=loan, key__in=keys, cleared_at__isnull=True).update(cleared_at=timezone.now())



def alert_acknowledge(*, alert_id: int, actor: User, note: str = "") -> PledgeAlert:
    """The loan's bank takes the alert in hand (with what it does about it); acknowledging again changes
    nothing. A cleared alert needs no acknowledgement: refused with the reason."""
    with transaction.atomic():
        alert = PledgeAlert.objects.select_for_update().select_related("loan").get(pk=alert_id)
        require_party(alert.loan, actor, "bank")
        if alert.acknowledged_at is not None:
            return alert
        if alert.cleared_at is not None:
            raise RuleViolation(Reason("alert_cleared", "monitoring",
                                       "预警已解除，无需确认 / The alert has cleared: nothing to acknowledge"))
        alert.acknowledged_at, alert.acknowledged_by, alert.acknowledgement_note = timezone.now(), actor, note[:300]
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
        TransitionLog.record(alert, transition="acknowledge", from_state="open", to_state="acknowledged",
                             actor=actor, reason=note[:300])
    return alert
