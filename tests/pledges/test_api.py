"""The pledge API: every step a POST action; 400 field messages, 409 rule and reasons, 404 for what another
organisation may not see."""

import pytest
from rest_framework.test import APIClient

from market.pledges.models import PledgeLoan, PledgeLoanState
from tests.factories import PatentFactory

from .steps import advance, apply

S = PledgeLoanState


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def body(bank_org, patents, **changes):
    return {"bank": bank_org.pk, "patents": [p.pk for p in patents], "amount": "800000.00", "term_months": 12,
            "purpose": "研发投入", "repayment_plan": "equal_principal", **changes}


def test_the_holder_applies_and_the_bank_approves_through_the_api(holder, bank_officer, patent):
    created = client(holder).post("/api/v1/pledge-loans/", body(bank_officer.organisation, [patent]), format="json")
    assert created.status_code == 201, created.json()
    loan = created.json()
    assert (loan["state"], loan["amount_requested"], loan["allowed_actions"]) == ("submitted", "800000.00", ["withdraw"])

    bank = client(bank_officer)
    assert bank.get(f"/api/v1/pledge-loans/{loan['id']}/").json()["allowed_actions"] == ["approve", "request_info",
                                                                                         "reject"]
    collateral = bank.get(f"/api/v1/pledge-loans/{loan['id']}/collateral/").json()
    assert set(collateral) >= {"p10", "p50", "p90", "recommended_max_amount", "recommended_ratio", "lines", "patents"}
    assert collateral["patents"][0]["application_number"] == patent.application_number
    approved = bank.post(f"/api/v1/pledge-loans/{loan['id']}/approve/",
                         {"amount": "600000", "rate_percent": "3.45", "term_months": 12, "pledge_ratio": "0.25",
                          "above_advice_reason": "另有保证担保"},
                         format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["allowed_actions"] == ["draft_contract"]


@pytest.mark.parametrize(("case", "changes", "field"), [
    ("amount", {"amount": "-1.00"}, "amount"),
    ("term", {"term_months": 400}, "term_months"),
    ("bank", {"bank": 0}, "bank"),
])
def test_bad_input_answers_400_with_field_messages(case, changes, field, holder, bank_officer, patent):
    answer = client(holder).post("/api/v1/pledge-loans/", body(bank_officer.organisation, [patent], **changes),
                                 format="json")
    assert answer.status_code == 400 and field in answer.json()
    assert not PledgeLoan.objects.exists()


def test_a_patent_not_held_and_a_non_bank_answer_400(holder, buyer_org, patent):
    foreign = PatentFactory(holders=[buyer_org])
    answer = client(holder).post("/api/v1/pledge-loans/", body(buyer_org, [patent, foreign]), format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"bank", "patents"}
    assert "/" in answer.json()["bank"][0]  # 中文 / English


def test_a_refused_step_answers_409_with_rule_and_reason(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.APPROVED, holder=holder,
                   bank_officer=bank_officer)
    answer = client(bank_officer).post(f"/api/v1/pledge-loans/{loan.pk}/draft_contract/", {"forfeiture_clause": True},
                                       format="json")
    assert answer.status_code == 409
    assert answer.json()["reasons"][0]["code"] == "forfeiture_clause"
    again = client(bank_officer).post(f"/api/v1/pledge-loans/{loan.pk}/approve/",
                                      {"amount": "1", "rate_percent": "3", "term_months": 12, "pledge_ratio": "0.2"},
                                      format="json")
    assert again.status_code == 409 and again.json()["reasons"][0]["rule"] == "state_machine"


def test_the_wrong_side_gets_403(holder, bank_officer, patent):
    loan = apply(holder, bank_officer.organisation, [patent])
    answer = client(holder).post(f"/api/v1/pledge-loans/{loan.pk}/reject/", {"reason": "x"}, format="json")
    assert answer.status_code == 403
    assert client(holder).get(f"/api/v1/pledge-loans/{loan.pk}/collateral/").status_code == 403


def test_another_bank_sees_nothing_of_an_application_not_addressed_to_it(holder, bank_officer, other_banker, outsider,
                                                                        patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.REGISTERED, holder=holder,
                   bank_officer=bank_officer)
    for user in (other_banker, outsider):
        api = client(user)
        assert api.get("/api/v1/pledge-loans/").json()["count"] == 0
        assert api.get(f"/api/v1/pledge-loans/{loan.pk}/").status_code == 404
        assert api.post(f"/api/v1/pledge-loans/{loan.pk}/reject/", {"reason": "x"}, format="json").status_code == 404
        assert api.get(f"/api/v1/pledge-loans/{loan.pk}/collateral/").status_code == 404
        assert api.get("/api/v1/pledge-filings/").json()["count"] == 0
        assert api.get("/api/v1/documents/").json()["count"] == 0


def test_a_holder_sees_only_its_own_loans(holder, buyer, bank_officer, patent, buyer_org):
    mine = apply(holder, bank_officer.organisation, [patent])
    theirs = apply(buyer, bank_officer.organisation, [PatentFactory(holders=[buyer_org])])
    listed = client(holder).get("/api/v1/pledge-loans/").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert client(holder).get(f"/api/v1/pledge-loans/{theirs.pk}/").status_code == 404
    assert client(bank_officer).get("/api/v1/pledge-loans/").json()["count"] == 2


def test_money_steps_need_an_idempotency_key_and_replay_safely(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3), to=S.REGISTERED,
                   holder=holder, bank_officer=bank_officer)
    bank = client(bank_officer)
    assert bank.post(f"/api/v1/pledge-loans/{loan.pk}/disburse/", {}, format="json").status_code == 400
    first = bank.post(f"/api/v1/pledge-loans/{loan.pk}/disburse/", {}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    replay = bank.post(f"/api/v1/pledge-loans/{loan.pk}/disburse/", {}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == replay.status_code == 200 and replay.json()["state"] == "disbursed"

    holder_api = client(holder)
    schedule = holder_api.get(f"/api/v1/pledge-loans/{loan.pk}/schedule/").json()
    assert [row["principal"] for row in schedule["instalments"]] == ["40000.00"] * 3
    paid = holder_api.post(f"/api/v1/pledge-loans/{loan.pk}/repay/", {"amount": "0"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="r-0")
    assert paid.status_code == 400 and "amount" in paid.json()


def test_staff_examine_and_cite_ground_12(holder, bank_officer, staff, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.FILED, holder=holder,
                   bank_officer=bank_officer)
    filing = loan.filings.get()
    assert client(bank_officer).post(f"/api/v1/pledge-filings/{filing.pk}/examine/").status_code == 403
    examined = client(staff).post(f"/api/v1/pledge-filings/{filing.pk}/examine/")
    assert examined.status_code == 200 and examined.json()["state"] == "registered"
    assert client(staff).post(f"/api/v1/pledge-loans/{loan.pk}/cite_other_ground/", {"reason": "x"},
                              format="json").status_code == 409  # registered: too late


def test_precheck_answers_per_patent_with_ground_numbers(holder, patent):
    patent.annual_fee_overdue = True
    patent.save()
    answer = client(holder).post("/api/v1/pledge-loans/precheck/", {"patents": [patent.pk], "term_months": 12},
                                 format="json").json()
    assert answer == [{"patent": patent.pk, "application_number": patent.application_number, "title": patent.title,
                       "allowed": True, "reasons": [],
                       "to_cure": [{"ground": 4, "code": "annual_fee_unpaid", "rule": "pledge",
                                    "message": "专利年费未缴纳（滞纳期内） / The annual fee is unpaid (grace period)",
                                    "source": "专利权质押登记办法（2021）不予登记情形第4项 / Patent Pledge Registration "
                                              "Measures 2021, refusal ground 4"}]}]


def test_the_schema_documents_the_pledge_endpoints(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/pledge-loans/{id}/approve/" in schema["paths"]
    assert "PledgeLoanStateEnum" in schema["components"]["schemas"]


def test_the_parties_get_the_loans_documents(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.REGISTERED, holder=holder,
                   bank_officer=bank_officer)
    kinds = {"pledge_contract", "pledge_registration", "pledge_notice"}
    for user in (holder, bank_officer):
        api = client(user)
        assert {d["kind"] for d in api.get(f"/api/v1/pledge-loans/{loan.pk}/documents/").json()} == kinds
        assert {d["kind"] for d in api.get("/api/v1/documents/").json()["results"]} == kinds


def test_the_loan_list_offers_each_loan_its_own_actions_in_queries_that_do_not_grow(
        holder, bank_officer, holder_org, django_assert_max_num_queries):
    """The list reads what the allowed actions need for its whole page (the package, co-owners, confirmations,
    same-day twins); each loan still offers what its own page offers."""
    plain = apply(holder, bank_officer.organisation, [PatentFactory(holders=[holder_org])])
    twinned_patent = PatentFactory(holders=[holder_org], kind="invention")
    PatentFactory(holders=[holder_org], kind="utility_model", title=twinned_patent.title,
                  applicants=twinned_patent.applicants, filing_date=twinned_patent.filing_date)  # 一案双申
    twinned = apply(holder, bank_officer.organisation, [twinned_patent])
    bank = client(bank_officer)
    with django_assert_max_num_queries(14) as few:
        listed = {row["id"]: row["allowed_actions"] for row in bank.get("/api/v1/pledge-loans/").json()["results"]}
    queries = len(few.captured_queries)  # read now: the next request clears the connection's log
    for loan in (plain, twinned):
        assert listed[loan.pk] == bank.get(f"/api/v1/pledge-loans/{loan.pk}/").json()["allowed_actions"]
    assert "confirm" in listed[twinned.pk] and "confirm" not in listed[plain.pk]
    for _ in range(3):
        apply(holder, bank_officer.organisation, [PatentFactory(holders=[holder_org])])
    with django_assert_max_num_queries(queries):
        assert bank.get("/api/v1/pledge-loans/").json()["count"] == 5
