"""Benchmark: import, reindex and search N listings on each search backend.

    .venv/bin/python benchmarks/search_bench.py                      # 1,000,000 listings
    .venv/bin/python benchmarks/search_bench.py --count 100000 --backends database,elasticsearch

Corpus: the real records of ``--data`` (a folder of record files like demo/data, the default; a larger
set of the same files gives more distinct texts) RESAMPLED to N: the
KPPatent-ZH records (title, abstract, claims), the KPPatent-ZH abstracts (title taken from the
abstract's "一种…" phrase) and the CNKI bibliographic rows (title only). Each of the N records draws
one of them, gets its own id and publication number, and one real applicant name of the CNKI file
as holder (two for 10%); so every text occurs about N ÷ (real records) times. The records are
written to a JSONL file and imported with ``market.demo.importer.import_patents`` (what
``manage.py import_patents`` runs): that is "import_s". Then one published listing per patent
(mode, price with 20% 面议, publication date drawn from fixed distributions) is bulk-inserted.

Per backend: "reindex_s" is ``rebuild`` (what ``manage.py search_reindex`` runs: in place on the
database backend, with ``--workers`` processes on PostgreSQL; a new index and an alias swap on
Elasticsearch). Then 200 fixed queries (seeded:
Chinese words of the records' keyphrases and titles, one or two words, filters, facets, every
sort, pages up to the 10,000th result) run once to warm up and once timed, each as an API call
(``GET /api/v1/search/listings/`` through Django's test client: routing, DRF, the backend, the
serialiser) and, in a second pass in the same order, as the raw engine query of the same search: the SQL
statements the backend ran, re-executed with a cursor (database), or the request body sent with the client
(Elasticsearch).
"ratio" = API p95 ÷ raw p95. Then each query's first page in process (the backend's ``search``, no HTTP),
with facets and without, the median of three rounds: "first_page_*", "no_facets_*" and "facet_share" (the
part of the time the facet counts take). On the database backend, "recall" and "precision" of 200 queries of words
drawn from the records (2 to 5 characters at any position; a quarter of them two words) compare every
match with substring containment in the listing's indexed texts.

The database is its own: ``--database-url`` (default ``postgresql://postgres@127.0.0.1:5432/zjip_bench``),
dropped and created again unless ``--reuse`` (then the corpus already there is used). Elasticsearch
is ``--elasticsearch-url``: a real Elasticsearch 8 (an in-memory test stand-in says nothing of its
speed, so without a URL the backend is skipped). The last line of the output is one JSON object of the
figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import peak_rss_mib, prepare_django_environment  # noqa: E402  (benchmarks/support/)

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/zjip_bench"
TITLE_IN_ABSTRACT = re.compile(r"(?:公开|提供|涉及)了?(一种[^，。；、：（）\s]{3,40})")
QUERY_COUNT = 200
# Queries of the recall and precision check (words drawn from the corpus, ground truth by substring).
EXACTNESS_QUERIES = 200
SEED = 20261125
# Rounds of each first page in process (their median is the query's time).
IN_PROCESS_ROUNDS = 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="listings (default 1,000,000)")
    parser.add_argument("--data", type=Path, default=ROOT / "demo" / "data",
                        help="folder of the record files (default demo/data)")
    parser.add_argument("--backends", default="database",
                        help="comma-separated: database, elasticsearch")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""),
                        help="a real Elasticsearch 8 (the elasticsearch backend is skipped without it)")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its corpus (skip the import)")
    parser.add_argument("--no-reindex", action="store_true",
                        help="with --reuse: time the queries over the index already built (no reindex_s)")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest API calls with their parameters")
    parser.add_argument("--chunk-size", type=int, default=1000, help="listings per reindex batch")
    parser.add_argument("--workers", type=int, default=0,
                        help="reindex processes (database backend on PostgreSQL; default: search_reindex's)")
    return parser.parse_args()


def prepare_database(url: str, *, reuse: bool) -> None:
    """Point Django at the benchmark's own database, (re)created empty unless ``reuse``."""
    os.environ["DATABASE_URL"] = url
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres") and not reuse:
        import psycopg

        name = parts.path.lstrip("/")
        admin = url.replace(parts.path, "/postgres")
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    elif parts.scheme == "sqlite" and not reuse:
        Path(parts.path).unlink(missing_ok=True)


