"""manage.py import_patents FILE [FILE ...]: import real patent records, generating and marking missing fields."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from market.demo.importer import (
    BATCH_SIZE,
    CheckpointMismatch,
    default_checkpoint_path,
    default_source_tag,
    import_patents,
)
from market.demo.records import RecordFormatError


class Command(BaseCommand):
    help = ("导入真实专利记录（gzip 或纯文本 JSONL / CSV；KPPatent-ZH 与 CNKI 题录格式），缺失字段按记录确定性生成并标注。 "
            "Import real patent records (gzip or plain JSONL / CSV; KPPatent-ZH and CNKI bibliographic formats); "
            "fields the records lack are generated deterministically and listed in Patent.demo_generated_fields.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="record file(s), e.g. demo/data/*.gz")
        parser.add_argument("--source-tag", help="tag kept in Patent.source as TAG#record-id (default: file name)")
        parser.add_argument("--limit", type=int, help="stop after N records of this run")
        parser.add_argument("--resume", action="store_true",
                            help="continue after the last committed record of the checkpoint")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"records per transaction "
                                                                               f"(default {BATCH_SIZE})")
        parser.add_argument("--checkpoint", type=Path,
                            help="checkpoint file (default: var/import_checkpoints/<tag>.json); one FILE only")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, files, source_tag, limit, resume, batch_size, checkpoint, no_progress, **options):
        if len(files) > 1 and (checkpoint or source_tag):
            raise CommandError("--checkpoint 与 --source-tag 只能用于单个文件 / "
                               "--checkpoint and --source-tag take one FILE only")
        if batch_size < 1 or (limit is not None and limit < 0):
            raise CommandError("--batch-size 须大于0，--limit 不能为负 / --batch-size must be > 0, --limit >= 0")
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"文件不存在 / No such file: {path}")
            tag = source_tag or default_source_tag(path)
            try:
                stats = import_patents(
                    path, source_tag=tag, limit=limit, resume=resume, batch_size=batch_size,
                    checkpoint_path=checkpoint or default_checkpoint_path(tag),
                    progress=not no_progress and options["verbosity"] > 0)
            except (RecordFormatError, CheckpointMismatch) as exc:
                raise CommandError(str(exc)) from exc
            if options["verbosity"] > 0:
                self.stdout.write(stats.summary())
