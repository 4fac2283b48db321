"""Monitoring of pledged patents: each event raises one alert and one notification, however often it runs;
an event that ends clears its alert, and one that comes back is a new event."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from market.models import LegalStatus
from market.pledges.models import PledgeAlert, PledgeContract, PledgeLoanState
from market.pledges.services import monitoring
from market.web.labels import pick_half
from notifications.models import Notification

from .steps import advance, apply

TODAY = dt.date(2026, 5, 4)  # for the pure date arithmetic; the monitor itself runs on today's date
INCOME = {"revenue": {"distribution": "lognormal", "median": 20_000, "sigma": 0.5}, "royalty_rate": 0.03,
          "share": 0.3, "discount_rate": 0.12, "economic_life": 5}


@pytest.fixture
def loan(holder, bank_officer, patent):
    patent.annual_fee_paid_until = timezone.localdate() + dt.timedelta(days=200)  # next fee due in 201 days: quiet
    patent.save()
    return advance(apply(holder, bank_officer.organisation, [patent]), to=PledgeLoanState.DISBURSED, holder=holder,
                   bank_officer=bank_officer)


def run_twice() -> list[PledgeAlert]:
    first = monitoring.pledge_monitor_all()
    second = monitoring.pledge_monitor_all()
    assert second == 0
    assert first == PledgeAlert.objects.filter(cleared_at__isnull=True).count()
    return list(PledgeAlert.objects.filter(cleared_at__isnull=True))


def change(patent, **fields):
    for name, value in fields.items():
        setattr(patent, name, value)
    patent.save()


def end_the_term_before_the_debt(patent):
    PledgeContract.objects.update(end_date=patent.expiry_date + dt.timedelta(days=1))


def revalue_low(patent, bank_officer):
    from valuation.services import valuation_create

    valuation_create(patent_id=patent.pk, actor=bank_officer, inputs={"income": INCOME, "seed": 3, "draws": 1000})


CASES = {
    "annual_fee_due": lambda p, b: change(p, annual_fee_paid_until=timezone.localdate() + dt.timedelta(days=29)),
    "annual_fee_overdue": lambda p, b: change(p, annual_fee_overdue=True),
    "invalidation": lambda p, b: change(p, invalidation_pending=True),
    "legal_status": lambda p, b: change(p, legal_status=LegalStatus.INVALIDATED),
    "term_before_debt": lambda p, b: end_the_term_before_the_debt(p),
    "value_below_debt": lambda p, b: revalue_low(p, b),
}


def test_a_quiet_pledge_raises_nothing(loan):
    assert run_twice() == []


@pytest.mark.parametrize("kind", list(CASES))
def test_each_event_raises_one_alert_and_one_notification(kind, loan, patent, bank_officer, holder, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bank_officer.email = "wang@bank.example"
    bank_officer.save()
    CASES[kind](patent, bank_officer)

    [alert] = run_twice()

    assert alert.kind == kind and alert.loan == loan
    notes = Notification.objects.filter(key=f"pledge-alert:{alert.key}")
    assert notes.filter(recipient=bank_officer).count() == 1
    assert notes.filter(recipient=holder).exists() == (kind in ("annual_fee_due", "annual_fee_overdue"))
    for note in notes.select_related("recipient"):  # every recipient may open the link, which shows the alert
        client = Client()
        client.force_login(note.recipient)
        page = client.get(note.url)
        shown = pick_half(alert.message, "zh-hans")  # the page's language's half
        assert page.status_code == 200 and shown in page.content.decode(), note.recipient
    if kind == "value_below_debt":
        assert alert.patent is None and "P10" in alert.message


def test_an_event_that_ends_is_cleared_and_one_that_returns_is_new(loan, patent):
    change(patent, invalidation_pending=True)
    [first] = run_twice()
    change(patent, invalidation_pending=False)
    assert run_twice() == []
    assert PledgeAlert.objects.get(pk=first.pk).cleared_at is not None
    change(patent, invalidation_pending=True)
    [second] = run_twice()
    assert second.pk != first.pk and PledgeAlert.objects.filter(kind="invalidation").count() == 2


def test_the_next_annual_fee_is_due_after_the_paid_period_else_on_the_filing_anniversary(patent):
    change(patent, annual_fee_paid_until=dt.date(2026, 2, 28))
    assert monitoring.next_annual_fee_due(patent, TODAY) == dt.date(2026, 3, 1)
    change(patent, annual_fee_paid_until=None)
    assert monitoring.next_annual_fee_due(patent, TODAY) == dt.date(2027, 3, 1)  # filed 2019-03-01
    assert monitoring.next_annual_fee_due(patent, patent.expiry_date) is None


def test_a_change_of_a_pledged_patent_is_monitored_after_commit(loan, patent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change(patent, legal_status=LegalStatus.LAPSED)
    assert len(callbacks) >= 1
    assert PledgeAlert.objects.get().kind == "legal_status"


def test_a_register_event_on_a_pledged_patent_alerts_the_bank(loan, patent, django_capture_on_commit_callbacks):
    from market.register.feed import register_apply

    with django_capture_on_commit_callbacks(execute=True):
        register_apply({"id": "CNIPA-INV-1", "application_number": patent.application_number,
                        "event": "invalidation_requested", "date": str(TODAY)}, source="CNIPA")
    assert PledgeAlert.objects.get().kind == "invalidation"


def test_a_patent_no_pledge_holds_queues_nothing(holder_org, django_capture_on_commit_callbacks):
    from tests.factories import PatentFactory

    with django_capture_on_commit_callbacks() as callbacks:
        change(PatentFactory(holders=[holder_org]), legal_status=LegalStatus.LAPSED)
    assert callbacks == []


def test_released_and_settled_loans_are_not_monitored(loan, patent, holder):
    from .steps import repay_all

    repay_all(loan, holder)
    advance(loan, to=PledgeLoanState.RELEASED, holder=holder, bank_officer=None)
    change(patent, invalidation_pending=True)
    assert run_twice() == []


def test_mail_is_sent_once_per_event(loan, patent, bank_officer, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bank_officer.email = "wang@bank.example"
    bank_officer.save()
    change(patent, invalidation_pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.pledge_monitor_all()
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.pledge_monitor_all()
    assert [m.to for m in mail.outbox] == [["wang@bank.example"]]
    assert "无效宣告" in mail.outbox[0].subject



def test_a_new_valuation_of_a_pledged_patent_is_monitored_after_commit(loan, patent, bank_officer,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revalue_low(patent, bank_officer)
    assert PledgeAlert.objects.get().kind == "value_below_debt"
