"""Stream a patent record file onto the register (Patent rows and their holders): batches, constant memory,
resumable. The holders are the register's names (with made-up credit codes for organisations); none of them
is a platform organisation until it claims its holding (market/register/claims.py).

Per batch (default 2000 records), in one transaction: one query finds which application numbers
are taken, at most three resolve the holders' organisations, then bulk inserts write the patents
and their owners (``ignore_conflicts``: a rerun or a resumed run never duplicates a row). After
the commit, a small JSON checkpoint records the number of the last record of the batch; a run
with ``resume=True`` skips up to it. A crash between commit and checkpoint only means one batch
is read again, and found already there.

A rerun is recognised by the application number: generated numbers are fixed by the record's key,
and a number already held by a patent of the same title is that record, imported before. A number
held by a different patent (a hash collision) moves the record to its next alternative number.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from market.models import Patent, PatentOwner

from .generate import BuiltPatent, build_patent
from .holders import holder_credit_code
from .records import ADAPTERS, RecordFile, detect_format

BATCH_SIZE = 2000
# Alternative numbers tried when a generated number is held by another patent (collisions are rare).
MAX_NUMBER_ATTEMPTS = 8
CHECKPOINT_VERSION = 1


class CheckpointMismatch(ValueError):
    """The checkpoint was written for another file or source tag."""


@dataclass
class ImportStats:
    """What one run did; ``records_done`` is the number of the last record committed."""

    path: str
    source_tag: str
    format: str = ""
    read: int = 0
    imported: int = 0
    existing: int = 0
    invalid: int = 0
    skipped: int = 0
    conflicts: int = 0
    owners: int = 0
    resumed_from: int = 0
    records_done: int = 0
    complete: bool = False

    def summary(self) -> str:
        resumed = f"，自第 {self.resumed_from} 条后续传" if self.resumed_from else ""
        unfinished = "" if self.complete else "（未读完 / stopped before the end）"
        return (f"{Path(self.path).name}: 读取 {self.read} 条，新导入 {self.imported}，已存在 {self.existing}，"
                f"无法解析 {self.invalid}，跳过 {self.skipped}，申请号冲突 {self.conflicts}{resumed}{unfinished} / "
                f"read {self.read}, imported {self.imported}, already there {self.existing}, "
                f"unparseable {self.invalid}, skipped {self.skipped}, number conflicts {self.conflicts}")


class Checkpoint:
    """The last committed record of an import, in a small JSON file (written atomically)."""

    def __init__(self, path: Path, *, file: RecordFile, source_tag: str):
        self.path = Path(path)
        self.identity = {"file": file.path.name, "file_size": file.size, "source_tag": source_tag}

    def load(self) -> int | None:
        """The number of the last committed record, or None when there is no checkpoint."""
        if not self.path.exists():
            return None
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if any(data.get(key) != value for key, value in self.identity.items()):
            raise CheckpointMismatch(
                f"检查点 {self.path} 属于另一文件或来源标记 / the checkpoint belongs to another file or source tag: "
                f"{ {key: data.get(key) for key in self.identity} }")
        return int(data["records_done"])

    def save(self, stats: ImportStats) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": CHECKPOINT_VERSION, **self.identity, "records_done": stats.records_done,
                "complete": stats.complete, "updated_at": timezone.now().isoformat(), "last_run": asdict(stats)}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


def default_source_tag(path: str | Path) -> str:
    """Patents remember their file: the tag is the file's name (``Patent.source`` = tag#record id)."""
    return Path(path).name


