"""Valuation settings: the defaults below, overridden key by key by ``settings.VALUATION`` (a dict).

Numbers marked (verify) are product assumptions, not law or standard: they live here so that a
valuation committee can change them without touching code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # The weights table a new valuation uses (valuation/weights.py).
    "WEIGHTS_VERSION": "2026.1",
    # Monte Carlo: draws of a valuation, the range a request may ask for, and the default seed.
    "DRAWS": 10_000,
    "MIN_DRAWS": 1_000,
    "MAX_DRAWS": 100_000,
    "SEED": 20260101,
    # Market method: fewer closed comparable deals than this gives no market value.
    "MARKET_MIN_COMPARABLES": 3,
    # At most this many comparables (the most recent) enter the market method.
    "MARKET_MAX_COMPARABLES": 20,
    # Score and remaining-life adjustment factors of a comparable are clamped to this range.
    "MARKET_ADJUSTMENT_BOUNDS": (0.5, 2.0),
    # Pledge ratio: never above the ceiling; per-kind caps by default and per bank (credit code).
    "PLEDGE_RATIO_CEILING": 0.50,
    "PLEDGE_CAPS": {"invention": 0.25, "utility_model": 0.15, "design": 0.10, "trademark": 0.20},
    # Registered marks (valuation/brand.py): renewals counted in the brand's life, the brand royalty rate when a
    # request gives none, and the risk multipliers (verify).
    "MARK_RENEWALS_COUNTED": 1,
    "MARK_ROYALTY_RATE": 0.02,
    "MARK_RISK_FACTORS": {"not_used": 0.6, "disputed": 0.5, "renewal_due": 0.9},
    "BANK_PLEDGE_CAPS": {},
    "DEFAULT_LOAN_TERM_YEARS": 3,
    # Multipliers on every method's value for legal risks (verify).
    "LEGAL_RISK_FACTORS": {"pending": 0.6, "invalidation_pending": 0.7, "disputed": 0.5, "annual_fee_overdue": 0.9},
    # Cost method: yearly index applied to a historical development cost when none is given (verify).
    "COST_INDEX_RATE": 0.03,
    # Quick estimate on listing pages: draws and cache lifetime.
    "QUICK_DRAWS": 1_000,
    "QUICK_CACHE_SECONDS": 3600,
    # manage.py value_patents: patents per Celery task.
    "BATCH_CHUNK_SIZE": 500,
    # Default income assumptions for quick estimates and batch revaluation (verify): first-year revenue
    # of the product line using the patent (lognormal median by kind, times an industry factor and
    # score / 60), royalty rates by industry, share of the royalty due to this patent, growth, discount rate.
    "ASSUMPTIONS": {
        "revenue_median": {"invention": 2_000_000, "utility_model": 800_000, "design": 500_000},
        "revenue_sigma": 0.6,
        "industry_revenue_factor": {"digital": 1.2, "life_health": 1.3, "new_materials": 1.1, "other": 1.0},
        "royalty_rate": {"digital": (0.02, 0.04, 0.07), "life_health": (0.03, 0.06, 0.10),
                         "new_materials": (0.02, 0.04, 0.08), "other": (0.01, 0.03, 0.05)},
        "share": (0.2, 0.3, 0.4),
        "growth": (-0.05, 0.03, 0.10),
        "discount_rate": (0.10, 0.12, 0.16),
        "economic_life_cap": 10.0,
    },
}


def valuation_settings() -> dict[str, Any]:
    """The defaults with ``settings.VALUATION`` laid over them (top-level keys replace)."""
    return {**DEFAULTS, **getattr(settings, "VALUATION", {})}


def setting(name: str) -> Any:
    return valuation_settings()[name]


def pledge_caps(bank_credit_code: str | None = None) -> dict[str, float]:
    """Pledge-ratio caps by patent kind: the bank's own (``BANK_PLEDGE_CAPS[credit code]``) over the defaults."""
    config = valuation_settings()
    caps = dict(config["PLEDGE_CAPS"])
    if bank_credit_code:
        caps.update(config["BANK_PLEDGE_CAPS"].get(bank_credit_code, {}))
    return caps
