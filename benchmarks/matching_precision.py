"""Benchmark: the precision of the matcher's proposals on the demo marketplace, before and after its rules.

    .venv/bin/python benchmarks/matching_precision.py            # seeds the demo in a temporary database
    .venv/bin/python benchmarks/matching_precision.py --list     # also print every proposal (to label new pairs)

The demands are benchmarks/data/matching_demands.json (25 demands written as buyers write them, generic
words included); the labels are benchmarks/data/matching_labels.json: demand–listing pairs judged relevant
or not by reading the demand and the listing (title, abstract, claims), each pair named by the demand's key
and the listing's first patent number (stable across seeds of the demo). docs/matching.md says how they
were made.

For each demand the top 5 proposals are taken twice: with the matcher's rules (``matching.matcher.RULES``:
generic words left out, a least text share, a least score) and without them (``LOOSE``: the matcher as it
was before them). "precision" is the share of proposals labelled relevant (a proposal without a label is
counted and reported as unlabelled); "proposals" how many were made. The last line is one JSON object of
the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(__file__).resolve().parent / "data"

from support import prepare_django_environment  # noqa: E402  (benchmarks/support/)

TOP = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every proposal with its label")
    return parser.parse_args()


def seed() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())


def profiles() -> list[tuple[str, object]]:
    from market.models import Organisation
    from matching.matcher import DemandProfile

    buyer = Organisation.objects.get(name="宁波甬江智造科技有限公司（演示）")
    demands = json.loads((DATA / "matching_demands.json").read_text(encoding="utf-8"))
    return [(d["key"], DemandProfile(text=f"{d['title']}\n{d['text']}", wanted_modes=tuple(d["modes"]),
                                     ipc_prefixes=tuple(d["ipc"]), organisation_id=buyer.pk)) for d in demands]


def first_patent(listing_ids: list[int]) -> dict[int, str]:
    from market.models import Listing

    return {listing.pk: listing.patents.order_by("application_number").first().application_number
            for listing in Listing.objects.filter(pk__in=listing_ids).prefetch_related("patents")}


def evaluate(rules, labels: dict[tuple[str, str], bool], show: bool, name: str) -> dict:
    from matching.matcher import match_demand

    proposed = relevant = unlabelled = 0
    for key, profile in profiles():
        matches = match_demand(profile, limit=TOP, rules=rules)
        numbers = first_patent([m.listing_id for m in matches])
        for match in matches:
            label = labels.get((key, numbers[match.listing_id]))
            proposed += 1
            relevant += bool(label)
            unlabelled += label is None
            if show:
                mark = {True: "✔", False: "✘", None: "?"}[label]
                print(f"{name:5} {key:13} {mark} {match.score:5} {numbers[match.listing_id]:16} {match.title[:30]}"
                      f"  {'/'.join(match.explanation.matched_terms)}")
    return {"proposals": proposed, "relevant": relevant, "unlabelled": unlabelled,
            "precision": round(relevant / proposed, 3) if proposed else None}


def main() -> None:
    args = parse_args()
    prepare_django_environment()
    with tempfile.TemporaryDirectory() as var:
        os.environ["VAR_DIR"] = var
        os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        seed()
        from matching.matcher import LOOSE, RULES

        raw = json.loads((DATA / "matching_labels.json").read_text(encoding="utf-8"))
        labels = {(row["demand"], row["patent"]): row["relevant"] for row in raw["pairs"]}
        before = evaluate(LOOSE, labels, args.list, "loose")
        after = evaluate(RULES, labels, args.list, "rules")
    figures = {"demands": len(json.loads((DATA / "matching_demands.json").read_text(encoding="utf-8"))),
               "labelled_pairs": len(labels), "top": TOP,
               "before": before, "after": after, "min_score": str(RULES.min_score)}
    print(f"precision@{TOP}: before {before['precision']} ({before['proposals']} proposals), "
          f"after {after['precision']} ({after['proposals']} proposals)")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
