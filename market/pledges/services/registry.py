"""Pledge registration and release (注销) with a registry simulated inside the platform.

Filing: once both sides signed the contract, either files; the platform files the 专利权质押登记申请表
(PDF) and the registry examines it after commit (a Celery task; a daily sweep decides anything still
open by its due date, ``MARKET["PLEDGE_REGISTRY_DECISION_WORKING_DAYS"]`` working days — Monday to
Friday, no holiday calendar — after the filing). Examination applies the twelve grounds of
``market.pledges.registry_rules``: refused with the grounds (the loan goes back to "signed"; the
parties cure and file again, the clock restarts) or registered: only now the encumbrance register
shows the pledge (one PLEDGE entry per patent, beneficiary the bank, secured amount, end of the debt
term) and the 专利权质押登记通知书 is issued. A release filing clears the register the same way.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from market.models import DocumentKind, Encumbrance, EncumbranceKind, Patent, TransitionLog, User
from market.pledges import locks as pledge_locks
from market.pledges import tasks
from market.pledges.models import (
    PRE_REGISTRATION_STATES,
    PledgeFiling,
    PledgeFilingKind,
    PledgeFilingState,
    PledgeLoan,
    PledgeLoanPatent,
    PledgeLoanState,
)
from market.pledges.registry_rules import numbered, registration_blockers
from market.services.documents import document_request
from market.services.errors import state_refusal
from market.services.queue import enqueue
from market.services.transitions import apply_transition
from market.signals import patent_changed

from .common import loan_notify, require_party, require_staff

REGISTRY_NAME = "国家知识产权局（平台模拟登记系统）"


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day (Monday to Friday) after ``day``."""
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _request_document(filing: PledgeFiling, kind: str) -> None:
    document_request(deal=filing, kind=kind)


def _queue_examination(filing_id: int) -> None:
    """The registry examines after commit, unless ``MARKET["PLEDGE_REGISTRY_AUTO_EXAMINE"]`` is off: then staff
    examine from the loan page, or the daily sweep decides on the due date."""
    if not settings.MARKET.get("PLEDGE_REGISTRY_AUTO_EXAMINE", True):
        return
    enqueue(tasks.pledge_registry_examine_task, filing_id)


def _file(loan: PledgeLoan, *, kind: str, patents: list[Patent], actor: User | None, reason: str = "") -> PledgeFiling:
    """Create the filing (inside the caller's transaction, the loan locked), its document, and queue its examination."""
    due = working_days_after(timezone.localdate(), settings.MARKET["PLEDGE_REGISTRY_DECISION_WORKING_DAYS"])
    filing = PledgeFiling.objects.create(
        loan=loan, kind=kind, contract=loan.contract() if kind == PledgeFilingKind.REGISTRATION else None,
        reason=reason, filed_by=actor, decision_due=due)
    filing.patents.set(patents)
    numbers = "、".join(p.application_number for p in patents)
    what = filing.get_kind_display().split(" ")[0]
    TransitionLog.record(filing, transition="file", from_state="", to_state=filing.state, actor=actor,
                         reason=f"提交{what}：{numbers}，审查期限 {filing.decision_due:%Y-%m-%d}")
    _request_document(filing, DocumentKind.PLEDGE_REGISTRATION if kind == PledgeFilingKind.REGISTRATION
                      else DocumentKind.PLEDGE_RELEASE)
    _queue_examination(filing.pk)
    return filing


def pledge_registration_file(*, loan_id: int, actor: User) -> PledgeFiling:
    """Pledgor and pledgee apply jointly: either side files the registration of the signed contract."""
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        require_party(loan, actor, "applicant", "bank")
        if loan.state != PledgeLoanState.SIGNED:
            raise state_refusal(loan, "申请质押登记")
        filing = _file(loan, kind=PledgeFilingKind.REGISTRATION, patents=list(loan.pledged_patents()), actor=actor)
        apply_transition(loan, "file_registration", actor=actor, label="申请质押登记",
                         reason=f"已向登记机关提交质押登记申请 {filing.number}")
    return filing


def pledge_release_file(*, loan: PledgeLoan, patents: list[Patent], actor: User | None, reason: str) -> PledgeFiling:
    """File the release (注销) of ``patents`` of a locked loan (inside the caller's transaction)."""
    return _file(loan, kind=PledgeFilingKind.RELEASE, patents=patents, actor=actor, reason=reason)


def _registration_number(filing: PledgeFiling, today: dt.date) -> str:
    return f"Y{today:%Y}33{filing.pk:08d}"


def _register_pledge(loan: PledgeLoan, filing: PledgeFiling, actor: User | None) -> None:
    today = timezone.localdate()
    number = _registration_number(filing, today)
    contract = filing.contract
    for link in PledgeLoanPatent.objects.filter(loan=loan, patent__in=filing.patents.all()).select_related("patent"):
        link.encumbrance = Encumbrance.objects.create(
            patent=link.patent, kind=EncumbranceKind.PLEDGE, beneficiary=loan.bank, start_date=today,
            end_date=contract.end_date, secured_amount=contract.principal, registration_number=number,
            note=f"专利权质押登记（质押融资 {loan.number}）")
        link.save(update_fields=["encumbrance"])
        patent_changed(link.patent_id)
    apply_transition(filing, "register", actor=actor, registration_number=number,
                     reason=f"准予登记，登记号 {number} / Registered")
    log = apply_transition(loan, "register", actor=actor, label="质押登记",
                           reason=f"质押登记已生效，登记号 {number}，质押自登记时设立（民法典第四百四十四条）")
    _request_document(filing, DocumentKind.PLEDGE_NOTICE)
    loan_notify(loan, event=f"log:{log.pk}", title="专利权质押已登记", body=f"登记号 {number}",
                to=[loan.applicant, loan.bank])


