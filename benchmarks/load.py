"""Benchmark: a realistic mix of requests against the production server, at a fixed rate, on loopback.

    .venv/bin/python benchmarks/load.py                         # 60 requests/s for 2 minutes
    .venv/bin/python benchmarks/load.py --rate 30 --minutes 1
    .venv/bin/python benchmarks/load.py --minutes 30            # a soak: does memory stay flat?

It creates its own PostgreSQL database (``zjip_bench_load``, dropped at the end unless ``--keep``),
migrates it, seeds the demo marketplace (``manage.py seed_demo``: real records, every role), collects the
static files as the image does, and starts
gunicorn with the production settings of docker/ (``docker/gunicorn.conf.py``, DEBUG off; workers from
``--workers``, default the file's) bound to 127.0.0.1. Then ``--threads`` client threads, each with its
own keep-alive connection, send requests on a fixed schedule that adds up to ``--rate`` a second for
``--minutes``: a visitor's searches with Chinese words (pages and API), listing pages, the home page and
the cockpit, API lists as signed-in members (listings, deals, the bank's loans), and writes: the buyer
opening deals and the two sides countering offers. A latency is measured from the moment the schedule
meant to send the request (a slow server delays what follows: no coordinated omission). A refusal the
rules give (409) is an answer, not an error; an error is a 5xx, a timeout or a broken connection.

Printed: the mix, requests per second achieved, latency p50 / p95 / p99 by kind and overall, errors,
and the server's resident memory (master and workers) at the start and at the end. The last line is one
JSON object: {"rps", "p50_ms", "p95_ms", "p99_ms", "errors", "rss_mib_start", "rss_mib_end", …}.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from support import drop_database, recreate_database  # benchmarks/support/, beside this script

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "zjip_bench_load"
PASSWORD = "zjip-demo-2026"
WORDS = ["电池", "锂电池", "隔膜", "催化剂", "纤维素", "洗衣机", "传感器", "复合材料", "制备方法", "光伏", "石墨烯",
         "控制系统", "涂层", "电机", "疫苗", "芯片", "机器人", "新材料"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=60.0, help="requests a second, all threads together")
    parser.add_argument("--minutes", type=float, default=2.0, help="how long to send (after a 10 s warm-up)")
    parser.add_argument("--threads", type=int, default=16, help="client threads, one connection each")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: docker's setting)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without the database name")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args()


def server_environment(args, media: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SEARCH_BACKEND", "DEBUG")}
    env.update({
        "DATABASE_URL": f"{args.server}/{DATABASE}", "SECRET_KEY": "load-benchmark-only-not-a-secret",
        "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": media, "VAR_DIR": str(Path(media) / "var"), "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        # many visitors come from one address here: the per-client rates would answer 429
        "THROTTLE_ANON": "10000000/min", "THROTTLE_USER": "10000000/min", "THROTTLE_AUTH": "10000/min",
        "LOG_LEVEL": "ERROR",  # the rules' 409 answers are no news here
    })
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    return env


def manage(env: dict, *arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def rss_mib(pid: int) -> float:
    """Resident memory of the server: the master and every worker."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if entry.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return round(total / 1024, 1)


