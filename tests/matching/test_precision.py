"""The matcher's proposals on the demo marketplace against the labelled demand–listing pairs
(benchmarks/data/matching_labels.json, docs/matching.md): with its rules, precision of the top 5 is at least
0.75 and above the matcher's without them, and every proposal it makes is labelled."""

import json
import sys
from pathlib import Path

import pytest
from django.db import connection

from ..demo_marketplace import seeded_demo

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with seeded_demo(django_db_blocker):
        yield


@pytest.mark.skipif(connection.vendor == "postgresql",
                    reason="the proposals do not depend on the database engine: measured once, in the SQLite pass")
def test_proposals_are_precise_on_the_labelled_pairs(demo, db):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import matching_precision
    finally:
        sys.path.remove(str(BENCHMARKS))
    from matching.matcher import LOOSE, RULES

    raw = json.loads((BENCHMARKS / "data" / "matching_labels.json").read_text(encoding="utf-8"))
    labels = {(row["demand"], row["patent"]): row["relevant"] for row in raw["pairs"]}
    assert len(labels) >= 100

    before = matching_precision.evaluate(LOOSE, labels, False, "loose")
    after = matching_precision.evaluate(RULES, labels, False, "rules")
    assert after["unlabelled"] == 0 and before["unlabelled"] == 0
    assert after["precision"] >= 0.75 and after["precision"] > before["precision"]