def setup_django(args) -> None:
    prepare_django_environment()
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.pop("CELERY_BROKER_URL", None)  # indexing tasks run in process
    prepare_database(args.database_url, reuse=args.reuse)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # one INFO line per request otherwise


# -- the corpus ------------------------------------------------------------------------------------
def read_lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return list(lines)


def real_records(base: Path) -> tuple[list[dict], list[str]]:
    """Text records (title, abstract, claims, keyphrases) and organisation names of the files in ``base``."""
    from market.demo.identifiers import looks_like_person

    records = [{"title": r["title"], "abstract": r["abstract"], "claims": r["claims"],
                "keyphrases": r.get("keyphrases") or []}
               for r in map(json.loads, read_lines(base / "cn_kppatent_zh_title_abstract_claims.jsonl.gz"))]
    abstracts = base / "cn_kppatent_zh_abstracts.jsonl.gz"
    if abstracts.is_file():
        for row in map(json.loads, read_lines(abstracts)):
            if match := TITLE_IN_ABSTRACT.search(row["abstract"]):
                records.append({"title": match.group(1), "abstract": row["abstract"], "claims": "",
                                "keyphrases": row.get("keyphrases") or []})
    if (cnki := base / "cn_cnki_bibliographic.csv.gz").is_file():
        import csv

        rows = list(csv.DictReader(read_lines(cnki)))
    else:
        rows = [json.loads(line) for line in read_lines(base / "cn_cnki_bibliographic_zhejiang_subset.jsonl.gz")]
    rows = [row for row in rows if str(row.get("source_db", "CN")).upper() == "CN"]
    records += [{"title": row["title"], "abstract": "", "claims": "", "keyphrases": []} for row in rows]
    names = sorted({name.strip() for row in rows for name in re.split(r"[;；]", row["applicants"] or "")
                    if name.strip() and not looks_like_person(name.strip())})
    zhejiang = [name for name in names if re.search("浙江|杭州|宁波|温州|嘉兴|湖州|绍兴|金华|衢州|舟山|台州|丽水", name)]
    return records, names + zhejiang * 5  # Zhejiang holders five times as likely


def write_corpus(path: Path, count: int, records: list[dict], names: list[str]) -> None:
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            record = records[rng.randrange(len(records))]
            holders = [rng.choice(names)] + ([rng.choice(names)] if rng.random() < 0.1 else [])
            out.write(json.dumps({"id": f"bench-{i}", "title": record["title"], "abstract": record["abstract"],
                                  "claims": record["claims"], "keyphrases": record["keyphrases"],
                                  "publication_number": f"CN{100_000_000 + i}A", "applicants": holders},
                                 ensure_ascii=False) + "\n")


