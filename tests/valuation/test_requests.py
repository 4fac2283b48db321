"""Formal valuations ordered from an agency: the holder orders from its portfolio and a bank from its review;
the agency values with the module's inputs and signs off on its desk (or declines); nobody else sees or acts
on an order; the bank's review then reads the signed valuation."""

import pytest
from django.test import Client
from django.urls import reverse

from market.models import Document, OrganisationKind, TransitionLog
from notifications.models import Notification
from tests.factories import OrganisationFactory, UserFactory
from valuation.models import Valuation, ValuationRequest, ValuationRequestState

R = ValuationRequestState
INPUTS = {"method": "income", "revenue": "2000000", "growth": "5", "royalty_rate": "4", "share": "60", "discount_rate": "12",
          "implemented": "on", "loan_term_years": "3", "seed": "7"}


@pytest.fixture(autouse=True)
def chinese(settings, tmp_path):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def order(user, patent, agency_org, **extra):
    return client_for(user).post(reverse("frontend:valuation_request_new"), {
        "patent_id": patent.pk, "agency": agency_org.pk, "purpose": "转让", "note": "拟转让前评估", **extra})


def test_the_holder_orders_and_the_agency_values_and_signs_off(holder, patent, agency, agency_org,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = order(holder, patent, agency_org)
    request = ValuationRequest.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("frontend:valuation_request", args=[request.pk])
    assert (request.requester, request.agency, request.state) == (holder.organisation, agency_org, R.REQUESTED)
    order(holder, patent, agency_org)
    assert ValuationRequest.objects.count() == 1  # an open order is not repeated
    assert Notification.objects.filter(recipient=agency, key=f"valuation-request:{request.pk}").exists()

    desk = client_for(agency).get(reverse("frontend:valuation_desk")).content.decode()
    assert request.number in desk and patent.patent_number in desk
    page = client_for(agency).get(reverse("frontend:valuation_request", args=[request.pk])).content.decode()
    assert 'data-action="complete"' in page and "首年收入（元）" in page

    with django_capture_on_commit_callbacks(execute=True):
        done = client_for(agency).post(reverse("frontend:valuation_request_complete", args=[request.pk]), INPUTS)
    request.refresh_from_db()
    valuation = request.valuation
    assert done.status_code == 302 and done.url == reverse("frontend:valuation_detail", args=[valuation.pk])
    assert request.state == R.COMPLETED and valuation.signed_off_organisation == agency_org
    assert valuation.inputs["income"]["royalty_rate"] == pytest.approx(0.04) and valuation.seed == 7
    assert [log.to_state for log in TransitionLog.for_object(request)] == [R.REQUESTED, R.COMPLETED]
    assert Notification.objects.filter(recipient=holder, key=f"valuation-request:{request.pk}:completed").exists()

    # The holder reads the result and asks for the report.
    result = client_for(holder).get(reverse("frontend:valuation_detail", args=[valuation.pk])).content.decode()
    assert valuation.number in result and f"¥{valuation.p50:,.2f}" in result
    client_for(holder).post(reverse("frontend:valuation_report", args=[valuation.pk]))
    assert Document.objects.filter(deal_id=valuation.pk, deal_type__model="valuation").exists()
    # ... and sees it in its portfolio.
    portfolio = client_for(holder).get(reverse("frontend:my_patents")).content.decode()
    assert reverse("frontend:valuation_detail", args=[valuation.pk]) in portfolio


def test_inputs_out_of_range_are_refused_field_by_field_and_nothing_is_written(holder, patent, agency, agency_org):
    order(holder, patent, agency_org)
    request = ValuationRequest.objects.get()
    answer = client_for(agency).post(reverse("frontend:valuation_request_complete", args=[request.pk]),
                                     {**INPUTS, "discount_rate": "150"})
    assert answer.status_code == 400 and "折现率须大于 0 且小于 1" in answer.content.decode()
    assert "Discount" not in answer.content.decode()
    assert not Valuation.objects.exists() and ValuationRequest.objects.get().state == R.REQUESTED


def test_only_the_agency_instructed_acts_and_only_the_parties_see_the_order(holder, patent, agency_org, buyer,
                                                                              bank_officer):
    order(holder, patent, agency_org)
    request = ValuationRequest.objects.get()
    other_agency = UserFactory(username="other_appraiser", organisation=OrganisationFactory(
        name="钱江资产评估有限公司", kind=OrganisationKind.VALUATION_AGENCY))
    url = reverse("frontend:valuation_request", args=[request.pk])
    for outsider in (other_agency, buyer, bank_officer):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).post(reverse("frontend:valuation_request_complete", args=[request.pk]),
                                         INPUTS).status_code == 404
    assert client_for(holder).post(reverse("frontend:valuation_request_complete", args=[request.pk]),
                                   INPUTS).status_code == 403
    assert client_for(buyer).get(reverse("frontend:valuation_desk")).status_code == 403
    # A buyer cannot order a valuation of a right it does not hold.
    assert order(buyer, patent, agency_org).status_code == 403
    assert ValuationRequest.objects.count() == 1 and not Valuation.objects.exists()


