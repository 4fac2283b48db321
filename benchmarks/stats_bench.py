"""Benchmark: the statistics cockpit over N generated deals and loans, on PostgreSQL.

    .venv/bin/python benchmarks/stats_bench.py --count 1000000
    .venv/bin/python benchmarks/stats_bench.py --count 20000 --requests 5     # a quick pass

It creates its own database (``zjip_bench_stats`` on the server of ``--server``, dropped at the end
unless ``--keep``), migrates it and generates N finished deals and loans spread over 3 years, Zhejiang's
11 cities, the industries and patent kinds (market/demo/history.py: three fifths transfers, the
rest pledge loans). Then it times the full rollup (stats/rollups.py ``rebuild``), a
refresh of the last two months, the price index, and every indicator endpoint of /api/v1/stats/ through
the whole Django stack (by month, quarter and year, by city, industry and patent kind; by bank and holder
type as staff; the price index and royalty benchmarks), ``--requests`` times each. Finally it recounts
the raw data and checks the rollups equal it.

Printed: the sizes and timings, the latency of the endpoint calls (p50, p95, max) and the peak memory.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import (  # noqa: E402  (benchmarks/support/)
    drop_database,
    peak_rss_mib,
    prepare_django_environment,
    recreate_database,
)

DATABASE = "zjip_bench_stats"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="deals and loans to generate")
    parser.add_argument("--requests", type=int, default=10, help="calls of each endpoint and breakdown")
    parser.add_argument("--patents", type=int, default=20_000, help="patents the deals draw from")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without the database name")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args()


def setup_django(server: str) -> None:
    os.environ["DATABASE_URL"] = f"{server}/{DATABASE}"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="zjip-stats-bench-")
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL"):
        os.environ.pop(name, None)
    # one process stands in for many visitors: the per-client request rates would answer it 429
    os.environ["THROTTLE_ANON"] = os.environ["THROTTLE_USER"] = "10000000/min"
    prepare_django_environment()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def make_patents(count: int) -> list[tuple[int, str, str]]:
    """``count`` patents over the kinds, industries and IPC sections, filed over twenty years."""
    import datetime as dt
    import random

    from market.demo.identifiers import application_number
    from market.industries import industry_for_ipc
    from market.models import Patent

    rng = random.Random(7)
    ipcs = ["G06F16/35", "H04L9/40", "H01M10/05", "A61K36/00", "C12N15/11", "C08L23/06", "B65G47/00",
            "F16H1/28", "E04B1/00", "D06M15/00", "G01N33/48", "C22C38/00"]
    kinds = ["invention"] * 5 + ["utility_model"] * 4 + ["design"]
    batch = []
    for n in range(count):
        kind, ipc = rng.choice(kinds), [rng.choice(ipcs)]
        filed = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(365 * 19))
        batch.append(Patent(application_number=application_number(f"stats-bench-{n}", year=filed.year, kind=kind),
                            kind=kind, title=f"基准测试专利{n}", filing_date=filed, ipc_codes=ipc,
                            industry=industry_for_ipc(ipc)))
    Patent.objects.bulk_create(batch, batch_size=5000, ignore_conflicts=True)
    return list(Patent.objects.values_list("pk", "kind", "industry"))


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def endpoint_calls(staff) -> list[tuple[object, str, dict]]:
    """(client, url, params) of every indicator view the cockpit shows, and the index's."""
    from django.test import Client

    from stats.indicators import INDICATORS

    public, staff_client = Client(), Client()
    staff_client.force_login(staff)
    calls = []
    for key, indicator in INDICATORS.items():
        url = f"/api/v1/stats/indicators/{key}/"
        for period in ("month", "quarter", "year"):
            calls.append((public, url, {"by": "period", "period": period}))
        calls += [(public, url, {"by": "city"}), (public, url, {"by": "industry"}),
                  (public, url, {"by": "industry", "city": "3302"}), (staff_client, url, {"by": "holder_type"})]
        if indicator.has_kind:
            calls.append((public, url, {"by": "kind"}))
        if indicator.has_bank:
            calls.append((staff_client, url, {"by": "bank"}))
    for grouping in ("all", "industry", "ipc"):
        calls.append((public, "/api/v1/stats/price-index/", {"grouping": grouping}))
    calls.append((public, "/api/v1/stats/royalties/", {}))
    return calls


def main() -> None:
    args = parse_args()
    recreate_database(args.server, DATABASE)
    try:
        setup_django(args.server)
        figures = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.server, DATABASE)
    print(json.dumps(figures, ensure_ascii=False))


def run(args: argparse.Namespace) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from market.demo.history import generate_history
    from market.demo.identifiers import credit_code
    from market.models import Organisation, OrganisationKind, User
    from stats.models import Cell
    from stats.price_index import rebuild_index
    from stats.rollups import rebuild, recount, refresh

    call_command("migrate", verbosity=0)
    centre = Organisation.objects.create(name="浙江知识产权交易中心", kind=OrganisationKind.TRADING_CENTRE, verified=True,
                                         credit_code=credit_code("浙江知识产权交易中心", kind="trading_centre", city="3301"))
    staff = User.objects.create(username="bench-staff", organisation=centre)
    patents = make_patents(args.patents)
    generate_s, made = timed(lambda: generate_history(count=args.count, end=timezone.localdate(), months=36,
                                                      creator=staff, patents=patents))
    print(f"generated {made} in {generate_s:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rebuild_s, cells = timed(rebuild)
    refresh_s, _ = timed(refresh)
    index_s, points = timed(rebuild_index)
    print(f"rollups: {cells} cells in {rebuild_s:.1f} s (refresh of two months {refresh_s:.2f} s); "
          f"index: {points} points in {index_s:.1f} s", flush=True)

    latencies, errors = [], []
    for client, url, params in endpoint_calls(staff):
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url, params, HTTP_ACCEPT="application/json")
            latencies.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {url} {params}")
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"{len(latencies)} endpoint calls: p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
          f"max {latencies[-1]:.1f} ms, errors {len(errors)}", flush=True)
    for line in sorted(set(errors))[:10]:
        print("  error:", line)

    recount_s, differences = timed(recount)
    print(f"recount in {recount_s:.1f} s: {len(differences)} cells differ", flush=True)
    return {"deals": args.count, **made, "cells": Cell.objects.count(), "generate_s": round(generate_s, 1),
            "rebuild_s": round(rebuild_s, 2), "refresh_s": round(refresh_s, 3), "index_s": round(index_s, 2),
            "requests": len(latencies), "errors": len(errors), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(p95, 1), "max_ms": round(latencies[-1], 1), "recount_s": round(recount_s, 2),
            "rollups_consistent": not differences, "peak_rss_mib": round(peak_rss_mib(), 1)}


if __name__ == "__main__":
    main()