def create_listings(chunk: int = 5000) -> float:
    """One published listing per patent, bulk-inserted; returns seconds."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from market.models import Listing, ListingMode, ListingState, Organisation, Patent, PatentOwner, User

    started = time.perf_counter()
    rng = random.Random(SEED + 1)
    fallback = Organisation.objects.order_by("pk").first()
    user, _ = User.objects.get_or_create(username="bench", defaults={"organisation": fallback})
    modes = [ListingMode.TRANSFER, ListingMode.TRANSFER, ListingMode.LICENCE, ListingMode.OPEN_LICENCE,
             ListingMode.PLEDGE]
    now = timezone.now()
    through = Listing.patents.through
    last = 0
    while True:
        patents = list(Patent.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "title")[:chunk])
        if not patents:
            break
        last = patents[-1][0]
        owners = dict(PatentOwner.objects.filter(patent_id__in=[pk for pk, _ in patents], organisation__isnull=False)
                      .order_by("-pk")
                      .values_list("patent_id", "organisation_id"))
        listings = []
        for pk, title in patents:
            published = now - dt.timedelta(days=rng.uniform(0, 720))
            price = None if rng.random() < 0.2 else Decimal(int(10 ** rng.uniform(4, 7.3)) // 1000 * 1000)
            listings.append(Listing(organisation_id=owners.get(pk, fallback.pk), created_by=user, title=title[:300],
                                    mode=rng.choice(modes), asking_price=price, state=ListingState.PUBLISHED,
                                    published_at=published, expires_at=published + dt.timedelta(days=365)))
        with transaction.atomic():
            Listing.objects.bulk_create(listings)
            through.objects.bulk_create([through(listing_id=listing.pk, patent_id=pk)
                                         for listing, (pk, _) in zip(listings, patents, strict=True)])
    return time.perf_counter() - started


def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would gather a little later."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# -- the queries -----------------------------------------------------------------------------------
def fixed_queries(records: list[dict]) -> list[dict]:
    """200 request parameter sets: words, filters, facets, sorts and pages, the same on every run."""
    from market.industries import Industry
    from market.models import LegalStatus, ListingMode, PatentKind
    from market.regions import City
    from search.tokenize import CJK_RUN, segmenter

    rng = random.Random(SEED + 2)

    def title_words(record) -> list[str]:
        return [word for word in segmenter().cut(record["title"]) if 2 <= len(word) <= 4 and CJK_RUN.fullmatch(word)]

    # Words people search: the records' keyphrases and title words, each held by at least 5 records.
    counts = Counter(word for record in records
                     for word in {*title_words(record), *(k for k in record["keyphrases"] if 2 <= len(k) <= 4)})
    words = sorted(word for word, count in counts.items() if count >= 5 and CJK_RUN.fullmatch(word))
    titled = [record for record in records if len(title_words(record)) >= 2]
    ipc = ["H01M", "G06F", "H04L", "A61K", "C08L", "B01D", "G01N", "H01L", "E21B", "D06F"]
    sorts = ["relevance"] * 10 + ["newest"] * 3 + ["price_asc"] * 2 + ["price_desc"] * 2 + ["remaining_life"] * 3
    queries = []
    for _ in range(QUERY_COUNT):
        params: dict = {}
        shape = rng.random()
        if shape < 0.45:
            params["q"] = rng.choice(words)
        elif shape < 0.65:  # two words of one title: they occur together
            params["q"] = " ".join(rng.sample(title_words(rng.choice(titled)), 2))
        elif shape < 0.80:
            params["q"] = rng.choice(words)
            params["mode"] = rng.choice(ListingMode.values)
        # else: browsing with filters only
        if rng.random() < 0.25:
            params["city"] = rng.choice(City.values)
        if rng.random() < 0.15:
            params["industry"] = rng.choice(Industry.values)
        if rng.random() < 0.10:
            params["kind"] = rng.choice(PatentKind.values)
        if rng.random() < 0.10:
            params["legal_status"] = rng.choice(LegalStatus.values)
        if rng.random() < 0.10:
            params["ipc_prefix"] = rng.choice(ipc)
        if rng.random() < 0.15:
            low = rng.choice([0, 100_000, 500_000, 1_000_000])
            params["price_min"], params["price_max"] = str(low), str(low * 10 or 200_000)
        if rng.random() < 0.10:
            params["remaining_years_min"] = str(rng.choice([3, 5, 10]))
        params["sort"] = rng.choice(sorts)
        page = rng.random()
        params["page"] = str(1 if page < 0.7 else rng.randint(2, 10) if page < 0.9 else rng.randint(11, 500))
        params["page_size"] = "20"
        queries.append(params)
    return queries


def exactness_queries(records: list[dict], count: int = EXACTNESS_QUERIES) -> list[str]:
    """Words drawn from the records (2 to 5 characters of their titles and abstracts, at any position, so
    that words across jieba's boundaries are asked too), one or two per query, the same on every run."""
    from search.tokenize import CJK_RUN

    rng = random.Random(SEED + 3)
    runs = [run for record in records for run in CJK_RUN.findall(record["title"] + "，" + record["abstract"])
            if len(run) >= 5]
    words = []
    while len(words) < count * 2:
        run = rng.choice(runs)
        size = rng.choice((2, 3, 3, 4, 4, 5))
        start = rng.randrange(len(run) - size + 1)
        words.append(run[start:start + size])
    return [words[i] if i % 4 else f"{words[i]} {words[i + 1]}" for i in range(count)]


def exactness(backend, queries: list[str]) -> dict:
    """Recall and precision of the database backend's matches (every one, not a page) against substring
    containment in what the index reads of each listing (``ListingDocument.texts``)."""
    from django.utils import timezone

    from search.backends import SearchQuery
    from search.backends.database.compiler import EntryQueryCompiler
    from search.documents import documents, published_listings
    from search.tokenize import normalise

    started = time.perf_counter()
    texts: dict[int, str] = {}
    ids = list(published_listings().values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        for document in documents(published_listings().filter(pk__in=ids[start:start + 2000])):
            texts[document.listing_id] = normalise("\n".join(t for values in document.texts.values() for t in values))
    found = relevant = right = 0
    wrong, missed = [], []
    for text in queries:
        words = text.split()
        truth = {pk for pk, body in texts.items() if all(normalise(w) in body for w in words)}
        compiler = EntryQueryCompiler(SearchQuery(text=text), backend.full_text, timezone.localdate())
        hits = set(compiler.entries().values_list("pk", flat=True))
        found, relevant, right = found + len(hits), relevant + len(truth), right + len(hits & truth)
        if hits - truth:
            wrong.append(text)
        if truth - hits:
            missed.append(text)
    print(f"exactness over {len(queries)} queries drawn from the corpus ({time.perf_counter() - started:.0f} s): "
          f"{right:,} right of {found:,} found and {relevant:,} relevant; false matches for {wrong[:10]}, "
          f"misses for {missed[:10]}", flush=True)
    return {"recall": round(right / max(relevant, 1), 4), "precision": round(right / max(found, 1), 4),
            "exactness_queries": len(queries)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_database_raw(captured: list[dict]) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for query in captured:
            cursor.execute(query["sql"])
            cursor.fetchall()
    return time.perf_counter() - started


def run_queries(name: str, queries: list[dict], slowest: int = 0) -> dict:
    """Warm up, then time each query through the API and as the raw engine query."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from search.backends import SearchQuery, get_search_backend

    client = Client()
    backend = get_search_backend()
    for params in queries:
        response = client.get("/api/v1/search/listings/", params)
        assert response.status_code == 200, (params, response.content[:300])
    api, statements, totals = [], [], []
    for params in queries:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/api/v1/search/listings/", params)
            api.append(time.perf_counter() - started)
        totals.append(response.json()["total"])
        statements.append(captured.captured_queries)
    # The raw queries in a pass of their own, in the same order: run right after their API call, they read
    # the pages it had just read, and came out faster than any search of the mix could.
    raw = []
    for params, captured in zip(queries, statements, strict=True):
        if name == "database":
            raw.append(time_database_raw(captured))
        else:
            body = backend.search_request(SearchQuery.from_params(params))[1].to_dict()
            started = time.perf_counter()
            backend.client.search(index=backend.alias, body=body)
            raw.append(time.perf_counter() - started)
    ms = 1000
    for seconds, params, total in sorted(zip(api, queries, totals, strict=True), key=lambda row: -row[0])[:slowest]:
        print(f"  {seconds * ms:8.1f} ms  {total:>9,} hits  {params}", flush=True)
    figures = {
        "p50_ms": round(statistics.median(api) * ms, 1), "p95_ms": round(percentile(api, 0.95) * ms, 1),
        "raw_p50_ms": round(statistics.median(raw) * ms, 1), "raw_p95_ms": round(percentile(raw, 0.95) * ms, 1),
        "max_ms": round(max(api) * ms, 1), "median_total_hits": int(statistics.median(totals)),
    }
    figures["ratio"] = round(figures["p95_ms"] / max(figures["raw_p95_ms"], 0.001), 2)
    return figures | in_process(backend, queries)


def in_process(backend, queries: list[dict]) -> dict:
    """The first pages in process (the backend's ``search``, no HTTP or serialiser), with their facets and
    without: what the facet counts cost. Warm, in the same order as the API pass; each query's time is the
    median of ``IN_PROCESS_ROUNDS`` rounds (one round's p95 moved by 2-3 ms from run to run on a shared host)."""
    import dataclasses

    from search.backends import SearchQuery

    first = [SearchQuery.from_params({**params, "page": "1"}) for params in queries]

    def timed(query) -> float:
        times = []
        for _ in range(IN_PROCESS_ROUNDS):
            started = time.perf_counter()
            backend.search(query)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    with_facets = [timed(query) for query in first]
    without = [timed(dataclasses.replace(query, with_facets=False)) for query in first]
    ms = 1000
    p95, p95_bare = percentile(with_facets, 0.95) * ms, percentile(without, 0.95) * ms
    return {"first_page_p50_ms": round(statistics.median(with_facets) * ms, 1), "first_page_p95_ms": round(p95, 1),
            "no_facets_p50_ms": round(statistics.median(without) * ms, 1), "no_facets_p95_ms": round(p95_bare, 1),
            "facet_share": round(1 - sum(without) / max(sum(with_facets), 1e-9), 2)}


def configure_backend(name: str, elasticsearch_url: str):
    from django.conf import settings

    from search.backends import get_search_backend, reset_search_backends

    if name == "elasticsearch":
        settings.ELASTICSEARCH_URL = elasticsearch_url
        settings.SEARCH_BACKEND = {"BACKEND": "elasticsearch", "REFRESH": "false", "TIMEOUT": 120}
    else:
        settings.SEARCH_BACKEND = name
    reset_search_backends()
    return get_search_backend()


def main() -> None:
    args = parse_args()
    setup_django(args)
    from tqdm import tqdm

    from market.demo.holders import join_holders
    from market.demo.importer import import_patents
    from market.models import Listing
    from search.backends.database import facet_cells
    from search.backends.database.parallel import default_workers

    records, names = real_records(args.data)
    print(f"corpus: {args.count:,} listings resampled from {len(records):,} real records of {args.data} "
          f"({len(set(names)):,} holder names)", flush=True)
    figures: dict = {"count": args.count, "real_records": len(records), "source": str(args.data)}
    if args.reuse and Listing.objects.count():
        print(f"reusing {Listing.objects.count():,} listings of {args.database_url}", flush=True)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"bench-{args.count}.jsonl"
            write_corpus(path, args.count, records, names)
            started = time.perf_counter()
            stats = import_patents(path, source_tag=f"bench-{args.count}", progress=True)
            figures["import_s"] = round(time.perf_counter() - started, 1)
            # The process's peak resident memory so far: the import streams, so it stays flat with N.
            figures["import_peak_rss_mib"] = round(peak_rss_mib())
            print(stats.summary(), flush=True)
        started = time.perf_counter()
        join_holders()  # every holder claims its patents at once: listings need their organisations
        figures["join_s"] = round(time.perf_counter() - started, 1)
        figures["listings_s"] = round(create_listings(), 1)
        analyze()
        print(f"import {figures['import_s']} s, listings {figures['listings_s']} s", flush=True)

    queries = fixed_queries(records)
    for name in [name.strip() for name in args.backends.split(",") if name.strip()]:
        url = args.elasticsearch_url
        if name == "elasticsearch" and not url:
            print("elasticsearch: skipped (no --elasticsearch-url)", flush=True)
            continue
        backend = configure_backend(name, url)
        results = {}
        if not (args.reuse and args.no_reindex):
            total = Listing.objects.count()
            started = time.perf_counter()
            with tqdm(total=total, unit="listing", desc=f"reindex {name}") as bar:
                backend.rebuild(chunk_size=args.chunk_size, progress=bar.update, workers=args.workers or default_workers())
            results["reindex_s"] = round(time.perf_counter() - started, 1)
        elif name == "database":
            facet_cells.refresh()  # what the beat task does after a deploy or at midnight (rebuild does it too)
        results |= run_queries(name, queries, args.slowest)
        if name == "database":
            results |= exactness(backend, exactness_queries(records))
        figures[name] = results
        print(f"{name}: {json.dumps(results)}", flush=True)
    figures["reindex_s"] = figures.get("database", figures.get("elasticsearch", {})).get("reindex_s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
