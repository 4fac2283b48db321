"""Benchmark: the pre-issue simulation of a royalty-backed securitisation pool (finance/simulation.py).

    .venv/bin/python benchmarks/securitisation.py                  # 10,000 receivables × 20 periods × 10,000 paths
    .venv/bin/python benchmarks/securitisation.py --paths 1000

The pool is generated (seeded): receivables of 3,000 licensees, each paying a quarterly royalty drawn
lognormal around ¥50,000 until its licence ends (between the 8th and the 20th quarter), licensees defaulting
0.2–2 % a quarter, royalties growing 1 % a quarter; three tranches sized on the pool's expected collections
(senior 60 % at 3.5 %, mezzanine 15 % at 6 %, subordinated 10 % at 10 %), fees ¥200,000 a quarter. It prints
each tranche's expected loss and chance of any loss, the time of the simulation and the process's peak memory;
the last line is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import peak_rss_mib  # noqa: E402  (benchmarks/support/)

from finance.simulation import Pool, Structure, simulate  # noqa: E402

SEED = 20261207


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receivables", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=20)
    parser.add_argument("--paths", type=int, default=10_000)
    return parser.parse_args()


def generated_pool(receivables: int, periods: int, rng: np.random.Generator) -> Pool:
    licensees = max(1, receivables * 3 // 10)
    return Pool(expected=rng.lognormal(np.log(50_000), 0.6, receivables),
                ends=rng.integers(min(8, periods), periods + 1, receivables),
                licensee=rng.integers(0, licensees, receivables),
                default_rate=rng.uniform(0.002, 0.02, licensees),
                profile=1.01 ** np.arange(periods))


def main() -> None:
    args = parse_args()
    rng = np.random.default_rng(SEED)
    pool = generated_pool(args.receivables, args.periods, rng)
    expected_total = float((pool.expected[:, None] * pool.profile[None, :]
                            * (np.arange(1, args.periods + 1)[None, :] <= pool.ends[:, None])).sum())
    structure = Structure(sizes=np.array([0.60, 0.15, 0.10]) * expected_total,
                          coupon_rates=np.array([0.035, 0.06, 0.10]), fee_per_period=200_000.0, periods_per_year=4)
    began = time.perf_counter()
    risks = simulate(pool, structure, paths=args.paths, seed=SEED)
    seconds = time.perf_counter() - began
    names = ("senior", "mezzanine", "subordinated")
    for name, size, risk in zip(names, structure.sizes, risks, strict=True):
        print(f"{name:13} ¥{size:,.0f}  expected loss {risk.expected_loss:.4%}  P(loss) {risk.loss_probability:.4f}")
    figures = {"receivables": args.receivables, "periods": args.periods, "paths": args.paths,
               "seconds": round(seconds, 3), "peak_mib": round(peak_rss_mib(), 1),
               "expected_loss": {n: round(r.expected_loss, 6) for n, r in zip(names, risks, strict=True)},
               "loss_probability": {n: round(r.loss_probability, 4) for n, r in zip(names, risks, strict=True)}}
    print(f"{args.receivables:,} receivables × {args.periods} periods × {args.paths:,} paths: {seconds:.2f} s, "
          f"peak {figures['peak_mib']} MiB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
