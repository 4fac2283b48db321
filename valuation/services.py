"""Valuation operations: value a patent on request, sign a valuation off, revalue patents in batch.

These are the only writers of ``Valuation`` rows. The arithmetic is in the pure modules; this
module reads the register (``selectors``), calls them and stores inputs, method, weights version,
results and who asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal

import numpy as np
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from market.models import Document, DocumentKind, Patent, PatentKind, TransitionLog, User
from market.money import cny
from market.rules import Reason, RuleViolation, pledge_blockers
from market.services.documents import document_request
from market.services.errors import ActionForbidden

from . import brand, indicators
from .assumptions import BASIS
from .batch import value_batch
from .facts import PatentFacts, to_columns
from .inputs import ValuationInputError, ValuationInputs, parse_inputs
from .methods import cost, income
from .methods.market import market_value
from .models import Valuation, ValuationMethod, ValuationSource, WeightsVersion
from .montecarlo import histogram, percentiles
from .pledge_ratio import PledgeAdvice, recommend_pledge_ratio, risk_flags
from .risk import legal_risk
from .selectors import comparables, patent_facts
from .settings import pledge_caps, valuation_settings
from .weights import weights_for

# The largest amount a Valuation can store (DecimalField max_digits=15, decimal_places=2).
MAX_AMOUNT = Decimal("9999999999999.99")
# Registry grounds that a pledge application cures on its way (consents are given in the pledge deal):
# at valuation time they lower the ratio as a risk flag instead of setting it to 0.
CURABLE_CODES = {"co_owner_consent_missing"}


def weights_version(version: str | None = None) -> WeightsVersion:
    """The stored row of weights ``version`` (the setting by default), created from the table if missing."""
    version = version or valuation_settings()["WEIGHTS_VERSION"]
    try:
        table = weights_for(version)
    except KeyError as exc:
        raise ValuationInputError({"weights_version": [exc.args[0]]}) from None
    row, _ = WeightsVersion.objects.get_or_create(version=version, defaults={"weights": table})
    if row.weights != table:
        raise ImproperlyConfigured(f"权重版本 {version} 的存储值与代码不一致 / Stored weights of {version} differ from "
                                   f"valuation/weights.py: publish a new version instead of editing one")
    return row


def money_percentiles(values: np.ndarray) -> dict[str, str]:
    p10, p50, p90 = percentiles(values)
    return {"p10": str(cny(float(p10))), "p50": str(cny(float(p50))), "p90": str(cny(float(p90)))}


def simulation_result(values: np.ndarray) -> dict:
    """P10/P50/P90, mean and histogram of a method's draws (money as strings of 2 decimals)."""
    return {**money_percentiles(values), "mean": str(cny(float(np.mean(values)))), "histogram": histogram(values)}


def pledge_advice(*, patent: Patent, facts: PatentFacts, p10, p50, score: float, loan_term_years: float,
                  on: dt.date, bank_credit_code: str | None = None, pledgor_id: int | None = None) -> PledgeAdvice:
    """The pledge-ratio advice for ``patent``: the registry's grounds of refusal (market.rules) decide
    whether it may be pledged by its holder (``pledgor_id`` if a holder, else the first one)."""
    holders = [o.organisation for o in patent.ownerships.select_related("organisation").order_by("pk") if o.joined]
    pledgor = next((org for org in holders if org.pk == pledgor_id), holders[0] if holders else None)
    if pledgor is None:
        reasons = [Reason("no_holder", "pledge", "登记簿上没有专利权人 / No holder on the register")]
    else:
        debt_end = on + dt.timedelta(days=round(loan_term_years * 365.25))
        reasons = pledge_blockers(patent, pledgor=pledgor, debt_end=debt_end)
    blockers = [r.message for r in reasons if r.code not in CURABLE_CODES]
    config = valuation_settings()
    remaining = brand.life_with_renewals(patent, on, config) if patent.is_trademark else facts.remaining_years
    return recommend_pledge_ratio(
        p10=p10, p50=p50, score=score, kind=patent.kind, remaining_years=remaining,
        loan_term_years=loan_term_years, risk_flags=risk_flags(facts), pledgeable=not blockers, blockers=blockers,
        caps=pledge_caps(bank_credit_code), ceiling=float(config["PLEDGE_RATIO_CEILING"]))


