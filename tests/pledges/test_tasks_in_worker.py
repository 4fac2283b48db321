"""The daily pledge tasks run by a real Celery worker: the registry decides, instalments become overdue,
monitoring alerts once however often the beat fires."""

import datetime as dt

import pytest
from django.utils import timezone

from market.pledges.models import Instalment, PledgeAlert, PledgeLoan, PledgeLoanState
from market.pledges.tasks import loans_mark_overdue_task, pledge_filings_decide_due_task, pledge_monitor_all_task

from .steps import advance, apply


@pytest.mark.celery_worker
def test_the_beat_tasks_in_a_real_worker(celery_worker_process, holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3),
                   to=PledgeLoanState.FILED, holder=holder, bank_officer=bank_officer)
    # the registry examined the filing in the worker after the commit (tasks run in order on the solo worker),
    # so the daily sweep finds nothing left to decide
    loan.filings.update(decision_due=loan.filings.get().filed_at.date())
    assert pledge_filings_decide_due_task.delay().get(timeout=30) == 0, celery_worker_process.log()
    assert loan.filings.get().state == "registered"
    loan = advance(loan, to=PledgeLoanState.DISBURSED, holder=holder, bank_officer=bank_officer)
    first = loan.instalments.get(number=1)
    Instalment.objects.filter(pk=first.pk).update(due_date=first.due_date.replace(year=first.due_date.year - 1))
    patent.invalidation_pending = True  # the change itself queues the monitoring of this patent's loan
    patent.annual_fee_paid_until = timezone.localdate() + dt.timedelta(days=200)
    patent.save()

    assert [loans_mark_overdue_task.delay().get(timeout=30) for _ in range(2)] == [1, 0]
    assert [pledge_monitor_all_task.delay().get(timeout=30) for _ in range(2)] == [0, 0]  # raised on the change
    assert sorted(PledgeAlert.objects.values_list("kind", flat=True)) == ["instalment_overdue", "invalidation"]
    assert PledgeLoan.objects.get(pk=loan.pk).state == PledgeLoanState.DISBURSED
