"""Uncertain inputs as distributions, and the seeded Monte Carlo that turns them into P10 / P50 / P90.

An input is a fixed number, a triangular distribution (low, mode, high) or a lognormal one
(median, sigma). Draws are vectorised: one array of shape ``(draws,)`` — or ``(patents, draws)``
in a batch — per uncertain input, taken from the caller's seeded ``numpy.random.Generator`` in a
fixed order, so the same seed gives the same result. Fixed inputs take no draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PERCENTILES = (10.0, 50.0, 90.0)


@dataclass(frozen=True)
class Fixed:
    value: float

    def as_json(self) -> float:
        return self.value

    @property
    def typical(self) -> float:
        return self.value


@dataclass(frozen=True)
class Triangular:
    low: float
    mode: float
    high: float

    def as_json(self) -> dict:
        return {"distribution": "triangular", "low": self.low, "mode": self.mode, "high": self.high}

    @property
    def typical(self) -> float:
        return self.mode


@dataclass(frozen=True)
class Lognormal:
    median: float
    sigma: float

    def as_json(self) -> dict:
        return {"distribution": "lognormal", "median": self.median, "sigma": self.sigma}

    @property
    def typical(self) -> float:
        return self.median


Spec = Fixed | Triangular | Lognormal


def triangular_ppf(u, low, mode, high):
    """Inverse CDF of the triangular distribution; broadcasts; a zero-width one gives ``low``."""
    width = np.subtract(high, low)
    left_width = np.subtract(mode, low)
    with np.errstate(divide="ignore", invalid="ignore"):
        split = np.where(width > 0, left_width / np.where(width > 0, width, 1.0), 0.0)
    left = u < split
    # One square root per draw: of u·w·(m−a) on the left branch, of (1−u)·w·(b−m) on the right.
    root = np.sqrt(np.where(left, u * left_width, (1.0 - u) * np.subtract(high, mode)) * width)
    return np.where(left, low + root, high - root)


def sample(spec: Spec, rng: np.random.Generator, shape: int | tuple[int, ...]) -> np.ndarray | float:
    """Draws of ``spec``: an array of ``shape`` (a plain float for a fixed value, which takes no draws)."""
    if isinstance(spec, Fixed):
        return float(spec.value)
    if isinstance(spec, Triangular):
        return triangular_ppf(rng.random(shape), spec.low, spec.mode, spec.high)
    return spec.median * np.exp(spec.sigma * rng.standard_normal(shape))


def sample_triangular(rng: np.random.Generator, shape, low, mode, high) -> np.ndarray:
    """Triangular draws with per-patent parameters (arrays of shape ``(patents, 1)`` broadcast over draws)."""
    return triangular_ppf(rng.random(shape), low, mode, high)


def sample_lognormal(rng: np.random.Generator, shape, median, sigma) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(shape))


def percentiles(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """P10, P50, P90 along ``axis`` (linear interpolation); shape ``(3, …)``."""
    return np.percentile(values, PERCENTILES, axis=axis)


def histogram(values: np.ndarray, bins: int = 24) -> dict:
    """Counts over equal bins from the 1st to the 99th percentile; the tails fall into the end bins."""
    values = np.asarray(values, dtype=np.float64).ravel()
    low, high = np.percentile(values, (1.0, 99.0))
    if high <= low:
        high = low + max(abs(low) * 0.01, 1.0)
    counts, edges = np.histogram(np.clip(values, low, high), bins=bins, range=(low, high))
    return {"edges": [round(float(e), 2) for e in edges], "counts": [int(c) for c in counts]}