def _range(result: Mapping) -> dict[str, Decimal]:
    return {name: cny(result[name]) for name in ("p10", "p50", "p90")}


def _score(total: float) -> Decimal:
    return Decimal(str(total)).quantize(Decimal("0.1"))


def _bank_code(actor: User | None) -> str | None:
    org = getattr(actor, "organisation", None)
    return org.credit_code if org is not None and org.is_bank else None


def _market_result(raw: dict) -> dict:
    """The market method's result with money as strings."""
    result = {key: value for key, value in raw.items() if key not in ("values", "percentiles")}
    result["comparables"] = [{**row, "price_per_patent": str(cny(row["price_per_patent"])),
                              "adjusted_price": str(cny(row["adjusted_price"])),
                              "score": round(row["score"], 1),
                              "remaining_years_at_deal": round(row["remaining_years_at_deal"], 2)}
                             for row in raw["comparables"]]
    if raw["available"]:
        result.update(money_percentiles(raw["values"]))
        result["histogram"] = histogram(raw["values"], bins=max(3, min(12, raw["count"])))
    return result


def valuation_create(*, patent_id: int, actor: User, inputs: Mapping) -> Valuation:
    """Value patent ``patent_id`` with the requested method and inputs, and store the valuation.

    Raises ValuationInputError (field messages) for out-of-range inputs or a market method
    without enough comparables, ActionForbidden for a user without an organisation.
    """
    if actor is None or actor.organisation_id is None:
        raise ActionForbidden("请使用机构账户 / Sign in with an organisation account")
    patent = Patent.objects.get(pk=patent_id)
    config = valuation_settings()
    today = timezone.localdate()
    if patent.is_trademark:
        return _mark_valuation_create(patent, actor=actor, inputs=inputs, config=config, today=today)
    parsed = parse_inputs(inputs, remaining_years=patent.remaining_years(today), valuation_year=today.year,
                          filing_year=patent.filing_date.year, defaults=config)
    facts = patent_facts([patent], on=today, implemented=parsed.implemented)[0]
    weights = weights_version()
    breakdown = indicators.breakdown(facts, weights.weights, version=weights.version)
    score = breakdown["total"]
    risk_factor, risk_lines = legal_risk(facts, config["LEGAL_RISK_FACTORS"])

    results: dict = {"risk_factor": risk_factor, "risk_lines": risk_lines, "methods": {}}
    if parsed.income:
        results["methods"]["income"] = _income_result(parsed, risk_factor)
    if parsed.cost:
        draws = cost.simulate(parsed.cost, rng=np.random.default_rng(parsed.seed), draws=parsed.draws,
                              valuation_year=today.year, remaining_years=facts.remaining_years,
                              term_years=facts.term_years, risk_factor=risk_factor)
        results["methods"]["cost"] = simulation_result(draws)
    market = market_value(comparables(facts, on=today, weights=weights.weights, limit=config["MARKET_MAX_COMPARABLES"]),
                          subject_score=score, subject_remaining=facts.remaining_years, risk_factor=risk_factor,
                          minimum=config["MARKET_MIN_COMPARABLES"], bounds=tuple(config["MARKET_ADJUSTMENT_BOUNDS"]))
    results["methods"]["market"] = _market_result(market)
    if parsed.method == ValuationMethod.MARKET and not market["available"]:
        raise ValuationInputError({"method": [results["methods"]["market"]["reason"]
                                              + "；请改用收益法或成本法 / use the income or cost method"]})
    return _store(patent, actor=actor, parsed=parsed, facts=facts, weights=weights, breakdown=breakdown,
                  results=results, today=today)


