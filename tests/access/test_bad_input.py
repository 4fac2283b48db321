"""Bad input is a clear 400 (or 413), never a 500, and nothing is written."""

import json

import pytest
from rest_framework.test import APIClient

from market.models import Escrow, LedgerEntry, PaymentCommand
from market.transfers.models import DealState

from ..factories import ListingFactory, PatentFactory
from ..market.deal_steps import advance

PAYMENT_ACTIONS = [
    "/api/v1/deals/{id}/pay/", "/api/v1/deals/{id}/pay_registration_fee/", "/api/v1/licence-contracts/{id}/pay/",
    "/api/v1/licences/{id}/pay/", "/api/v1/open-licences/{id}/take_up/", "/api/v1/pledge-loans/{id}/disburse/",
    "/api/v1/pledge-loans/{id}/repay/", "/api/v1/auctions/{id}/deposit/", "/api/v1/auctions/{id}/pay/",
    "/api/v1/finance/receivable-pledges/{id}/repay/",
]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def post_raw(client, url, body: str, **headers):
    return client.post(url, data=body, content_type="application/json", **headers)


@pytest.fixture
def signed_deal(holder, buyer, staff):
    from market.transfers import services as deals

    listing = ListingFactory(organisation=holder.organisation, created_by=holder)
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="300000")
    return advance(deal, to=DealState.SIGNED, seller=holder, buyer=buyer, staff=staff)


def test_every_payment_action_takes_an_idempotency_key(db):
    """The list above is every action that reads the key (a new one must be added here and tested)."""
    from market.api import common

    documented = {path for path, ops in api().get("/api/schema/", {"format": "json"}).json()["paths"].items()
                  for op in ops.values() if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))}
    assert documented == set(PAYMENT_ACTIONS)
    assert common.IDEMPOTENCY_KEY_MAX == 100


@pytest.mark.parametrize("body", ["1280", "[1, 2]", "null", '"text"', "true"],
                         ids=["number", "array", "null", "string", "boolean"])
@pytest.mark.parametrize("path", PAYMENT_ACTIONS)
def test_a_body_that_is_not_an_object_is_400_on_every_payment_action_case(buyer, path, body):
    """On an object that does not exist some actions answer 404 first; none answers 500."""
    response = post_raw(api(buyer), path.format(id=1), body, HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert response.json()["detail"] == "请求体须为 JSON 对象 / The request body must be a JSON object"


def test_a_non_object_body_moves_no_money(signed_deal, buyer):
    response = post_raw(api(buyer), f"/api/v1/deals/{signed_deal.pk}/pay/", "[1,2]", HTTP_IDEMPOTENCY_KEY="k-2")

    assert response.status_code == 400
    assert not Escrow.objects.exists() and not LedgerEntry.objects.exists() and not PaymentCommand.objects.exists()


def test_deep_nesting_is_400(buyer, signed_deal):
    body = '{"a": ' * 5000 + "1" + "}" * 5000

    response = post_raw(api(buyer), f"/api/v1/deals/{signed_deal.pk}/pay/", body, HTTP_IDEMPOTENCY_KEY="k-3")

    assert response.status_code == 400 and "嵌套" in response.json()["detail"]


def test_moderate_nesting_beyond_the_limit_is_400(buyer, settings):
    nested = 1
    for _ in range(settings.API_MAX_JSON_DEPTH + 1):
        nested = [nested]
    body = json.dumps({"listing": 1, "price": "1", "a": nested})

    response = post_raw(api(buyer), "/api/v1/deals/", body)

    assert response.status_code == 400 and "嵌套" in response.json()["detail"]


def test_an_oversized_body_is_413_in_json(buyer, settings):
    body = json.dumps({"listing": 1, "price": "1", "message": "长" * (settings.API_MAX_BODY_BYTES // 2)})

    response = post_raw(api(buyer), "/api/v1/deals/", body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json" and "请求体" in response.json()["detail"]


def test_invalid_json_and_nan_are_400(buyer):
    assert post_raw(api(buyer), "/api/v1/deals/", "{").status_code == 400
    assert post_raw(api(buyer), "/api/v1/deals/", '{"listing": 1, "price": NaN}').status_code == 400


def test_an_overlong_idempotency_key_is_400_not_409(signed_deal, buyer):
    response = api(buyer).post(f"/api/v1/deals/{signed_deal.pk}/pay/", {}, format="json",
                               HTTP_IDEMPOTENCY_KEY="k" * 5000)

    assert response.status_code == 400
    assert "最多 100 个字符" in response.json()["idempotency_key"][0]
    signed_deal.refresh_from_db()
    assert signed_deal.state == DealState.SIGNED


def test_an_overlong_offer_message_is_400(buyer, holder):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder)

    response = api(buyer).post("/api/v1/deals/", {"listing": listing.pk, "price": "1000", "message": "长" * 2001},
                               format="json")

    assert response.status_code == 400 and "message" in response.json()


def test_an_overlong_listing_description_is_400(holder, holder_org):
    patent = PatentFactory(holders=[holder_org])

    response = api(holder).post("/api/v1/listings/", {"title": "转让", "mode": "transfer", "patent_ids": [patent.pk],
                                                      "description": "长" * 5001}, format="json")

    assert response.status_code == 400 and "description" in response.json()


@pytest.mark.parametrize("body", [{"patents": [1], "term_months": -5}, {"patents": [1], "term_months": 0},
                                  {"patents": [], "term_months": 12}, {"patents": [-1]}],
                         ids=["negative_term", "zero_term", "no_patent", "negative_id"])
def test_the_pledge_precheck_refuses_nonsense_case(holder, body):
    assert api(holder).post("/api/v1/pledge-loans/precheck/", body, format="json").status_code == 400


def test_an_amount_below_a_cent_is_400_when_applying(holder, bank_org):
    response = api(holder).post("/api/v1/pledge-loans/", {"bank": bank_org.pk, "patents": [1], "amount": "-1",
                                                          "term_months": 12, "purpose": "",
                                                          "repayment_plan": "equal_principal"}, format="json")

    assert response.status_code == 400 and "amount" in response.json()


def test_an_integer_too_large_for_the_database_is_not_a_500(holder):
    response = api(holder).get(f"/api/v1/patents/{2 ** 70}/")

    assert response.status_code == 404


def test_every_request_string_field_has_a_maximum_length(db):
    """Read from the schema: a new text field without max_length fails here."""
    schema = api().get("/api/schema/", {"format": "json"}).json()
    unbounded = []

    def walk(name, node, path):
        if not isinstance(node, dict) or "$ref" in node:
            return
        if (node.get("type") == "string" and "enum" not in node and "maxLength" not in node
                and node.get("format") not in ("date", "date-time", "email", "binary", "uri", "decimal")
                and not node.get("readOnly")):
            unbounded.append(f"{name}{path}")
        for key, child in node.get("properties", {}).items():
            walk(name, child, f"{path}.{key}")
        walk(name, node.get("items"), f"{path}[]")

    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            walk(name, component, "")
    assert unbounded == []
