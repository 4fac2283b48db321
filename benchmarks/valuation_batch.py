"""Benchmark: score + income method (Monte Carlo) for N patents, vectorised in chunks.

    .venv/bin/python benchmarks/valuation_batch.py               # 1,000,000 patents
    .venv/bin/python benchmarks/valuation_batch.py --count 100000

The patents are the real records of ``--data`` (a folder of record files like demo/data, the default),
read through the demo importer's adapters (market.demo) and RESAMPLED to N: each draws a real record and gets a
new id, a filing date moved by up to ±3 years, and the fields no record file carries (citations,
family, licences, register flags) drawn from fixed distributions — the output lists them.
Each patent is scored (16 indicators, weights 2026.1) and valued by relief from royalty on the
default assumptions with --draws draws (P10/P50/P90), exactly as ``manage.py value_patents`` does,
in chunks so that memory stays flat. For the ratio, a sample is valued by a plain per-patent Python
loop: the score of each patent, then every draw from Python's ``random`` summed year by year
(``valuation.methods.income.schedule``) — "loop_ratio" = vectorised rate / loop rate. A per-patent
loop that vectorises only over the draws (NumPy, one patent at a time) gives "numpy_loop_ratio".

The last line is one JSON object: patents, seconds, patents_per_s, peak_mib, loop_ratio, ...
Peak memory is the process's maximum resident set (VmHWM), interpreter and Django included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import peak_rss_mib, prepare_django_environment  # noqa: E402  (benchmarks/support/)

prepare_django_environment()

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from market.demo.datafiles import DEMO_DATA_DIR, DEMO_FILES  # noqa: E402
from market.demo.generate import build_patent  # noqa: E402
from market.demo.records import ADAPTERS, RecordFile, detect_format  # noqa: E402
from valuation.assumptions import income_parameters  # noqa: E402
from valuation.batch import value_batch  # noqa: E402
from valuation.facts import INDUSTRIES, KINDS, LEGAL_STATUSES, STATUS_CODE, PatentFacts, to_columns  # noqa: E402
from valuation.indicators import breakdown  # noqa: E402
from valuation.methods.income import schedule  # noqa: E402
from valuation.methods.market import ipc_subclasses  # noqa: E402
from valuation.risk import legal_risk  # noqa: E402
from valuation.selectors import count_names  # noqa: E402
from valuation.settings import DEFAULTS  # noqa: E402
from valuation.weights import WEIGHTS  # noqa: E402

TODAY = dt.date(2026, 1, 1)            # fixed: the same run gives the same figures whatever the day
# Fields no record file gives, drawn per resampled patent (what they are drawn from).
GENERATED = {
    "filing_date": "record's date ± uniform 3 years",
    "claims_count": "record's count, else uniform 1-15",
    "independent_claims": "record's count, else uniform 1-3",
    "forward_citations": "Poisson(2)", "backward_citations": "Poisson(6)", "family_size": "1 + Poisson(0.5)",
    "foreign_filing": "3%", "licences_transfers": "Poisson(0.2)", "implemented": "40%",
    "holder_closed_deals": "Poisson(0.5)", "co-owned": "record's holders, plus 10% with 2",
    "invalidation_pending": "1%", "disputed": "0.5%", "annual_fee_overdue": "2%", "pledged": "3%",
    "exclusive_licensed": "5%",
}


FULL_FILES = ("cn_kppatent_zh_title_abstract_claims.jsonl.gz", "cn_cnki_bibliographic.csv.gz")


def record_files(folder: Path) -> list[Path]:
    """The record files of ``folder``: the full CNKI file where it has one, else demo/data's subset."""
    full = [folder / name for name in FULL_FILES]
    return full if all(path.is_file() for path in full) else [folder / name for name in DEMO_FILES]


def load_base(paths: list[Path]) -> dict[str, np.ndarray]:
    """One row per real record: the facts it gives (through the demo importer's adapters and generator)."""
    rows = []
    for path in paths:
        with RecordFile(path) as records:
            adapter = None
            for _, row in records.rows():
                if row is None:
                    continue
                adapter = adapter or ADAPTERS[detect_format(row)]
                record = adapter(row)
                if record is None:
                    continue
                patent = build_patent(record, source_tag="benchmark", today=TODAY).patent
                rows.append((KINDS.index(patent.kind), STATUS_CODE[patent.legal_status], patent.filing_date.toordinal(),
                             patent.term_years, patent.claims_count, patent.independent_claims,
                             len(ipc_subclasses(patent.ipc_codes)), INDUSTRIES.index(patent.industry),
                             count_names(patent.inventors), max(1, count_names(patent.applicants))))
    table = np.array(rows, dtype=np.int64)
    names = ("kind", "legal_status", "filing_ordinal", "term_years", "claims_count", "independent_claims",
             "ipc_subclass_count", "industry", "inventors", "owners_count")
    return {name: table[:, i] for i, name in enumerate(names)}


