"""Open-licence races on PostgreSQL: the declaration's row lock serialises take-ups and withdrawal."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from market.licensing import locks
from market.licensing.models import Licence, OpenLicenceDeclaration, OpenLicenceState, RoyaltyPeriod
from market.licensing.services import open_licences
from market.models import Escrow, EscrowState, PaymentCommand
from market.rules import RuleViolation
from market.services.ledger import external_account, ledger_problems

from ..factories import OrganisationFactory, PatentFactory, UserFactory
from .test_deal_races import race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL test")

TERMS = {"royalty_method": "annual", "annual_fee": Decimal("12000.00")}


@pytest.fixture(autouse=True)
def no_rendering(monkeypatch, settings, tmp_path):
    """Documents are requested (rows) but not rendered: 40 PDFs would only slow the race down."""
    from market import tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(tasks.document_render_task, "delay", lambda document_id: None)


def publish(holder, staff) -> OpenLicenceDeclaration:
    patent = PatentFactory(holders=[holder.organisation])
    declaration = open_licences.open_licence_create(actor=holder, patent_id=patent.pk, licence_years=3, **TERMS)
    open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    return open_licences.open_licence_publish(declaration_id=declaration.pk, actor=staff)


def take_up(declaration, user, key="race"):
    return lambda: open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=user, idempotency_key=key,
                                                      notice_confirmed=True)


@pytest.fixture
def declaration(transactional_db, holder, staff):
    return publish(holder, staff)


def test_twenty_simultaneous_take_ups_give_twenty_licences_each_paid_once(declaration, holder):
    licensees = [UserFactory(organisation=OrganisationFactory()) for _ in range(20)]
    results = race(*[take_up(declaration, user) for user in licensees])
    assert all(isinstance(r, Licence) for r in results), [r for r in results if not isinstance(r, Licence)]
    assert Licence.objects.filter(declaration=declaration).count() == 20
    assert sorted(Licence.objects.values_list("licensee_id", flat=True)) == sorted(u.organisation_id for u in licensees)
    paid = RoyaltyPeriod.objects.filter(paid_at__isnull=False)
    assert paid.count() == 20 and {p.licence_id for p in paid} == {r.pk for r in results}
    assert Escrow.objects.filter(state=EscrowState.RELEASED).count() == Escrow.objects.count() == 20
    # one hold (the licensee's key), one capture and one release per licensee
    assert PaymentCommand.objects.count() == 60
    assert external_account(holder.organisation).balance() == Decimal("240000.00")
    assert ledger_problems() == []


def test_take_up_racing_withdrawal_is_all_or_nothing(transactional_db, holder, staff, buyer):
    outcomes = set()
    for _ in range(3):
        declaration = publish(holder, staff)
        escrows = Escrow.objects.count()
        results = race(take_up(declaration, buyer, key=f"race-{declaration.pk}"),
                       lambda d=declaration: open_licences.open_licence_withdraw(declaration_id=d.pk, actor=holder))
        declaration.refresh_from_db()
        assert declaration.state == OpenLicenceState.WITHDRAWN
        licence = Licence.objects.filter(declaration=declaration).first()
        if licence is not None:  # the take-up won the lock: complete, before the withdrawal
            assert results[0] == licence and licence.created_at < declaration.withdrawn_at
            assert licence.periods.get(sequence=1).escrow.state == EscrowState.RELEASED
            outcomes.add("licensed first")
        else:  # the withdrawal won: the take-up is refused and moved nothing
            assert isinstance(results[0], RuleViolation)
            assert results[0].reasons[0].code == "declaration_not_standing"
            assert Escrow.objects.count() == escrows
            outcomes.add("refused")
    assert outcomes  # either outcome is consistent; which one wins depends on the scheduler
    assert ledger_problems() == []


def test_without_the_row_lock_a_take_up_lands_after_the_withdrawal(declaration, holder, buyer, monkeypatch):
    """Control: with the declaration's row lock switched off, a take-up that read the declaration before the
    withdrawal committed grants a licence after it — the half-done outcome the lock prevents."""
    monkeypatch.setattr(locks, "open_licence_declaration", lambda pk: OpenLicenceDeclaration.objects.select_related(
        "patent", "holder").get(pk=pk))
    checked, withdrawn = threading.Event(), threading.Event()
    check, grant = open_licences.open_licence_take_up_blockers, open_licences.licence_grant

    def check_then_signal(*args, **kwargs):
        checked.set()
        return check(*args, **kwargs)

    def grant_after_withdrawal(**kwargs):
        assert withdrawn.wait(timeout=10)
        return grant(**kwargs)

    def withdraw():
        assert checked.wait(timeout=10)
        try:
            return open_licences.open_licence_withdraw(declaration_id=declaration.pk, actor=holder)
        finally:
            withdrawn.set()

    monkeypatch.setattr(open_licences, "open_licence_take_up_blockers", check_then_signal)
    monkeypatch.setattr(open_licences, "licence_grant", grant_after_withdrawal)
    results = race(take_up(declaration, buyer), withdraw)
    assert [type(r) for r in results] == [Licence, OpenLicenceDeclaration], results
    declaration.refresh_from_db()
    assert declaration.state == OpenLicenceState.WITHDRAWN
    assert Licence.objects.get().created_at > declaration.withdrawn_at
