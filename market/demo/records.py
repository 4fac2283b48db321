"""Reading patent record files line by line, and turning each source format into one ``SourceRecord``.

Files are JSON Lines or CSV, plain or gzip (detected by the magic bytes), read as a stream: memory
does not grow with the file. Each non-blank line (CSV: row) is one record, numbered from 1; that
number is what a resumed import skips to.

Formats (detected from the first record's fields):
- ``kppatent``: KPPatent-ZH (MIT, © 2025 Gongbo Tang) — id, publication_number, title, abstract, claims,
  keyphrases. Chinese invention publications.
- ``cnki``: CNKI bibliographic rows — src_id, title, inventors, applicants, source_db, filing_date,
  publication_date, crawl_keyword. Foreign (``overseas``) rows are not CNIPA records and are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from market.models import PatentKind

GZIP_MAGIC = b"\x1f\x8b"
FORMATS = ("kppatent", "cnki")
# OCR residue of the CNIPA page header some titles start with, e.g. 权利要求书2页说明书8页附图1页.
TITLE_HEADER_RE = re.compile(r"^权利要求书\d+页说明书\d+页(?:附图\d+页)?")
CLAIM_START_RE = re.compile(r"^\s*(\d+)\s*[.．、]\s*")


class RecordFormatError(ValueError):
    """The file's records are in no supported format."""


@dataclass
class SourceRecord:
    """The facts one source record gives; ``None`` means the source does not say (a generator fills it)."""

    key: str                      # stable identity: seeds every generated value, identifies reruns
    record_id: str                # the record's id in its file, kept in Patent.source
    title: str
    kind: str | None = None
    abstract: str = ""
    claims: str = ""
    first_claim: str = ""
    claims_count: int = 0
    independent_claims: int = 0
    publication_number: str = ""
    application_number: str | None = None
    applicants: list[str] = field(default_factory=list)
    inventors: list[str] = field(default_factory=list)
    filing_date: dt.date | None = None
    publication_date: dt.date | None = None
    ipc_codes: list[str] | None = None
    keywords: list[str] = field(default_factory=list)   # words for the IPC guess
    topic: str = ""                                     # coarse category of the source, if any


