"""The quick estimate shown on listing and pledge pages: score with reasons, value range, pledge advice.

It is the batch computation (``valuation.batch``) for one patent on the default assumptions, with
``QUICK_DRAWS`` draws, seeded by the ``SEED`` setting and the patent id. Cached per patent, its
``updated_at``, the weights version and the day (remaining life changes daily); register changes
that do not touch the patent row (a new pledge, a licence) show after ``QUICK_CACHE_SECONDS``.
"""

from __future__ import annotations

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from market.models import Patent
from market.money import cny

from . import brand, indicators
from .assumptions import BASIS
from .batch import value_batch
from .facts import to_columns
from .risk import legal_risk
from .selectors import patent_facts
from .services import pledge_advice
from .settings import valuation_settings
from .weights import weights_for


def cache_key(patent: Patent, version: str) -> str:
    return f"valuation:quick:{patent.pk}:{patent.updated_at.timestamp():.6f}:{version}:{timezone.localdate():%Y%m%d}"


def compute_quick_estimate(patent: Patent) -> dict:
    """The estimate, uncached (see ``quick_estimate``)."""
    config = valuation_settings()
    version = config["WEIGHTS_VERSION"]
    today = timezone.localdate()
    facts = patent_facts([patent], on=today)
    if patent.is_trademark:
        return _mark_quick_estimate(patent, facts[0], config=config, on=today)
    weights = weights_for(version)
    batch = value_batch(to_columns(facts), weights=weights, assumptions=config["ASSUMPTIONS"],
                        risk_factors=config["LEGAL_RISK_FACTORS"],
                        rng=np.random.default_rng([config["SEED"], patent.pk]), draws=config["QUICK_DRAWS"])
    breakdown = indicators.breakdown(facts[0], weights, version=version)
    p10, p50, p90 = (cny(float(x[0])) for x in (batch.p10, batch.p50, batch.p90))
    advice = pledge_advice(patent=patent, facts=facts[0], p10=p10, p50=p50, score=breakdown["total"],
                           loan_term_years=float(config["DEFAULT_LOAN_TERM_YEARS"]), on=today)
    return {
        "patent_id": patent.pk, "valuation_date": today, "weights_version": version, "method": "income",
        "basis": BASIS, "currency": "CNY", "draws": config["QUICK_DRAWS"],
        "score": breakdown["total"], "dimensions": breakdown["dimensions"], "indicators": breakdown["indicators"],
        "notes": breakdown["notes"], "risk_lines": legal_risk(facts[0], config["LEGAL_RISK_FACTORS"])[1],
        "p10": p10, "p50": p50, "p90": p90,
        "pledge": {"ratio": advice.ratio, "max_loan": advice.max_loan, "lines": advice.lines},
    }


def _mark_quick_estimate(patent: Patent, facts, *, config, on) -> dict:
    """A mark has no quick value (its goods' revenue is not the platform's to know): its brand score, its risks,
    and no value until a formal valuation (valuation/brand.py)."""
    used = facts.implemented
    breakdown = brand.brand_score(patent, facts, used=used, on=on)
    zero = cny(0)
    advice = pledge_advice(patent=patent, facts=facts, p10=zero, p50=zero, score=breakdown["total"],
                           loan_term_years=float(config["DEFAULT_LOAN_TERM_YEARS"]), on=on)
    return {
        "patent_id": patent.pk, "valuation_date": on, "weights_version": breakdown["version"], "method": "income",
        "basis": BASIS, "currency": "CNY", "draws": 0, "score": breakdown["total"],
        "dimensions": breakdown["dimensions"], "indicators": breakdown["indicators"],
        "notes": [*breakdown["notes"], brand.QUICK_NOTE],
        "risk_lines": brand.mark_risk(patent, facts, used=used, on=on, config=config)[1],
        "p10": zero, "p50": zero, "p90": zero,
        "pledge": {"ratio": advice.ratio, "max_loan": advice.max_loan, "lines": advice.lines},
    }


def quick_estimate(patent: Patent) -> dict:
    """Score (with each indicator's reason), P10/P50/P90 in CNY and the pledge advice of ``patent``.

    Money values are Decimal. ``pledge`` is for banks: pages show it to bank users only.
    """
    config = valuation_settings()
    return cache.get_or_set(cache_key(patent, config["WEIGHTS_VERSION"]), lambda: compute_quick_estimate(patent),
                            config["QUICK_CACHE_SECONDS"])