def _income_result(parsed: ValuationInputs, risk_factor: float) -> dict:
    """The income method's draws summarised, with the year-by-year schedule of the most likely inputs."""
    draws = income.simulate(parsed.income, rng=np.random.default_rng(parsed.seed), draws=parsed.draws,
                            risk_factor=risk_factor)
    schedule = [{**row, **{k: str(cny(row[k])) for k in ("revenue", "royalty", "present_value")},
                 "discount_factor": round(row["discount_factor"], 6)}
                for row in income.typical_schedule(parsed.income, risk_factor=risk_factor)]
    return {**simulation_result(draws), "schedule": schedule}


def _store(patent: Patent, *, actor: User, parsed: ValuationInputs, facts: PatentFacts, weights: WeightsVersion,
           breakdown: dict, results: dict, today: dt.date) -> Valuation:
    """Check the headline method's range, advise the pledge ratio and store the valuation."""
    headline = results["methods"][parsed.method]
    if any(cny(headline[name]) > MAX_AMOUNT for name in ("p10", "p50", "p90")):
        raise ValuationInputError({"non_field_errors": [
            "评估结果超过可记录的上限（10 万亿元），请检查输入 / The result exceeds the largest amount that can be "
            "recorded (CNY 10 trillion): check the inputs"]})
    score = breakdown["total"]
    advice = pledge_advice(patent=patent, facts=facts, p10=headline["p10"], p50=headline["p50"], score=score,
                           loan_term_years=parsed.loan_term_years, on=today, bank_credit_code=_bank_code(actor),
                           pledgor_id=actor.organisation_id)
    return Valuation.objects.create(
        patent=patent, method=parsed.method, source=ValuationSource.REQUEST, weights_version=weights,
        valuation_date=today, inputs=parsed.as_json(), seed=parsed.seed, draws=parsed.draws, score=_score(score),
        score_breakdown=breakdown, **_range(headline), results=results,
        pledge_ratio=advice.ratio, max_loan=advice.max_loan, pledge_advice=advice.as_json(),
        requested_by=actor, requested_by_organisation=actor.organisation)


def _mark_valuation_create(patent: Patent, *, actor: User, inputs: Mapping, config: Mapping,
                           today: dt.date) -> Valuation:
    """A registered mark: relief from royalty over the brand's life counting renewals (valuation/brand.py)."""
    if (inputs.get("method") or "income") != ValuationMethod.INCOME or inputs.get("cost"):
        raise ValuationInputError({"method": [brand.INCOME_ONLY]})
    income_section = dict(inputs.get("income") or {})
    income_section.setdefault("royalty_rate", config["MARK_ROYALTY_RATE"])
    parsed = parse_inputs({**inputs, "income": income_section},
                          remaining_years=brand.life_with_renewals(patent, today, config), valuation_year=today.year,
                          filing_year=patent.filing_date.year, defaults=config)
    used = bool(parsed.implemented)
    facts = patent_facts([patent], on=today, implemented=used)[0]
    breakdown = brand.brand_score(patent, facts, used=used, on=today)
    risk_factor, risk_lines = brand.mark_risk(patent, facts, used=used, on=today, config=config)
    results = {"risk_factor": risk_factor, "risk_lines": risk_lines,
               "life_years": round(brand.life_with_renewals(patent, today, config), 2),
               "methods": {"income": _income_result(parsed, risk_factor)}}
    return _store(patent, actor=actor, parsed=parsed, facts=facts, weights=weights_version(), breakdown=breakdown,
                  results=results, today=today)


def valuation_sign_off(*, valuation_id: int, actor: User) -> Valuation:
    """A valuation agency's user signs the valuation off; signing again by the same agency changes nothing."""
    org = getattr(actor, "organisation", None)
    if org is None or not org.is_valuation_agency:
        raise ActionForbidden("只有评估机构的用户可以签署评估 / Only a valuation agency's user may sign off a valuation")
    with transaction.atomic():
        valuation = Valuation.objects.select_for_update().get(pk=valuation_id)
        if valuation.signed_off:
            if valuation.signed_off_organisation_id == org.pk:
                return valuation
            name = valuation.signed_off_organisation.name
            raise RuleViolation(Reason("already_signed_off", "valuation",
                                       f"该评估已由{name}签署 / This valuation was already signed off by {name}"))
        valuation.signed_off_by = actor
        valuation.signed_off_organisation = org
        valuation.signed_off_at = timezone.now()
        valuation.save(update_fields=["signed_off_by", "signed_off_organisation", "signed_off_at"])
        TransitionLog.record(valuation, transition="sign_off", from_state="unsigned", to_state="signed_off",
                             actor=actor)
    return valuation