class RecordFile:
    """A record file opened for streaming; ``position`` is how many bytes of the file were read."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.size = self.path.stat().st_size
        self._raw = open(self.path, "rb")  # noqa: SIM115 (closed in close())
        compressed = self._raw.read(2) == GZIP_MAGIC
        self._raw.seek(0)
        binary = gzip.GzipFile(fileobj=self._raw) if compressed else self._raw
        self._text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        stem = self.path.name.removesuffix(".gz").lower()
        self.is_csv = stem.endswith(".csv")

    @property
    def position(self) -> int:
        return self._raw.tell()

    def rows(self) -> Iterator[tuple[int, dict | None]]:
        """Yield ``(number, row)`` for each record; ``row`` is None when the line cannot be parsed."""
        if self.is_csv:
            for number, row in enumerate(csv.DictReader(self._text), start=1):
                yield number, row
            return
        number = 0
        for line in self._text:
            if not line.strip():
                continue
            number += 1
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                row = None
            yield number, row if isinstance(row, dict) else None

    def close(self) -> None:
        self._text.close()
        self._raw.close()

    def __enter__(self) -> RecordFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def detect_format(row: dict) -> str:
    """The format of a record from its fields; raises RecordFormatError for anything else."""
    if {"id", "title", "claims"} <= row.keys():
        return "kppatent"
    if {"src_id", "title", "applicants", "filing_date"} <= row.keys():
        return "cnki"
    raise RecordFormatError(
        f"不支持的记录格式（字段：{', '.join(sorted(row))[:200]}） / Unsupported record format; "
        f"supported: {', '.join(FORMATS)}")


def _date(value) -> dt.date | None:
    if not value:
        return None
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y.%m.%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _names(value) -> list[str]:
    parts = value if isinstance(value, list) else re.split(r"[;；]", value or "")
    seen: dict[str, None] = {}
    for part in parts:
        name = str(part).strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


def _claims(text: str) -> tuple[str, int, int]:
    """First claim, number of claims and of independent claims (those citing no other claim)."""
    claims = [line.strip() for line in (text or "").splitlines() if CLAIM_START_RE.match(line)]
    if not claims:
        return "", 0, 0
    first = CLAIM_START_RE.sub("", claims[0], count=1)
    independent = sum(1 for claim in claims if "权利要求" not in claim)
    return first, len(claims), max(independent, 1)


def _optional_register_fields(row: dict, record: SourceRecord) -> SourceRecord:
    """Files that do carry register fields (e.g. a resampled benchmark file) keep them as facts."""
    if row.get("application_number"):
        record.application_number = str(row["application_number"])
    if row.get("applicants") and not record.applicants:
        record.applicants = _names(row["applicants"])
    ipc = row.get("ipc_codes") or row.get("ipc")
    if ipc:
        record.ipc_codes = [str(code) for code in ipc] if isinstance(ipc, list) else _names(ipc)
    return record


# What scraping the publication's pages left in its texts: page headers ("CN114058170A权利要求书2/2页"), the
# labels of the front-page drawing before the abstract ("23本发明…", "201.检测…204.…本申请公开了…").
PAGE_HEADER_RE = re.compile(r"CN\d{9}[A-Z]\d?(?:权利要求书|说明书|书)\s*\d+\s*/\s*\d+\s*页")
ABSTRACT_START_RE = re.compile(r"本(?:发明|申请|实用新型|公开|披露)")
LEADING_LABELS_RE = re.compile(r"^[\d\s.\-]+(?=一种)")
# A drawing's label: two digits or more, digits and a dot or dash ("23", "101", "201.", "120-1"), or a digit
# right before 本发明; one digit followed by other text is the text's own ("7自由度机械臂", "5G").
LABEL_START_RE = re.compile(r"^(?:\d{2,}|\d+[.\-]|\d+(?=本(?:发明|申请|实用新型|公开|披露)))")


def scrub_claims(text: str) -> str:
    """Claims without the page headers scraped in between them."""
    return PAGE_HEADER_RE.sub("", text)


def scrub_abstract(text: str) -> str:
    """The abstract alone: without the drawing's labels before it, and cut where a page header starts the
    claims after it."""
    header = PAGE_HEADER_RE.search(text)
    if header:
        text = text[:header.start()]
    if LABEL_START_RE.match(text):
        start = ABSTRACT_START_RE.search(text, 0, 300)
        text = text[start.start():] if start else LEADING_LABELS_RE.sub("", text)
    return text.strip()


def from_kppatent(row: dict) -> SourceRecord | None:
    """A KPPatent-ZH record (an invention publication: kind code A) → SourceRecord."""
    title = TITLE_HEADER_RE.sub("", str(row.get("title") or "")).strip()
    if not title or not row.get("id"):
        return None
    claims = scrub_claims(str(row.get("claims") or ""))
    first, count, independent = _claims(claims)
    record = SourceRecord(
        key=str(row["id"]), record_id=str(row["id"]), title=title[:500], kind=PatentKind.INVENTION,
        abstract=scrub_abstract(str(row.get("abstract") or "")), claims=claims, first_claim=first,
        claims_count=count, independent_claims=independent,
        publication_number=str(row.get("publication_number") or "")[:20],
        keywords=[str(k) for k in row.get("keyphrases") or []],
    )
    return _optional_register_fields(row, record)


def from_cnki(row: dict) -> SourceRecord | None:
    """A CNKI bibliographic row → SourceRecord; None for foreign rows and rows without a title or date.

    The key is the content (title, applicants, filing date), not ``src_id``: the crawl found many
    patents under several topic keywords, and each must become one patent.
    """
    title = str(row.get("title") or "").strip()
    filing = _date(row.get("filing_date"))
    if not title or filing is None or str(row.get("source_db") or "CN").upper() != "CN":
        return None
    applicants = _names(row.get("applicants"))
    key = "cnki|" + "|".join([title, ";".join(applicants), filing.isoformat()])
    record = SourceRecord(
        key=key, record_id=str(row.get("src_id") or ""), title=title[:500], applicants=applicants,
        inventors=_names(row.get("inventors")), filing_date=filing, publication_date=_date(row.get("publication_date")),
        topic=str(row.get("crawl_keyword") or ""),
    )
    return _optional_register_fields(row, record)


ADAPTERS = {"kppatent": from_kppatent, "cnki": from_cnki}
