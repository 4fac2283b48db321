"""Benchmark: concurrent bidders on one auction lot, on PostgreSQL.

    .venv/bin/python benchmarks/auction_bids.py                    # 8 bidders for 10 s
    .venv/bin/python benchmarks/auction_bids.py --bidders 16 --seconds 30 --workers 4

It creates its own database (``zjip_bench_auction`` on the server of ``--server``, dropped at the
end unless ``--keep``), migrates it, opens one auction of a pledged patent and has every bidder
pay the deposit. Then each bidder (a thread with its own connection, in one of ``--workers`` processes:
by default all in this one, like one web worker process with threads) does
what a bidding page does for ``--seconds``: read the live price, and unless it leads, bid the
minimum plus 0-2 increments through ``market.auctions.services.auction_bid`` (the auction's row
lock serialises the bids). A bid refused because another got in first (``bid_too_low``,
``already_leading``) counts as refused, not as an error.

Printed: accepted and refused bids, accepted bids per second, the latency of the bid call (p50,
p95, p99 over all bid calls, and p95 of accepted ones). Then the final state is checked: the bids
form one strictly increasing sequence (numbers 1..n without gaps, each at least the previous plus
the increment, no two at one amount, no bidder outbidding itself), the auction's live price,
leader and count match the last bid, and after the close the winner's deposit is held and every
other deposit was refunded exactly once with the ledger balanced. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import drop_database, prepare_django_environment, recreate_database  # noqa: E402  (benchmarks/support/)

DATABASE = "zjip_bench_auction"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without the database name")
    parser.add_argument("--bidders", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    # Worker processes, each running its share of the bidders as threads with their own connections (like a web
    # server's workers with threads); 1 (all in this process) leaves the other cores to PostgreSQL.
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args()


def setup_django(server: str, media_root: str) -> None:
    os.environ["DATABASE_URL"] = f"{server}/{DATABASE}"
    os.environ["MEDIA_ROOT"] = media_root
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)
    prepare_django_environment()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare(bidders: int) -> tuple[int, list[int]]:
    """One open auction of a pledged patent, ``bidders`` verified organisations with their deposits."""
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from market.auctions import services as auctions
    from market.demo.identifiers import application_number, credit_code
    from market.models import Encumbrance, EncumbranceKind, Organisation, OrganisationKind, Patent, PatentOwner, User
    from market.regions import City

    call_command("migrate", verbosity=0)

    def org(n: int, name: str, kind: str = OrganisationKind.ENTERPRISE) -> Organisation:
        return Organisation.objects.create(name=name, credit_code=credit_code(name, kind=kind, city=City.HANGZHOU),
                                           kind=kind, verified=True)

    centre, bank, holder = (org(1, "浙江知识产权交易中心", OrganisationKind.TRADING_CENTRE),
                            org(2, "基准银行", OrganisationKind.BANK), org(3, "基准出质人有限公司"))
    staff = User.objects.create(username="bench-staff", organisation=centre)
    patent = Patent.objects.create(application_number=application_number("benchmark", year=2019, kind="invention"),
                                   kind="invention",
                                   title="一种基准测试用锂电池隔膜", filing_date=dt.date(2019, 3, 1),
                                   grant_date=dt.date(2021, 6, 1))
    PatentOwner.objects.create(patent=patent, organisation=holder)
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.PLEDGE, beneficiary=bank,
                               secured_amount=Decimal("300000.00"))
    now = timezone.now()
    auction = auctions.auction_open(source=None, patents=[patent], creditor=bank, debtor=holder,
                                    claim_amount="300000", reserve_price="100000", increment="100", deposit="10000",
                                    starts_at=now, ends_at=now + dt.timedelta(hours=1), actor=staff)
    users = []
    for i in range(bidders):
        user = User.objects.create(username=f"bench-bidder-{i}", organisation=org(10 + i, f"基准竞买公司{i}"))
        auctions.auction_deposit(auction_id=auction.pk, actor=user, idempotency_key=f"bench-deposit-{i}")
        users.append(user.pk)
    return auction.pk, users


def bidder(auction_id: int, user_id: int, seed: int, start_at: float, stop_at: float) -> dict:
    """What one bidding page does until ``stop_at``: read the live price, bid above it unless leading."""
    from django.db import connection, connections

    from market.auctions import services as auctions
    from market.auctions.models import Auction
    from market.models import User
    from market.rules import RuleViolation

    connections.close_all()  # a forked process must not share its parent's connection
    user = User.objects.select_related("organisation").get(pk=user_id)
    rng = random.Random(seed)
    accepted, refused, latencies, accepted_latencies = 0, 0, [], []
    while time.time() < start_at:
        time.sleep(0.001)
    look = (f"SELECT current_price, increment, reserve_price, leading_bidder_id FROM {Auction._meta.db_table} "
            "WHERE id = %s")
    while time.time() < stop_at:
        # The bidder's look at the price (plain SQL: the harness should spend its time in the bids, not here).
        with connection.cursor() as cursor:
            cursor.execute(look, [auction_id])
            price, increment, reserve, leader = cursor.fetchone()
        if leader == user.organisation_id:
            time.sleep(0.01)  # leading: nothing to do until the next look at the price
            continue
        amount = (reserve if price is None else price + increment) + increment * rng.randint(0, 2)
        began = time.perf_counter()
        try:
            auctions.auction_bid(auction_id=auction_id, actor=user, amount=amount)
            accepted += 1
            accepted_latencies.append(time.perf_counter() - began)
        except RuleViolation:
            refused += 1
        latencies.append(time.perf_counter() - began)
    connections.close_all()
    return {"accepted": accepted, "refused": refused, "latencies": latencies, "accepted_latencies": accepted_latencies}


def run_threads(jobs: list[tuple]) -> list[dict]:
    """Run each job's bidder in its own thread (and connection) of this process."""
    results: list[dict] = [{} for _ in jobs]

    def run(index: int) -> None:
        results[index] = bidder(*jobs[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def run_bidders(workers: int, auction_id: int, users: list[int], seconds: float) -> list[dict]:
    """The bidders spread over ``workers`` processes, as threads inside each (like web workers with threads)."""
    start_at = time.time() + 1.0  # every bidder starts at the same moment
    stop_at = start_at + seconds
    jobs = [(auction_id, user_id, i, start_at, stop_at) for i, user_id in enumerate(users)]
    if workers == 1:
        return run_threads(jobs)
    shares = [jobs[w::workers] for w in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return [result for share in pool.map(run_threads, shares) for result in share]


def check(auction_id: int, accepted: int) -> list[str]:
    """Every inconsistency of the final state (empty when consistent)."""
    from django.utils import timezone

    from market.auctions import services as auctions
    from market.auctions.models import Auction, AuctionState, Bid, BidderDeposit, DepositStatus
    from market.models import LedgerTransaction
    from market.services.ledger import ledger_problems

    problems = []
    auction = Auction.objects.get(pk=auction_id)
    bids = list(Bid.objects.filter(auction_id=auction_id).order_by("sequence"))
    if len(bids) != accepted or auction.bid_count != accepted:
        problems.append(f"{accepted} bids accepted, {len(bids)} stored, bid_count {auction.bid_count}")
    if [b.sequence for b in bids] != list(range(1, len(bids) + 1)):
        problems.append("bid sequence numbers have gaps or repeats")
    if len({b.amount for b in bids}) != len(bids):
        problems.append("two accepted bids at one amount")
    for before, after in zip(bids, bids[1:], strict=False):
        if after.amount < before.amount + auction.increment or after.at < before.at:
            problems.append(f"bid {after.sequence} does not beat bid {before.sequence} by the increment")
        if after.bidder_id == before.bidder_id:
            problems.append(f"bid {after.sequence}: the leader outbid itself")
    if bids and (auction.current_price, auction.leading_bidder_id) != (bids[-1].amount, bids[-1].bidder_id):
        problems.append("the live price or leader is not the last bid's")
    Auction.objects.filter(pk=auction_id).update(ends_at=timezone.now())
    auctions.auction_close(auction_id=auction_id, actor=None)
    auction = Auction.objects.get(pk=auction_id)
    winner = bids[-1].bidder_id if bids else None
    if bids and (auction.state != AuctionState.AWAITING_PAYMENT or auction.winning_bid_id != bids[-1].pk):
        problems.append("the last bid did not win")
    for deposit in BidderDeposit.objects.select_related("escrow"):
        moves = LedgerTransaction.objects.filter(escrow=deposit.escrow).count()
        expected = (DepositStatus.HELD, 1) if deposit.organisation_id == winner else (DepositStatus.REFUNDED, 2)
        if (deposit.status, moves) != expected:
            problems.append(f"deposit {deposit.paddle_label}: {deposit.status} with {moves} ledger transactions")
    return problems + ledger_problems()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    args = parse_args()
    workers = max(1, min(args.workers, args.bidders))
    recreate_database(args.server, DATABASE)
    try:
        with tempfile.TemporaryDirectory(prefix="zjip-bench-auction-") as media:
            setup_django(args.server, media)
            auction_id, users = prepare(args.bidders)
            from django.db import connections

            connections.close_all()
            results = run_bidders(workers, auction_id, users, args.seconds)
            accepted = sum(r["accepted"] for r in results)
            refused = sum(r["refused"] for r in results)
            latencies = [x * 1000 for r in results for x in r["latencies"]]
            accepted_latencies = [x * 1000 for r in results for x in r["accepted_latencies"]]
            problems = check(auction_id, accepted)
            connections.close_all()
    finally:
        if not args.keep:
            drop_database(args.server, DATABASE)
    figures = {
        "bidders": args.bidders, "workers": workers, "seconds": args.seconds, "accepted": accepted,
        "refused": refused, "accepted_bids_per_s": round(accepted / args.seconds, 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else 0.0,
        "p95_ms": round(percentile(latencies, 0.95), 2), "p99_ms": round(percentile(latencies, 0.99), 2),
        "p95_accepted_ms": round(percentile(accepted_latencies, 0.95), 2), "cpus": os.cpu_count(),
        "consistent": not problems,
    }
    print(f"{args.bidders} bidders in {workers} worker processes, {args.seconds:g} s on PostgreSQL, "
          f"{os.cpu_count()} CPUs")
    print(f"accepted {accepted} bids ({figures['accepted_bids_per_s']}/s), refused {refused} (outbid in between)")
    print(f"bid latency: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms; "
          f"p95 of accepted bids {figures['p95_accepted_ms']} ms")
    for problem in problems:
        print(f"INCONSISTENT: {problem}")
    print("final state consistent" if not problems else f"{len(problems)} problems")
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