def _fingerprint(facts: PatentFacts, *, version: str, seed: int, draws: int, on: dt.date) -> str:
    payload = json.dumps({"facts": asdict(facts), "weights": version, "seed": seed, "draws": draws,
                          "date": on.isoformat()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def valuations_revalue(*, patent_ids: Sequence[int], weights_version_name: str, seed: int,
                       draws: int | None = None) -> int:
    """Revalue ``patent_ids`` on the default assumptions (score + income method, vectorised over the
    chunk) and store one batch valuation each; returns how many were new.

    The random stream is seeded by ``seed`` and the ids of the chunk. A patent whose facts, weights,
    seed and date match an existing batch valuation is skipped, so running a chunk twice adds nothing.
    """
    config = valuation_settings()
    draws = draws or config["DRAWS"]
    weights = weights_version(weights_version_name)
    today = timezone.localdate()
    patents = list(Patent.objects.filter(pk__in=patent_ids).exclude(kind=PatentKind.TRADEMARK).order_by("pk"))
    if not patents:
        return 0
    facts = patent_facts(patents, on=today)
    fingerprints = [_fingerprint(f, version=weights.version, seed=seed, draws=draws, on=today) for f in facts]
    existing = set(Valuation.objects.filter(source=ValuationSource.BATCH, fingerprint__in=fingerprints)
                   .values_list("fingerprint", flat=True))
    rng = np.random.default_rng([seed, *(p.pk for p in patents)])
    batch = value_batch(to_columns(facts), weights=weights.weights, assumptions=config["ASSUMPTIONS"],
                        risk_factors=config["LEGAL_RISK_FACTORS"], rng=rng, draws=draws, keep_values=True)
    rows = []
    for i, (patent, fact, fingerprint) in enumerate(zip(patents, facts, fingerprints, strict=True)):
        if fingerprint in existing:
            continue
        breakdown = indicators.breakdown(fact, weights.weights, version=weights.version)
        risk_factor, risk_lines = legal_risk(fact, config["LEGAL_RISK_FACTORS"])
        income_inputs = batch.parameters.inputs_for(i)
        headline = simulation_result(batch.values[i])
        advice = pledge_advice(patent=patent, facts=fact, p10=headline["p10"], p50=headline["p50"],
                               score=breakdown["total"], loan_term_years=float(config["DEFAULT_LOAN_TERM_YEARS"]),
                               on=today)
        inputs = {"method": "income", "seed": seed, "draws": draws, "assumptions": "default",
                  "loan_term_years": float(config["DEFAULT_LOAN_TERM_YEARS"]),
                  "income": {name: getattr(income_inputs, name).as_json()
                             for name in ("revenue", "growth", "royalty_rate", "share", "discount_rate")}
                  | {"economic_life": income_inputs.economic_life}}
        rows.append(Valuation(
            patent=patent, method=ValuationMethod.INCOME, source=ValuationSource.BATCH, weights_version=weights,
            valuation_date=today, inputs=inputs, seed=seed, draws=draws, score=_score(breakdown["total"]),
            score_breakdown=breakdown, **_range(headline),
            results={"risk_factor": risk_factor, "risk_lines": risk_lines, "basis": BASIS,
                     "methods": {"income": headline}},
            pledge_ratio=advice.ratio, max_loan=advice.max_loan, pledge_advice=advice.as_json(),
            fingerprint=fingerprint))
    Valuation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def valuation_report_request(*, valuation_id: int) -> Document:
    """The valuation's report as a numbered, hashed, QR-coded document (rendered after commit; idempotent)."""
    with transaction.atomic():
        valuation = Valuation.objects.get(pk=valuation_id)
        return document_request(deal=valuation, kind=DocumentKind.VALUATION_REPORT)
