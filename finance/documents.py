"""What finance's documents show: the receivable pledge's registration certificate, a pool's issue
statement and each period's distribution report. Only reads."""

from __future__ import annotations

from market.documents.context import party
from market.models import Document
from market.money import ZERO
from market.pledges.documents import money

from .models import PoolPeriod, ReceivablePledge, SecuritisationPool
from .receivable_pledges import collected


def pledge_context(document: Document, pledge: ReceivablePledge) -> dict:
    licences = pledge.licences.select_related("patent", "licensee").order_by("pk")
    return {"pledge": pledge, "deal_number": pledge.number, "pledgor": party(pledge.pledgor),
            "pledgee": party(pledge.bank), "secured": money(pledge.secured_amount or ZERO),
            "principal": money(pledge.amount), "collected": money(collected(pledge)),
            "licences": [{"number": lic.number, "patent": lic.patent.title, "patent_number": lic.patent.patent_number,
                          "licensee": lic.licensee.name, "end_date": lic.end_date} for lic in licences]}


def _pool_rows(pool: SecuritisationPool) -> dict:
    receivables = pool.receivables.select_related("licence__patent", "licence__licensor", "licence__licensee")
    return {"pool": pool, "servicer": party(pool.servicer),
            "tranches": [{"name": t.name, "priority": t.priority, "size": money(t.size), "coupon": t.coupon_percent,
                          "investor": t.investor.name, "balance": money(t.balance), "loss": money(t.loss)}
                         for t in pool.tranches.select_related("investor")],
            "receivables": [{"licence": r.licence.number, "patent": r.licence.patent.title,
                             "licensor": r.licence.licensor.name, "licensee": r.licence.licensee.name,
                             "expected": money(r.expected), "present_value": money(r.present_value),
                             "price": money(r.price or ZERO)} for r in receivables],
            "fee": money(pool.fee_per_period)}


def issue_context(document: Document, pool: SecuritisationPool) -> dict:
    simulation = pool.simulation or {}
    return {**_pool_rows(pool), "deal_number": pool.number, "simulation": simulation,
            "simulation_rows": [(t["name"], f"{t['expected_loss']:.2%}", f"{t['loss_probability']:.2%}")
                                for t in simulation.get("tranches", [])],
            "total": money(sum((t.size for t in pool.tranches.all()), ZERO))}


def distribution_context(document: Document, period: PoolPeriod) -> dict:
    pool = period.pool
    return {**_pool_rows(pool), "deal_number": period.number, "period": period,
            "collected": money(period.collected), "fees_paid": money(period.fees_paid),
            "residual": money(period.residual), "statement": period.statement,
            "collections": list(period.collections.order_by("pk"))}
