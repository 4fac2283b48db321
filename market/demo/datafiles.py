"""The demo data files shipped in ``demo/data/`` and how the CNKI subset among them was made.

Rebuild the subset from the full file (not shipped) with::

    python -m market.demo.datafiles path/to/cn_cnki_bibliographic.csv.gz demo/data/
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

DEMO_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "demo" / "data"
KPPATENT_FILE = "cn_kppatent_zh_title_abstract_claims.jsonl.gz"
CNKI_SUBSET_FILE = "cn_cnki_bibliographic_zhejiang_subset.jsonl.gz"
# Imported by seed_demo in this order; KPPatent records get the demo holders.
DEMO_FILES = (KPPATENT_FILE, CNKI_SUBSET_FILE)
# Besides every Zhejiang row: this many other CN rows per crawl topic, for the facets' sake.
OTHER_ROWS_PER_TOPIC = 8


def build_cnki_subset(source: Path, target_dir: Path) -> Path:
    """Write the Zhejiang-heavy CNKI subset as gzip JSONL: every CN row with a Zhejiang applicant, plus
    the first ``OTHER_ROWS_PER_TOPIC`` other CN rows of each crawl topic; rows repeated under several
    topics are kept once. Fields and values are the source's, unchanged."""
    seen: set[tuple[str, str, str]] = set()
    per_topic: dict[str, int] = {}
    kept = []
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            identity = (row["title"], row["applicants"], row["filing_date"])
            if row["source_db"] != "CN" or identity in seen:
                continue
            zhejiang = row["zhejiang_hint"] == "True"
            if not zhejiang and per_topic.get(row["crawl_keyword"], 0) >= OTHER_ROWS_PER_TOPIC:
                continue
            if not zhejiang:
                per_topic[row["crawl_keyword"]] = per_topic.get(row["crawl_keyword"], 0) + 1
            seen.add(identity)
            kept.append({**row, "zhejiang_hint": zhejiang})
    target = Path(target_dir) / CNKI_SUBSET_FILE
    # mtime=0: the same rows give the same bytes (a reproducible file in the repository).
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        for row in kept:
            gz.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    return target


if __name__ == "__main__":
    print(build_cnki_subset(Path(sys.argv[1]), Path(sys.argv[2])))