def _refuse(loan: PledgeLoan, filing: PledgeFiling, reasons, actor: User | None) -> None:
    grounds = numbered(reasons)
    summary = "；".join(f"第{g['ground']}项：{g['message']}" for g in grounds)
    apply_transition(filing, "refuse", actor=actor, grounds=grounds, reason=f"不予登记。{summary}")
    log = apply_transition(loan, "registration_refused", actor=actor, label="不予登记",
                           reason=f"登记机关不予登记（{filing.number}）。{summary}")
    loan_notify(loan, event=f"log:{log.pk}", title="质押登记被驳回", body=summary, to=[loan.applicant, loan.bank])


def _register_release(loan: PledgeLoan, filing: PledgeFiling, actor: User | None) -> None:
    now = timezone.now()
    number = _registration_number(filing, timezone.localdate(now))
    for link in PledgeLoanPatent.objects.filter(loan=loan, patent__in=filing.patents.all(), released_at__isnull=True):
        if link.encumbrance_id:
            Encumbrance.objects.filter(pk=link.encumbrance_id, released_at__isnull=True).update(released_at=now)
        link.released_at = now
        link.save(update_fields=["released_at"])
        patent_changed(link.patent_id)
    apply_transition(filing, "register", actor=actor, registration_number=number,
                     reason=f"注销登记，登记号 {number} / Release registered")
    numbers = "、".join(filing.patents.values_list("application_number", flat=True))
    if loan.state == PledgeLoanState.REPAID and not loan.pledged_patents().exists():
        log = apply_transition(loan, "release", actor=actor, label="注销质押",
                               reason=f"债务已清偿，质押登记已注销（{numbers}），登记号 {number}")
    else:
        log = TransitionLog.record(loan, transition="partial_release", from_state=loan.state, to_state=loan.state,
                                   actor=actor, reason=f"经质权人同意，部分专利质押已注销：{numbers}，登记号 {number}")
    loan_notify(loan, event=f"log:{log.pk}", title="专利权质押已注销", body=numbers, to=[loan.applicant, loan.bank])


def pledge_registry_examine(*, filing_id: int, actor: User | None = None,
                            refuse_decided: bool = False) -> PledgeFiling:
    """The registry decides a filing: registration against all twelve grounds, or a release.

    ``actor`` None is the registry itself. A decided filing is returned as it is (the sweep and a retried task
    may come twice), or refused with ``refuse_decided`` (staff asking again learn it was decided: 409).
    """
    loan_id = PledgeFiling.objects.values_list("loan_id", flat=True).get(pk=filing_id)
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)          # lock order: loan, then its filing
        filing = pledge_locks.pledge_filing(filing_id)
        if filing.state != PledgeFilingState.FILED:
            if refuse_decided:
                raise state_refusal(filing, "审查")
            return filing
        if filing.kind == PledgeFilingKind.RELEASE:
            _register_release(loan, filing, actor)
        elif reasons := registration_blockers(loan, filing.contract):
            _refuse(loan, filing, reasons, actor)
        else:
            _register_pledge(loan, filing, actor)
    return filing


def pledge_registry_examine_as_staff(*, filing_id: int, actor: User) -> PledgeFiling:
    """Trading-centre staff run the registry's examination now (e.g. when the worker is down)."""
    require_staff(actor)
    return pledge_registry_examine(filing_id=filing_id, actor=actor, refuse_decided=True)


def pledge_registry_cite_other(*, loan_id: int, actor: User, reason: str) -> PledgeLoan:
    """Staff cite ground 12 (another case where the pledge conditions are not met) with a reason; a filing
    under examination is refused at once, later filings until staff clear it."""
    require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请说明不符合质押条件的具体情形 / Say which condition is not met"]})
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        if loan.state not in PRE_REGISTRATION_STATES:
            raise state_refusal(loan, "援引其他不予登记情形")
        loan.other_ground, loan.other_ground_cited_by = reason.strip(), actor
        loan.save(update_fields=["other_ground", "other_ground_cited_by", "updated_at"])
        TransitionLog.record(loan, transition="cite_other_ground", from_state=loan.state, to_state=loan.state,
                             actor=actor, reason=f"援引第12项（其他情形）：{reason.strip()}")
        pending = list(loan.filings.filter(state=PledgeFilingState.FILED).values_list("pk", flat=True))
    for filing_id in pending:
        pledge_registry_examine(filing_id=filing_id, actor=actor)
    return PledgeLoan.objects.get(pk=loan_id)


def pledge_registry_clear_other(*, loan_id: int, actor: User) -> PledgeLoan:
    """Staff record that the ground-12 case is cured."""
    require_staff(actor)
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        if loan.other_ground:
            TransitionLog.record(loan, transition="clear_other_ground", from_state=loan.state, to_state=loan.state,
                                 actor=actor, reason=f"第12项情形已消除：{loan.other_ground}")
            loan.other_ground, loan.other_ground_cited_by = "", None
            loan.save(update_fields=["other_ground", "other_ground_cited_by", "updated_at"])
    return loan


def pledge_filings_decide_due(*, today: dt.date | None = None) -> int:
    """Daily: the registry decides every filing still open on or after its due date; returns how many."""
    today = today or timezone.localdate()
    due = PledgeFiling.objects.filter(state=PledgeFilingState.FILED, decision_due__lte=today)
    count = 0
    for filing_id in due.values_list("pk", flat=True):
        count += pledge_registry_examine(filing_id=filing_id).state != PledgeFilingState.FILED
    return count