def resample(base: dict[str, np.ndarray], rng: np.random.Generator, first_id: int, size: int) -> dict[str, np.ndarray]:
    """``size`` patents drawn from the real records, with new ids and dates and the generated fields."""
    pick = rng.integers(0, len(base["kind"]), size)
    filing = base["filing_ordinal"][pick] + rng.integers(-1095, 1096, size)
    filing = np.minimum(filing, TODAY.toordinal() - 1)
    term = base["term_years"][pick].astype(np.float64)
    remaining = np.maximum(0.0, (filing + term * 365.25 - TODAY.toordinal()) / 365.25)
    claims = base["claims_count"][pick]
    independent = base["independent_claims"][pick]
    return {
        "patent_id": np.arange(first_id, first_id + size), "kind": base["kind"][pick].astype(np.int8),
        "legal_status": base["legal_status"][pick].astype(np.int8), "remaining_years": remaining, "term_years": term,
        "claims_count": np.where(claims > 0, claims, rng.integers(1, 16, size)),
        "independent_claims": np.where(independent > 0, independent, rng.integers(1, 4, size)),
        "owners_count": base["owners_count"][pick] + (rng.random(size) < 0.10),
        "sole_action_agreement": rng.random(size) < 0.3, "invalidation_pending": rng.random(size) < 0.01,
        "disputed": rng.random(size) < 0.005, "annual_fee_overdue": rng.random(size) < 0.02,
        "pledged": rng.random(size) < 0.03, "exclusive_licensed": rng.random(size) < 0.05,
        "ipc_subclass_count": base["ipc_subclass_count"][pick].astype(np.int16),
        "industry": base["industry"][pick].astype(np.int8), "forward_citations": rng.poisson(2.0, size),
        "backward_citations": rng.poisson(6.0, size), "family_size": 1 + rng.poisson(0.5, size),
        "foreign_filing": rng.random(size) < 0.03, "inventors": base["inventors"][pick],
        "licences_transfers": rng.poisson(0.2, size), "implemented": rng.random(size) < 0.4,
        "holder_closed_deals": rng.poisson(0.5, size),
    }


def value(columns, *, draws: int, rng: np.random.Generator):
    return value_batch(columns, weights=WEIGHTS[DEFAULTS["WEIGHTS_VERSION"]], assumptions=DEFAULTS["ASSUMPTIONS"],
                       risk_factors=DEFAULTS["LEGAL_RISK_FACTORS"], rng=rng, draws=draws)


def facts_of(columns: dict[str, np.ndarray], i: int) -> PatentFacts:
    """Row ``i`` of the columns as PatentFacts (IPC subclasses as placeholders: only their count matters)."""
    values = {name: column[i].item() for name, column in columns.items() if name != "ipc_subclass_count"}
    values.update(kind=KINDS[values["kind"]], legal_status=LEGAL_STATUSES[values["legal_status"]],
                  industry=INDUSTRIES[values["industry"]],
                  ipc_subclasses=tuple(f"X{n:03d}" for n in range(int(columns["ipc_subclass_count"][i]))))
    return PatentFacts(**values)


def plain_python_value(facts: PatentFacts, *, draws: int, rnd: random.Random) -> tuple[float, list[float]]:
    """Score and P10/P50/P90 of one patent, one draw at a time in plain Python."""
    weights = WEIGHTS[DEFAULTS["WEIGHTS_VERSION"]]
    score = breakdown(facts, weights, version=DEFAULTS["WEIGHTS_VERSION"])["total"]
    risk, _ = legal_risk(facts, DEFAULTS["LEGAL_RISK_FACTORS"])
    inputs = income_parameters(to_columns([facts]), np.array([score]), DEFAULTS["ASSUMPTIONS"]).inputs_for(0)
    values = []
    for _ in range(draws):
        revenue = inputs.revenue.median * math.exp(inputs.revenue.sigma * rnd.gauss(0.0, 1.0))
        growth, royalty, share, rate = (rnd.triangular(spec.low, spec.high, spec.mode) for spec in (
            inputs.growth, inputs.royalty_rate, inputs.share, inputs.discount_rate))
        values.append(sum(row["present_value"] for row in schedule(
            revenue=revenue, growth=growth, royalty_rate=royalty, share=share, discount_rate=rate,
            economic_life=inputs.economic_life, risk_factor=risk)))
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return score, [deciles[0], deciles[4], deciles[8]]