def default_checkpoint_path(source_tag: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", source_tag).strip("_") or "import"
    return Path(settings.VAR_DIR) / "import_checkpoints" / f"{slug}.json"


def _claim_numbers(batch: list[BuiltPatent], stats: ImportStats) -> list[BuiltPatent]:
    """Give each new patent a free application number; count the ones already imported."""
    chosen: list[BuiltPatent] = []
    taken: dict[str, str] = {}  # number → title, within this batch
    pending = batch
    for attempt in range(MAX_NUMBER_ATTEMPTS):
        if not pending:
            break
        candidates = [(built, built.candidate_number(attempt)) for built in pending]
        in_db = dict(Patent.objects.filter(application_number__in={n for _, n in candidates})
                     .values_list("application_number", "title"))
        pending = []
        for built, number in candidates:
            holder_title = taken.get(number, in_db.get(number))
            if holder_title is None:
                built.patent.application_number = number
                taken[number] = built.patent.title
                chosen.append(built)
            elif holder_title == built.patent.title:
                stats.existing += 1
            elif built.number_generated:
                pending.append(built)
            else:
                stats.conflicts += 1  # a number from the file, held by a different patent
    stats.conflicts += len(pending)
    return chosen


def _write_batch(batch: list[BuiltPatent], stats: ImportStats) -> None:
    """Insert one batch of patents and their holders in one transaction."""
    with transaction.atomic():
        rows = _claim_numbers(batch, stats)
        if not rows:
            return
        Patent.objects.bulk_create([built.patent for built in rows], batch_size=BATCH_SIZE, ignore_conflicts=True)
        saved = {number: (pk, title) for pk, number, title in Patent.objects.filter(
            application_number__in=[built.patent.application_number for built in rows]
        ).values_list("pk", "application_number", "title")}
        owners = []
        for built in rows:
            pk, title = saved.get(built.patent.application_number, (None, None))
            if title != built.patent.title:  # taken by a concurrent import between check and insert
                stats.conflicts += 1
                continue
            stats.imported += 1
            since = built.patent.grant_date or built.patent.filing_date
            owners += [PatentOwner(patent_id=pk, name=name[:200], credit_code=holder_credit_code(name), since=since)
                       for name in built.holder_names]
        PatentOwner.objects.bulk_create(owners, batch_size=BATCH_SIZE, ignore_conflicts=True)
        stats.owners += len(owners)


def import_patents(path: str | Path, *, source_tag: str | None = None, limit: int | None = None,
                   resume: bool = False, batch_size: int = BATCH_SIZE, checkpoint_path: Path | None = None,
                   progress: bool = False, today: dt.date | None = None) -> ImportStats:
    """Import the records of ``path`` (gzip or plain JSONL / CSV) and return what was done.

    ``limit`` stops after that many records of this run; ``resume`` starts after the last record
    the checkpoint says was committed (without a checkpoint file: from the start, which is safe,
    only slower). ``checkpoint_path=None`` keeps no checkpoint (then ``resume`` is refused).
    """
    if resume and checkpoint_path is None:
        raise ValueError("resume needs a checkpoint path")
    source_tag = source_tag or default_source_tag(path)
    today = today or timezone.localdate()
    stats = ImportStats(path=str(path), source_tag=source_tag)
    with RecordFile(path) as records:
        checkpoint = Checkpoint(checkpoint_path, file=records, source_tag=source_tag) if checkpoint_path else None
        start = (checkpoint.load() or 0) if resume and checkpoint else 0
        stats.resumed_from = stats.records_done = start
        adapter = None
        batch: list[BuiltPatent] = []
        consumed = 0
        with tqdm(total=records.size, unit="B", unit_scale=True, desc=Path(path).name, disable=not progress) as bar:
            for number, row in records.rows():
                if number <= start:
                    if number % 10_000 == 0:
                        bar.update(records.position - bar.n)
                    continue
                if limit is not None and stats.read >= limit:
                    break
                stats.read += 1
                consumed += 1
                if row is None:
                    stats.invalid += 1
                else:
                    if adapter is None:
                        stats.format = detect_format(row)
                        adapter = ADAPTERS[stats.format]
                    record = adapter(row)
                    if record is None:
                        stats.skipped += 1
                    else:
                        batch.append(build_patent(record, source_tag=source_tag, today=today))
                if consumed >= batch_size:
                    _commit(batch, number, stats, checkpoint)
                    batch, consumed = [], 0
                    bar.update(records.position - bar.n)
                    bar.set_postfix(imported=stats.imported, refresh=False)
            else:
                stats.complete = True
            last = start + stats.read
            _commit(batch, last, stats, checkpoint)
            bar.update(records.position - bar.n)
    return stats


def _commit(batch: list[BuiltPatent], records_done: int, stats: ImportStats, checkpoint: Checkpoint | None) -> None:
    if batch:
        _write_batch(batch, stats)
    stats.records_done = max(stats.records_done, records_done)
    if checkpoint is not None:
        checkpoint.save(stats)
    if not connection.force_debug_cursor:
        # With DEBUG on, Django keeps the last 9000 statements, bulk inserts with full claims included:
        # drop them per batch so memory stays flat (left alone while a test is counting queries).
        connection.queries_log.clear()
