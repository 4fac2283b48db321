"""Who may call what: every API route (read from the URL conf) × every kind of actor → allowed or refused.

"Allowed" means the route let the actor through to the rules (2xx, or 400 / 409 for what it sent or the
object's state); "refused" means 401, 403 or 404 (an object the actor may not see). Each call runs in a
savepoint rolled back afterwards, so no call sees another's effects. A route added to the URL conf without
a row in ``MATRIX`` fails the test.

Actors (tests/access/world.py): anonymous; own = the 杭州 holder's administrator (seller, licensor, pledgor);
other = an unrelated enterprise; bank = the holder's pledgee; other_bank; staff; agency = a valuation agency;
unverified = a trading centre nobody verified.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from ..factories import credit_code
from ..licences.conftest import pdf_upload
from .world import ACTORS, PASSWORD, World, build_world

EVERYONE = frozenset(ACTORS)
MEMBERS = EVERYONE - {"anonymous"}
NOBODY: frozenset[str] = frozenset()


def only(*actors: str) -> frozenset[str]:
    return frozenset(actors)


OWN = only("own")
STAFF = only("staff")
BANK = only("bank")
AGENCY = only("agency")
OWN_STAFF = only("own", "staff")
OWN_BANK = only("own", "bank")
BANK_STAFF = only("bank", "staff")
LOAN_PARTIES = only("own", "bank", "staff")
# Verified organisations that may buy, take licences and bid (never the trading centre, which runs the market);
# the object's own holder meets a rule (409) rather than a refusal.
COUNTERPARTIES = only("own", "other", "bank", "other_bank", "agency")
OTHER_COUNTERPARTIES = COUNTERPARTIES - OWN
# A valuation is read by its requester and the patent's holder, by verified banks, agencies and staff.
VALUATION_READERS = only("own", "bank", "other_bank", "staff", "agency")

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ('DELETE', 'matching-api:saved-search-detail'): OWN,
    ('GET', 'api:abandonment-detail'): OWN_STAFF,
    ('GET', 'api:abandonment-list'): MEMBERS,
    ('GET', 'api:annual-fee-detail'): EVERYONE,
    ('GET', 'api:api-root'): EVERYONE,
    ('GET', 'api:auction-bids'): EVERYONE,
    ('GET', 'api:auction-detail'): EVERYONE,
    ('GET', 'api:auction-documents'): MEMBERS,
    ('GET', 'api:auction-list'): EVERYONE,
    ('GET', 'api:auction-timeline'): MEMBERS,
    ('GET', 'api:deal-detail'): OWN_STAFF,
    ('GET', 'api:deal-documents'): OWN_STAFF,
    ('GET', 'api:deal-list'): MEMBERS,
    ('GET', 'api:deal-timeline'): OWN_STAFF,
    ('GET', 'api:document-detail'): OWN_STAFF,
    ('GET', 'api:document-download'): OWN_STAFF,
    ('GET', 'api:document-list'): MEMBERS,
    ('GET', 'api:invitation-detail'): OWN,
    ('GET', 'api:invitation-list'): MEMBERS,
    ('GET', 'api:licence-contract-detail'): OWN_STAFF,
    ('GET', 'api:licence-contract-documents'): OWN_STAFF,
    ('GET', 'api:licence-contract-list'): MEMBERS,
    ('GET', 'api:licence-contract-timeline'): OWN_STAFF,
    ('GET', 'api:licence-detail'): OWN_STAFF,
    ('GET', 'api:licence-documents'): OWN_STAFF,
    ('GET', 'api:licence-list'): MEMBERS,
    ('GET', 'api:licence-timeline'): OWN_STAFF,
    ('GET', 'api:listing-detail'): EVERYONE,
    ('GET', 'api:listing-list'): EVERYONE,
    ('GET', 'api:open-licence-detail'): EVERYONE,
    ('GET', 'api:open-licence-documents'): EVERYONE,
    ('GET', 'api:open-licence-list'): EVERYONE,
    ('GET', 'api:open-licence-timeline'): EVERYONE,
    ('GET', 'api:organisation-detail'): EVERYONE,
    ('GET', 'api:organisation-list'): EVERYONE,
    ('GET', 'api:patent-detail'): EVERYONE,
    ('GET', 'api:patent-encumbrances'): EVERYONE,
    ('GET', 'api:patent-history'): EVERYONE,
    ('GET', 'api:claim-list'): MEMBERS,
    ('GET', 'api:claim-detail'): OWN_STAFF,
    ('GET', 'api:claim-timeline'): OWN_STAFF,
    ('GET', 'api:patent-list'): EVERYONE,
    ('GET', 'api:patent-rules'): MEMBERS,
    ('GET', 'api:payment-detail'): OWN_STAFF,
    ('GET', 'api:payment-list'): MEMBERS,
    ('GET', 'api:pledge-alert-detail'): LOAN_PARTIES,
    ('GET', 'api:pledge-alert-list'): MEMBERS,
    ('GET', 'api:pledge-filing-detail'): LOAN_PARTIES,
    ('GET', 'api:pledge-filing-list'): MEMBERS,
    ('GET', 'api:pledge-loan-collateral'): BANK_STAFF,
    ('GET', 'api:pledge-loan-detail'): LOAN_PARTIES,
    ('GET', 'api:pledge-loan-documents'): LOAN_PARTIES,
    ('GET', 'api:pledge-loan-list'): MEMBERS,
    ('GET', 'api:pledge-loan-schedule'): LOAN_PARTIES,
    ('GET', 'api:pledge-loan-timeline'): LOAN_PARTIES,
    ('GET', 'api:user-detail'): OWN,
    ('GET', 'api:user-list'): MEMBERS,
    ('GET', 'matching-api:demand-detail'): OWN_STAFF,
    ('GET', 'matching-api:demand-list'): MEMBERS,
    ('GET', 'matching-api:demand-matches'): OWN_STAFF,
    ('GET', 'matching-api:demand-proposals'): OWN_STAFF,
    ('GET', 'matching-api:proposal-conversion'): STAFF,
    ('GET', 'matching-api:proposal-detail'): OWN_STAFF,
    ('GET', 'matching-api:proposal-list'): MEMBERS,
    ('GET', 'matching-api:saved-search-detail'): OWN,
    ('GET', 'matching-api:saved-search-list'): MEMBERS,
    ('GET', 'notifications:api-root'): MEMBERS,
    ('GET', 'notifications:notification-detail'): OWN,
    ('GET', 'notifications:notification-list'): MEMBERS,
    ('GET', 'search:listings'): EVERYONE,
    ('GET', 'search:similar'): EVERYONE,
    ('GET', 'search:suggest'): EVERYONE,
    ('GET', 'valuation:valuation-detail'): VALUATION_READERS,
    ('GET', 'valuation:valuation-list'): MEMBERS,
    ('GET', 'valuation:valuation-score'): VALUATION_READERS,
    ('PATCH', 'matching-api:demand-detail'): OWN_STAFF,
    ('POST', 'api:abandonment-cancel'): OWN,
    ('POST', 'api:abandonment-consent'): NOBODY,
    ('POST', 'api:abandonment-execute'): OWN,
    ('POST', 'api:abandonment-list'): OWN,
    ('POST', 'api:auction-bid'): COUNTERPARTIES,
    ('POST', 'api:auction-cancel'): STAFF,
    ('POST', 'api:auction-close'): STAFF,
    ('POST', 'api:auction-confirm-payment'): STAFF,
    ('POST', 'api:auction-deposit'): COUNTERPARTIES,
    ('POST', 'api:auction-fail'): STAFF,
    ('POST', 'api:auction-forfeit'): STAFF,
    ('POST', 'api:auction-list'): STAFF,
    ('POST', 'api:auction-offer-next'): STAFF,
    ('POST', 'api:auction-pay'): MEMBERS,
    ('POST', 'api:auction-relist'): STAFF,
    ('POST', 'api:auction-start'): STAFF,
    ('POST', 'api:deal-accept'): OWN,
    ('POST', 'api:deal-cancel'): OWN_STAFF,
    ('POST', 'api:deal-consent'): NOBODY,
    ('POST', 'api:deal-consent-request'): OWN,
    ('POST', 'api:deal-counter'): OWN,
    ('POST', 'api:deal-file-registration'): OWN,
    ('POST', 'api:deal-list'): OTHER_COUNTERPARTIES,
    ('POST', 'api:deal-object'): OWN_STAFF,
    ('POST', 'api:deal-pay'): NOBODY,
    ('POST', 'api:deal-pay-registration-fee'): NOBODY,
    ('POST', 'api:deal-refuse-registration'): STAFF,
    ('POST', 'api:deal-register'): STAFF,
    ('POST', 'api:deal-release'): STAFF,
    ('POST', 'api:deal-shares'): OWN,
    ('POST', 'api:deal-sign'): OWN,
    ('POST', 'api:invitation-accept'): EVERYONE,
    ('POST', 'api:invitation-list'): MEMBERS,
    ('POST', 'api:invitation-revoke'): OWN,
    ('POST', 'api:licence-contract-accept'): OWN,
    ('POST', 'api:licence-contract-cancel'): OWN_STAFF,
    ('POST', 'api:licence-contract-consent'): NOBODY,
    ('POST', 'api:licence-contract-counter'): OWN,
    ('POST', 'api:licence-contract-file-record'): OWN,
    ('POST', 'api:licence-contract-list'): OTHER_COUNTERPARTIES,
    ('POST', 'api:licence-contract-pay'): NOBODY,
    ('POST', 'api:licence-contract-record'): STAFF,
    ('POST', 'api:licence-contract-refuse-record'): STAFF,
    ('POST', 'api:licence-contract-sign'): OWN,
    ('POST', 'api:licence-contract-terminate'): OWN,
    ('POST', 'api:licence-pay'): NOBODY,
    ('POST', 'api:licence-report'): NOBODY,
    ('POST', 'api:listing-list'): MEMBERS,
    ('POST', 'api:listing-publish'): STAFF,
    ('POST', 'api:listing-reject'): STAFF,
    ('POST', 'api:listing-submit'): OWN,
    ('POST', 'api:listing-withdraw'): OWN,
    ('POST', 'api:logout'): MEMBERS,
    ('POST', 'api:logoutall'): MEMBERS,
    ('POST', 'api:open-licence-check'): MEMBERS,
    ('POST', 'api:open-licence-consent'): MEMBERS,
    ('POST', 'api:open-licence-evaluation-report'): OWN,
    ('POST', 'api:open-licence-list'): MEMBERS,
    ('POST', 'api:open-licence-publish'): STAFF,
    ('POST', 'api:open-licence-reject'): STAFF,
    ('POST', 'api:open-licence-submit'): OWN,
    ('POST', 'api:open-licence-take-up'): COUNTERPARTIES,
    ('POST', 'api:open-licence-withdraw'): OWN,
    ('POST', 'api:organisation-list'): EVERYONE,
    ('POST', 'api:organisation-revoke'): STAFF,
    ('POST', 'api:organisation-verify'): STAFF,
    ('POST', 'api:claim-list'): MEMBERS,
    ('POST', 'api:claim-accept'): STAFF,
    ('POST', 'api:claim-reject'): STAFF,
    ('POST', 'api:pledge-filing-examine'): STAFF,
    ('POST', 'api:pledge-loan-approve'): BANK,
    ('POST', 'api:pledge-loan-cite-other-ground'): STAFF,
    ('POST', 'api:pledge-loan-clear-other-ground'): STAFF,
    ('POST', 'api:pledge-loan-confirm'): OWN_BANK,
    ('POST', 'api:pledge-loan-consent'): NOBODY,
    ('POST', 'api:pledge-loan-declare-default'): BANK,
    ('POST', 'api:pledge-loan-disburse'): BANK,
    ('POST', 'api:pledge-loan-draft-contract'): BANK,
    ('POST', 'api:pledge-loan-file-registration'): OWN_BANK,
    ('POST', 'api:pledge-loan-list'): MEMBERS,
    ('POST', 'api:pledge-loan-precheck'): MEMBERS,
    ('POST', 'api:pledge-loan-reject'): BANK,
    ('POST', 'api:pledge-loan-release-patent'): BANK,
    ('POST', 'api:pledge-loan-repay'): OWN,
    ('POST', 'api:pledge-loan-request-info'): BANK,
    ('POST', 'api:pledge-loan-resubmit'): OWN,
    ('POST', 'api:pledge-loan-sign-contract'): OWN_BANK,
    ('POST', 'api:pledge-loan-withdraw'): OWN,
    ('POST', 'api:token'): EVERYONE,
    ('POST', 'api:user-deactivate'): OWN,
    ('POST', 'matching-api:demand-close'): OWN_STAFF,
    ('POST', 'matching-api:demand-list'): MEMBERS,
    ('POST', 'matching-api:demand-reopen'): OWN_STAFF,
    ('POST', 'matching-api:demand-withdraw'): OWN_STAFF,
    ('POST', 'matching-api:proposal-accept'): STAFF,
    ('POST', 'matching-api:proposal-list'): STAFF,
    ('POST', 'matching-api:proposal-mark-deal-closed'): STAFF,
    ('POST', 'matching-api:proposal-mark-deal-started'): STAFF,
    ('POST', 'matching-api:proposal-reject'): STAFF,
    ('POST', 'matching-api:proposal-start-deal'): NOBODY,
    ('POST', 'matching-api:saved-search-list'): MEMBERS,
    ('POST', 'notifications:notification-mark-read'): MEMBERS,
    ('POST', 'valuation:valuation-list'): MEMBERS,
    ('POST', 'valuation:valuation-report'): VALUATION_READERS,
    ('POST', 'valuation:valuation-sign-off'): AGENCY,
    ('PUT', 'matching-api:demand-detail'): OWN_STAFF,
    # IP finance: a receivable pledge is its pledgor's, its bank's and staff's; pools are staff's until issued;
    # schemes are public terms any member reads; a loss share is its bank's, its participant's and staff's
    ('GET', 'finance-api:receivable-pledge-list'): MEMBERS,
    ('GET', 'finance-api:receivable-pledge-detail'): LOAN_PARTIES,
    ('GET', 'finance-api:receivable-pledge-timeline'): LOAN_PARTIES,
    ('POST', 'finance-api:receivable-pledge-list'): MEMBERS,
    ('POST', 'finance-api:receivable-pledge-register'): BANK,
    ('POST', 'finance-api:receivable-pledge-decline'): BANK,
    ('POST', 'finance-api:receivable-pledge-withdraw'): OWN,
    ('POST', 'finance-api:receivable-pledge-repay'): OWN,
    ('GET', 'finance-api:pool-list'): MEMBERS,
    ('GET', 'finance-api:pool-detail'): STAFF,
    ('GET', 'finance-api:pool-timeline'): STAFF,
    ('POST', 'finance-api:pool-list'): STAFF,
    ('POST', 'finance-api:pool-licences'): STAFF,
    ('POST', 'finance-api:pool-tranches'): STAFF,
    ('POST', 'finance-api:pool-simulate'): STAFF,
    ('POST', 'finance-api:pool-issue'): STAFF,
    ('POST', 'finance-api:pool-distribute'): STAFF,
    ('GET', 'finance-api:risk-scheme-list'): MEMBERS,
    ('GET', 'finance-api:risk-scheme-detail'): MEMBERS,
    ('POST', 'finance-api:risk-scheme-list'): STAFF,
    ('POST', 'finance-api:risk-scheme-enrol'): BANK,
    ('GET', 'finance-api:loss-share-list'): MEMBERS,
    ('GET', 'finance-api:loss-share-detail'): BANK_STAFF,
    # the statistics cockpit: public figures (which breakdown each actor may ask for: tests/stats/test_api.py)
    ('GET', 'stats-api:indicators'): EVERYONE,
    ('GET', 'stats-api:indicator'): EVERYONE,
    ('GET', 'stats-api:export'): EVERYONE,
    ('GET', 'stats-api:price-index'): EVERYONE,
    ('GET', 'stats-api:royalties'): EVERYONE,
}


def discover() -> list[tuple[str, str, str, dict]]:
    """(method, route name, path, URL kwargs names) of every API route, from the URL conf."""
    routes = []

    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                    entry.namespace or namespace)
                walk(entry, inner)
            elif isinstance(entry, URLPattern) and entry.name and "format" not in str(entry.pattern):
                callback = entry.callback
                actions = getattr(callback, "actions", None)
                if actions is None:
                    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                    actions = {m: m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                for method in actions:
                    if method in ("head", "options"):
                        continue  # HEAD answers as GET does (DRF adds it to the view's actions once called)
                    routes.append((method.upper(), name, str(entry.pattern), list(entry.pattern.regex.groupindex)))

    walk(get_resolver())
    return [r for r in routes if reverse_prefix(r[1], r[3]).startswith("/api/v1/")]


def reverse_prefix(name: str, kwargs: list[str]) -> str:
    return reverse(name, kwargs={k: "1" for k in kwargs})


OBJECT_OF = {  # route base name → the world's object its {pk} names
    "organisation": "own_org", "patent": "patent", "abandonment": "abandonment", "listing": "listing",
    "deal": "deal", "payment": "escrow", "document": "document", "auction": "auction",
    "open-licence": "declaration", "licence": "licence", "licence-contract": "contract", "annual-fee": "patent",
    "pledge-loan": "loan", "pledge-filing": "filing", "pledge-alert": "alert", "invitation": "invitation",
    "user": "member", "demand": "demand", "proposal": "proposal", "saved-search": "saved_search",
    "notification": "notification", "valuation": "valuation", "similar": "listing", "claim": "claim",
    "receivable-pledge": "receivable_pledge", "pool": "pool", "risk-scheme": "scheme", "loss-share": "loss_share",
}


def url_for(name: str, kwargs: list[str], world: World) -> str:
    if not kwargs:
        return reverse(name)
    if kwargs == ["key"]:  # an indicator of the cockpit
        return reverse(name, kwargs={"key": "deals"})
    base = name.split(":")[-1]
    for suffix in ("-detail", "-list"):
        base = base.removesuffix(suffix)
    key = next(k for k in OBJECT_OF if base == k or base.startswith(k + "-") or base == "similar" and k == "similar")
    target = world.orgs["own"] if OBJECT_OF[key] == "own_org" else world.objects[OBJECT_OF[key]]
    value = target.number if "number" in kwargs else target.pk
    return reverse(name, kwargs={kwargs[0]: value})


def call(world: World, actor: str, method: str, url: str, body: dict | None):
    client = APIClient()
    user = world.users[actor]
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    with transaction.atomic():
        if body and body.pop("multipart", False):
            response = client.post(url, body, format="multipart")
        else:
            response = client.generic(method, url, data=None if body is None else json.dumps(body),
                                      content_type="application/json", HTTP_IDEMPOTENCY_KEY="matrix-key")
        transaction.set_rollback(True)
    return response


def test_every_route_has_a_row_and_lets_through_exactly_its_actors(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.THROTTLE_RATES = {scope: None for scope in settings.THROTTLE_RATES}
    world = build_world()
    actual: dict[tuple[str, str], frozenset[str]] = {}
    statuses: dict[tuple[str, str], dict[str, int]] = {}
    for method, name, _pattern, kwargs in discover():
        url = url_for(name, kwargs, world)
        seen = {}
        for actor in ACTORS:
            seen[actor] = call(world, actor, method, url, body_for(name, world, actor)).status_code
        statuses[(method, name)] = seen
        actual[(method, name)] = frozenset(a for a, code in seen.items() if code not in (401, 403, 404, 405))
    if os.environ.get("MATRIX_DISCOVER"):
        for key in sorted(actual):
            print(key, sorted(actual[key]), statuses[key])
    missing = sorted(set(actual) - set(MATRIX))
    assert not missing, f"routes without a row in MATRIX: {missing}"
    wrong = {key: (sorted(MATRIX[key]), sorted(actual[key]), statuses[key]) for key in actual
             if actual[key] != MATRIX[key]}
    assert not wrong, "\n".join(f"{k}: expected {v[0]}, got {v[1]} {v[2]}" for k, v in wrong.items())


def body_for(name: str, world: World, actor: str) -> dict | None:
    """A valid body for each route that reads one, so that what decides is who calls, not what is sent."""
    o, orgs = world.objects, world.orgs
    today = dt.date.today()
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()
    reason = {"reason": "矩阵测试"}
    terms = {"licence_kind": "ordinary_licence", "territory": "浙江省", "start_date": str(today),
             "end_date": str(today + dt.timedelta(days=600)), "royalty_method": "annual", "annual_fee": "9000.00"}
    period = o["licence"].periods.order_by("pk").first()
    bodies = {
        "finance-api:receivable-pledge-list": {"bank": orgs["bank"].pk, "licences": [o["licence"].pk],
                                               "amount": "10000.00", "rate_percent": "4.000",
                                               "end_date": str(today + dt.timedelta(days=400))},
        "finance-api:receivable-pledge-decline": reason,
        "finance-api:pool-list": {"name": f"矩阵池{actor}", "periods": 4, "fee_per_period": "0.00"},
        "finance-api:pool-licences": {"licences": [o["licence"].pk]},
        "finance-api:pool-tranches": {"tranches": [{"name": "优先级", "size": "1000.00", "coupon_percent": "4.000",
                                                    "investor": orgs["other"].pk}]},
        "finance-api:risk-scheme-list": {"name": f"方案{actor}", "max_amount": "1000000.00",
                                         "max_rate_percent": "5.000", "right_kinds": ["invention"],
                                         "premium_rate": "0.0100", "participants": []},
        "finance-api:risk-scheme-enrol": {"loan": o["loan"].pk},
        "api:organisation-list": {"name": f"新机构{actor}", "credit_code": credit_code(80000 + ACTORS.index(actor)),
                                  "kind": "enterprise", "city": "3301", "admin_username": f"new-{actor}",
                                  "admin_password": PASSWORD},
        "api:organisation-revoke": reason,
        "api:claim-list": {"application_number": o["unclaimed_patent"].application_number},
        "api:claim-accept": {"holding_id": o["unclaimed_patent"].ownerships.get().pk, "reason": "营业执照已核验"},
        "api:claim-reject": reason,
        "api:listing-list": {"title": "转让", "mode": "transfer", "patent_ids": [o["declared_patent"].pk]},
        "api:listing-reject": reason,
        "api:deal-list": {"listing": o["listing"].pk, "price": "100000.00"},
        "api:deal-counter": {"price": "460000.00"},
        "api:deal-object": {"text": "异议"},
        "api:deal-consent": {"patent_id": o["patent"].pk},
        "api:deal-shares": {"shares": [{"name": o["patent"].ownerships.first().name, "share": "100"}]},
        "api:deal-refuse-registration": reason, "api:deal-cancel": reason,
        "api:open-licence-list": {"patent": o["patent"].pk, "licence_years": 3, "royalty_method": "annual",
                                  "annual_fee": "10000.00"},
        "api:open-licence-check": {"patent": o["patent"].pk},
        "api:open-licence-reject": reason, "api:open-licence-withdraw": reason,
        "api:open-licence-take-up": {"notice_confirmed": True},
        "api:licence-report": {"period": period.pk, "quantity": "1000.00"},
        "api:licence-pay": {"period": period.pk},
        "api:licence-contract-list": {"listing": o["licence_listing"].pk, **terms},
        "api:licence-contract-counter": terms,
        "api:licence-contract-record": {"record_number": "BA-1"},
        "api:licence-contract-refuse-record": reason, "api:licence-contract-terminate": reason,
        "api:licence-contract-cancel": reason,
        "api:pledge-loan-list": {"bank": orgs["bank"].pk, "patents": [o["declared_patent"].pk], "amount": "100000.00",
                                 "term_months": 12, "purpose": "流动资金", "repayment_plan": "equal_principal"},
        "api:pledge-loan-precheck": {"patents": [o["patent"].pk], "term_months": 12},
        "api:pledge-loan-request-info": {"message": "请补充材料"},
        "api:pledge-loan-resubmit": {"reply": "已补充"},
        "api:pledge-loan-approve": {"amount": "100000.00", "rate_percent": "3.6", "term_months": 12,
                                    "pledge_ratio": "0.3"},
        "api:pledge-loan-reject": reason, "api:pledge-loan-withdraw": reason,
        "api:pledge-loan-consent": {"patent_id": o["loan"].patents.first().pk},
        "api:pledge-loan-confirm": {"patent_id": o["loan"].patents.first().pk, "ground": "invalidation_pending"},
        "api:pledge-loan-draft-contract": {},
        "api:pledge-loan-cite-other-ground": reason,
        "api:pledge-loan-repay": {"amount": "1000.00"},
        "api:pledge-loan-release-patent": {"patent_id": o["loan"].patents.first().pk},
        "api:pledge-loan-declare-default": reason,
        "api:auction-list": {"patent_ids": [o["abandoned_patent"].pk], "creditor": orgs["bank"].pk,
                             "debtor": orgs["own"].pk, "claim_amount": "100000.00", "reserve_price": "50000.00",
                             "increment": "1000.00", "deposit": "5000.00", "starts_at": later,
                             "ends_at": (timezone.now() + dt.timedelta(days=3)).isoformat()},
        "api:auction-bid": {"amount": "200000.00"},
        "api:auction-fail": reason, "api:auction-cancel": reason,
        "api:auction-relist": {"reserve_price": "150000.00", "starts_at": later,
                               "ends_at": (timezone.now() + dt.timedelta(days=3)).isoformat()},
        "api:abandonment-list": {"patent_id": o["abandoned_patent"].pk, "reason": "不再实施"},
        "api:invitation-list": {"email": "x@example.cn"},
        "api:invitation-accept": {"token": o["invitation_token"], "username": f"joined-{actor}",
                                  "password": PASSWORD},
        "api:token": {"username": "m-own", "password": "wrong-password"},
        "matching-api:demand-list": {"title": "寻找技术", "text": "需要电池技术", "wanted_modes": ["licence"]},
        "matching-api:demand-detail": {"title": "寻找新技术"},
        "matching-api:proposal-list": {"demand": o["demand"].pk, "listing": o["listing"].pk},
        "matching-api:proposal-start-deal": {"price": "100000.00"},
        "matching-api:saved-search-list": {"name": "隔膜", "params": {"q": "隔膜"}},
        "api:open-licence-evaluation-report": {"multipart": True, "evaluation_report": pdf_upload()},
        "valuation:valuation-list": {"patent": o["patent"].pk, "income": {"revenue": "1000000",
                                                                          "royalty_rate": 0.05,
                                                                          "discount_rate": 0.1}},
    }
    return bodies.get(name, {})