def peak_mib() -> float:
    return peak_rss_mib()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="patents to value (default 1,000,000)")
    parser.add_argument("--draws", type=int, default=1000, help="Monte Carlo draws per patent (default 1,000)")
    parser.add_argument("--chunk-size", type=int, default=500, help="patents per vectorised chunk (default 500)")
    parser.add_argument("--loop-sample", type=int, default=100, help="patents valued one by one for the ratio")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--data", type=Path, default=DEMO_DATA_DIR, help="folder of the record files (default demo/data)")
    args = parser.parse_args()

    paths, source = record_files(args.data), str(args.data)
    started = time.perf_counter()
    base = load_base(paths)
    print(f"real records: {len(base['kind'])} from {source} ({', '.join(p.name for p in paths)}), "
          f"read in {time.perf_counter() - started:.1f} s; resampled to {args.count:,} patents "
          f"(new ids, filing dates ±3 years; generated: {', '.join(GENERATED)})", flush=True)
    expected = set(to_columns([PatentFacts(patent_id=0, kind="invention", legal_status="granted", remaining_years=1.0,
                                           term_years=20.0)]))
    assert set(resample(base, np.random.default_rng(0), 0, 1)) == expected, "columns differ from valuation.facts"

    p50s = np.empty(args.count)
    score_sum, zero = 0.0, 0
    started = time.perf_counter()
    next_report = 0.1
    for index, start in enumerate(range(0, args.count, args.chunk_size)):
        size = min(args.chunk_size, args.count - start)
        columns = resample(base, np.random.default_rng([args.seed, 1, index]), start + 1, size)
        result = value(columns, draws=args.draws, rng=np.random.default_rng([args.seed, 2, index]))
        p50s[start:start + size] = result.p50
        score_sum += float(result.scores.sum())
        zero += int((result.p50 == 0).sum())
        if (start + size) / args.count >= next_report:
            elapsed = time.perf_counter() - started
            print(f"  {start + size:>9,} patents  {elapsed:7.1f} s  {(start + size) / elapsed:9,.0f} patents/s  "
                  f"peak {peak_mib():6.0f} MiB", flush=True)
            next_report += 0.1
    seconds = time.perf_counter() - started
    rate = args.count / seconds

    sample = resample(base, np.random.default_rng([args.seed, 3]), 1, args.loop_sample)
    rnd = random.Random(args.seed)
    loop_started = time.perf_counter()
    for i in range(args.loop_sample):
        plain_python_value(facts_of(sample, i), draws=args.draws, rnd=rnd)
    loop_rate = args.loop_sample / (time.perf_counter() - loop_started)
    numpy_started = time.perf_counter()
    for i in range(args.loop_sample):
        one = {name: column[i:i + 1] for name, column in sample.items()}
        value(one, draws=args.draws, rng=np.random.default_rng([args.seed, int(one["patent_id"][0])]))
    numpy_loop_rate = args.loop_sample / (time.perf_counter() - numpy_started)

    figures = {
        "patents": args.count, "seconds": round(seconds, 2), "patents_per_s": round(rate, 1),
        "peak_mib": round(peak_mib(), 1), "loop_ratio": round(rate / loop_rate, 1),
        "loop_patents_per_s": round(loop_rate, 1), "numpy_loop_ratio": round(rate / numpy_loop_rate, 1),
        "numpy_loop_patents_per_s": round(numpy_loop_rate, 1), "loop_sample": args.loop_sample, "draws": args.draws,
        "chunk_size": args.chunk_size, "real_records": int(len(base["kind"])), "records_from": source,
        "resampled": True, "generated_fields": sorted(GENERATED), "mean_score": round(score_sum / args.count, 2),
        "median_p50_cny": round(float(np.median(p50s)), 2), "zero_value_share": round(zero / args.count, 4),
        "cpu_count": os.cpu_count(),
    }
    print(f"valued {args.count:,} patents (score + income method, {args.draws:,} draws each) in {seconds:.1f} s: "
          f"{rate:,.0f} patents/s; peak memory {figures['peak_mib']:.0f} MiB; a plain per-patent Python loop "
          f"does {loop_rate:,.1f} patents/s ({figures['loop_ratio']:,.0f}× slower), a per-patent NumPy loop "
          f"{numpy_loop_rate:,.0f} patents/s ({figures['numpy_loop_ratio']:.1f}× slower); median P50 "
          f"¥{figures['median_p50_cny']:,.2f}, mean score {figures['mean_score']}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
