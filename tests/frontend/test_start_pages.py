"""Each role starts on its own page after signing in: what waits for its organisation (with the flow's next
step) and what it waits for; banks and staff see their queues with counts; an agency lands on its desk."""

from django.test import Client
from django.urls import reverse

from market.models import OrganisationKind
from tests.factories import OrganisationFactory, UserFactory

from .conftest import client_for


def test_signing_in_lands_on_the_start_page(holder, settings):
    holder.set_password("s3cret-Passw0rd")
    holder.save()
    answer = Client().post(reverse("frontend:login"), {"username": holder.username, "password": "s3cret-Passw0rd"})
    assert answer.status_code == 302 and answer.url == reverse("frontend:workspace")


def test_a_deal_waits_for_the_side_that_must_answer(holder, buyer, deal):
    seller_page = client_for(holder).get(reverse("frontend:workspace")).content.decode()
    waiting = seller_page[seller_page.index('id="waiting"'):seller_page.index('id="my-listings"')]
    assert deal.number in waiting and "等待贵方回应最新报价" in waiting
    buyer_page = client_for(buyer).get(reverse("frontend:workspace")).content.decode()
    waited = buyer_page[buyer_page.index('id="waited"'):]
    assert deal.number in waited and "等待转让方回应最新报价" in waited
    assert deal.number not in buyer_page[buyer_page.index('id="waiting"'):buyer_page.index('id="waited"')]


def test_staff_and_banks_see_their_queues_and_an_agency_lands_on_its_desk(staff, bank_officer, listing):
    staff_page = client_for(staff).get(reverse("frontend:workspace")).content.decode()
    assert 'id="queues"' in staff_page and "待审核挂牌" in staff_page and "新建挂牌" not in staff_page
    bank_page = client_for(bank_officer).get(reverse("frontend:workspace")).content.decode()
    assert "待审查的申请" in bank_page and reverse("frontend:bank_queue") in bank_page
    agency = UserFactory(username="appraiser", organisation=OrganisationFactory(
        name="之江资产评估有限公司", kind=OrganisationKind.VALUATION_AGENCY))
    answer = client_for(agency).get(reverse("frontend:workspace"))
    assert answer.status_code == 302 and answer.url == reverse("frontend:valuation_desk")


def test_a_lent_loan_waits_for_its_borrower_only_when_an_instalment_falls_due(holder, bank_officer, patent):
    import datetime as dt

    from django.utils import timezone

    from market.pledges.models import PledgeLoanState
    from tests.pledges.steps import advance, apply

    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=12),
                   to=PledgeLoanState.DISBURSED, holder=holder, bank_officer=bank_officer)
    loan.instalments.update(due_date=timezone.localdate() + dt.timedelta(days=90))

    def waiting():
        page = client_for(holder).get(reverse("frontend:workspace")).content.decode()
        start = page.index('id="waiting"')
        return page[start:page.index("</section>", start)]

    assert loan.number not in waiting()
    first = loan.instalments.order_by("number").first()
    first.due_date = timezone.localdate() + dt.timedelta(days=10)
    first.save(update_fields=["due_date"])
    assert loan.number in waiting()