def test_the_agency_declines_with_its_reason(holder, patent, agency, agency_org):
    order(holder, patent, agency_org)
    request = ValuationRequest.objects.get()
    url = reverse("frontend:valuation_request_decline", args=[request.pk])
    assert client_for(agency).post(url, {"reason": ""}).status_code == 400
    client_for(agency).post(url, {"reason": "利益冲突，无法承接"})
    request.refresh_from_db()
    assert request.state == R.DECLINED and request.decline_reason == "利益冲突，无法承接"
    page = client_for(holder).get(reverse("frontend:valuation_request", args=[request.pk])).content.decode()
    assert "利益冲突，无法承接" in page
    again = client_for(agency).post(reverse("frontend:valuation_request_complete", args=[request.pk]), INPUTS,
                                    follow=True)
    assert "该委托已谢绝" in again.content.decode() and not Valuation.objects.exists()


def test_a_bank_orders_for_its_loans_collateral_and_its_review_reads_the_signed_valuation(
        holder, patent, bank_officer, agency, agency_org):
    from tests.pledges.steps import apply

    other_banker = UserFactory(username="banker2", organisation=OrganisationFactory(name="宁波甬江银行",
                                                                                    kind=OrganisationKind.BANK))
    loan = apply(holder, bank_officer.organisation, [patent])
    review = reverse("frontend:bank_review", args=[loan.pk])
    assert 'data-action="order_valuation"' in client_for(bank_officer).get(review).content.decode()
    assert order(other_banker, patent, agency_org, loan_id=loan.pk).status_code == 404  # not its loan
    order(bank_officer, patent, agency_org, loan_id=loan.pk)
    request = ValuationRequest.objects.get()
    assert (request.requester, request.loan) == (bank_officer.organisation, loan)
    client_for(agency).post(reverse("frontend:valuation_request_complete", args=[request.pk]), INPUTS)
    request.refresh_from_db()
    page = client_for(bank_officer).get(review).content.decode()
    assert f"评估 {request.valuation.number}" in page and request.number in page


def test_the_agency_may_value_by_the_cost_method_and_each_method_asks_for_its_inputs(holder, patent, agency,
                                                                                       agency_org):
    order(holder, patent, agency_org)
    request = ValuationRequest.objects.get()
    url = reverse("frontend:valuation_request_complete", args=[request.pk])
    missing = client_for(agency).post(url, {"method": "cost", "loan_term_years": "3"})
    assert missing.status_code == 400 and "所选评估方法须填写此项" in missing.content.decode()
    client_for(agency).post(url, {"method": "cost", "development_cost": "1500000", "fees": "20000",
                                  "loan_term_years": "3", "seed": "3"})
    valuation = ValuationRequest.objects.get().valuation
    assert valuation.method == "cost" and valuation.inputs["cost"]["development_cost"] == 1500000.0
