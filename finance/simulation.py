"""The pre-issue simulation of a royalty-backed pool: a seeded Monte Carlo of licensees' defaults and royalty
shortfalls, run through the waterfall on every path, giving each tranche's expected loss and chance of any loss.

The model (stated, parameters in ``Pool``):

- receivable ``i`` pays ``expected[i]`` a period while its licence runs (``ends[i]``: the last period it pays)
  and its licensee has not defaulted, times the period's profile ``profile[t]`` (growth, seasonality);
- each licensee ``j`` defaults in a period with probability ``default_rate[j]`` (independently of the others
  and of the periods before): after its default period none of its licences pays again;
- what the licences pay varies around expectation with a market factor common to all licences (lognormal,
  mean 1, ``market_sigma``) and an idiosyncratic part per licence (``licence_sigma``), whose sum over thousands
  of licences is drawn as one normal per period (its variance is the sum of theirs);
- the waterfall is ``finance.waterfall``'s, in floating point over all paths at once.

The work per path is a histogram of when receivables stop paying (``numpy.bincount``), so memory is bounded by
the chunk of paths and not by receivables × periods × paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pool:
    expected: np.ndarray       # (receivables,) royalty a period, CNY
    ends: np.ndarray           # (receivables,) last period each pays (1-based), ≤ periods
    licensee: np.ndarray       # (receivables,) index of its licensee
    default_rate: np.ndarray   # (licensees,) chance of default in a period
    profile: np.ndarray        # (periods,) multiplier of the expectation each period
    market_sigma: float = 0.15
    licence_sigma: float = 0.30


@dataclass(frozen=True)
class Structure:
    sizes: np.ndarray          # (tranches,) by priority
    coupon_rates: np.ndarray   # (tranches,) yearly
    fee_per_period: float
    periods_per_year: int


def collections(pool: Pool, paths: int, rng: np.random.Generator, chunk: int = 500) -> np.ndarray:
    """Royalties collected on each path and period: an array (paths, periods)."""
    periods = len(pool.profile)
    licensees = len(pool.default_rate)
    # log(1 - p) once per licensee: the default period is ceil(log U / log(1 - p)) (geometric).
    log_survive = np.log1p(-np.clip(pool.default_rate, 1e-12, 1 - 1e-12))
    stop_weights = pool.expected.astype(np.float64)
    idio_sd = np.sqrt(np.square(pool.expected * pool.licence_sigma).sum()) * pool.profile
    mu = -0.5 * pool.market_sigma ** 2
    out = np.empty((paths, periods))
    for first in range(0, paths, chunk):
        n = min(chunk, paths - first)
        u = rng.random((n, licensees))
        defaults = np.minimum(np.ceil(np.log(u) / log_survive), periods + 1).astype(np.int32)
        # The period after which each receivable pays no more: its licence's end or its licensee's default.
        stops = np.minimum(defaults[:, pool.licensee] - 1, pool.ends)   # (n, receivables), 0..periods
        index = stops + (periods + 1) * np.arange(n, dtype=np.int32)[:, None]
        stopped = np.bincount(index.ravel(), weights=np.broadcast_to(stop_weights, stops.shape).ravel(),
                              minlength=n * (periods + 1)).reshape(n, periods + 1)
        # Paying in period t (1-based): those that stop at t or later.
        paying = stopped[:, ::-1].cumsum(axis=1)[:, ::-1][:, 1:]        # (n, periods)
        market = rng.lognormal(mu, pool.market_sigma, (n, periods))
        noise = rng.standard_normal((n, periods)) * idio_sd * np.sqrt(paying / max(stop_weights.sum(), 1.0))
        out[first:first + n] = np.maximum(paying * pool.profile * market + noise, 0.0)
    return out


def waterfall_losses(cash: np.ndarray, structure: Structure) -> np.ndarray:
    """Each tranche's loss on each path (balance unpaid at the end): an array (paths, tranches)."""
    paths, periods = cash.shape
    balance = np.broadcast_to(structure.sizes.astype(np.float64), (paths, len(structure.sizes))).copy()
    coupon_owed = np.zeros_like(balance)
    fees_owed = np.zeros(paths)
    rate = structure.coupon_rates / structure.periods_per_year
    for t in range(periods):
        available = cash[:, t].copy()
        fees = fees_owed + structure.fee_per_period
        paid = np.minimum(available, fees)
        available -= paid
        fees_owed = fees - paid
        for k in range(balance.shape[1]):
            due = balance[:, k] * rate[k] + coupon_owed[:, k]
            paid = np.minimum(available, due)
            available -= paid
            coupon_owed[:, k] = due - paid
        for k in range(balance.shape[1]):
            principal = np.minimum(available, balance[:, k])
            available -= principal
            balance[:, k] -= principal
    return balance


@dataclass(frozen=True)
class TrancheRisk:
    expected_loss: float       # mean loss ÷ size
    loss_probability: float    # share of paths with any loss (more than a fen)


def simulate(pool: Pool, structure: Structure, *, paths: int, seed: int) -> list[TrancheRisk]:
    """Each tranche's expected loss and probability of any loss over ``paths`` seeded paths."""
    rng = np.random.default_rng(seed)
    losses = waterfall_losses(collections(pool, paths, rng), structure)
    return [TrancheRisk(float(losses[:, k].mean() / structure.sizes[k]), float((losses[:, k] > 0.01).mean()))
            for k in range(losses.shape[1])]