class Client:
    """One keep-alive connection; reconnects after a broken one."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> int:
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html",
                   "X-Forwarded-Proto": "https"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body), "application/json"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0


def token(port: int, username: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/v1/auth/token/", body=json.dumps({"username": username, "password": PASSWORD}),
                       headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    payload = json.loads(response.read())
    assert response.status == 200, payload
    return payload["token"]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Client(port).request("GET", "/healthz/") == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not come up")


class Mix:
    """The requests of the mix, drawn with their weights; the writes keep the deals they open."""

    def __init__(self, port: int, listings: list[int], transfers: list[int]):
        self.port, self.listings, self.transfers = port, listings, transfers
        self.tokens = {name: token(port, name) for name in ("buyer", "holder", "bank", "staff")}
        self.deals: list[int] = []
        self.lock = threading.Lock()
        self.kinds = [  # (kind, weight, who, how)
            ("search_page", 22, None, lambda r: ("GET", "/search/?" + urlencode({"q": r.choice(WORDS)}), None)),
            ("search_api", 18, None, lambda r: ("GET", "/api/v1/search/listings/?" + urlencode(
                {"q": r.choice(WORDS), "page_size": 20}), None)),
            ("listing_page", 16, None, lambda r: ("GET", f"/listings/{r.choice(self.listings)}/", None)),
            ("home", 6, None, lambda r: ("GET", "/", None)),
            ("cockpit_api", 4, None, lambda r: ("GET", "/api/v1/stats/indicators/deals/?by=city", None)),
            ("listings_api", 10, "buyer", lambda r: ("GET", "/api/v1/listings/?page=1", None)),
            ("deals_api", 8, "holder", lambda r: ("GET", "/api/v1/deals/", None)),
            ("loans_api", 6, "bank", lambda r: ("GET", "/api/v1/pledge-loans/", None)),
            ("open_deal", 4, "buyer", lambda r: ("POST", "/api/v1/deals/", {
                "listing": r.choice(self.transfers), "price": str(r.randrange(100, 900) * 1000),
                "message": "基准测试报价"})),
            ("counter", 6, None, self.counter),
        ]
        self.weights = [weight for _, weight, _, _ in self.kinds]

    def counter(self, r: random.Random):
        with self.lock:
            deal = r.choice(self.deals) if self.deals else None
        if deal is None:
            return "GET", "/api/v1/deals/", None
        return "POST", f"/api/v1/deals/{deal}/counter/", {"price": str(r.randrange(100, 900) * 1000)}

    def draw(self, r: random.Random):
        kind, _, who, how = r.choices(self.kinds, weights=self.weights)[0]
        if kind == "counter":
            who = r.choice(("buyer", "holder"))
        return kind, who, *how(r)


def run_load(args, mix: Mix, seconds: float) -> dict[str, list]:
    """Every thread sends its share of the rate on a fixed schedule for ``seconds``."""
    results: dict[str, list] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    interval = args.threads / args.rate

    def worker(index: int) -> None:
        r = random.Random(index)
        clients = {who: Client(args.port, mix.tokens.get(who)) for who in (None, *mix.tokens)}
        n = 0
        while True:
            due = start + (index / args.threads + n) * interval
            if due > start + seconds:
                return
            time.sleep(max(0.0, due - time.monotonic()))
            kind, who, method, path, body = mix.draw(r)
            status = clients[who].request(method, path, body)
            latency = time.monotonic() - due
            with lock:
                results[kind].append(latency)
                if status == 0 or status >= 500:
                    errors[kind] += 1
            n += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["_errors"] = [errors]
    return results


def main() -> None:
    args = parse_args()
    recreate_database(args.server, DATABASE)
    media = tempfile.mkdtemp(prefix="zjip-load-")
    env = server_environment(args, media)
    server = None
    try:
        started = time.perf_counter()
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput")  # as the image does: pages name the manifest's files
        print(f"seeded the demo in {time.perf_counter() - started:.0f} s", flush=True)
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "docker/gunicorn.conf.py",
                                   "--access-logfile", "/dev/null"], cwd=ROOT, env=env, start_new_session=True)
        wait_for(args.port)
        figures = measure(args, server.pid)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            drop_database(args.server, DATABASE)
    print(json.dumps(figures))


def measure(args, pid: int) -> dict:
    import psycopg

    with psycopg.connect(f"{args.server}/{DATABASE}") as conn:
        listings = [row[0] for row in conn.execute("SELECT id FROM market_listing WHERE state = 'published'")]
        transfers = [row[0] for row in conn.execute(
            "SELECT id FROM market_listing WHERE state = 'published' AND mode = 'transfer'")]
    mix = Mix(args.port, listings, transfers)
    run_load(args, mix, 10)  # warm-up: every worker's first requests load what they cache
    with psycopg.connect(f"{args.server}/{DATABASE}") as conn:
        mix.deals = [row[0] for row in conn.execute("SELECT id FROM market_transferdeal WHERE state = 'negotiating'")]
    rss_start = rss_mib(pid)
    began = time.monotonic()
    results = run_load(args, mix, args.minutes * 60)
    elapsed = time.monotonic() - began
    rss_end = rss_mib(pid)
    errors = results.pop("_errors")[0]
    everything = sorted(value for values in results.values() for value in values)
    ms = 1000

    def pct(values: list[float], fraction: float) -> float:
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(fraction * (len(ordered) - 1)))] * ms, 1)

    for kind, values in sorted(results.items()):
        print(f"  {kind:14} {len(values):6} requests  p50 {pct(values, .5):7.1f} ms  p95 {pct(values, .95):7.1f} ms"
              f"  errors {errors.get(kind, 0)}", flush=True)
    return {"rate_asked": args.rate, "minutes": args.minutes, "threads": args.threads,
            "workers": args.workers or "docker", "requests": len(everything),
            "rps": round(len(everything) / elapsed, 1), "p50_ms": round(statistics.median(everything) * ms, 1),
            "p95_ms": pct(everything, .95), "p99_ms": pct(everything, .99), "errors": sum(errors.values()),
            "rss_mib_start": rss_start, "rss_mib_end": rss_end}


if __name__ == "__main__":
    main()
