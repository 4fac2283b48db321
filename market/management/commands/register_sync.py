"""Apply a file of the register-event feed (grants, fees, lapses, invalidations, holder changes, …)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from market.register.feed import register_sync


class Command(BaseCommand):
    help = ("记入登记簿事件（JSON Lines；可重复运行，已记入的跳过） / Apply register events from a JSON Lines file; "
            "a rerun applies only what is new (see market/register/feed.py)")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--source", default=None, help="the events' source (default: the file's name)")

    def handle(self, *args, file: str, source: str | None, **options):
        if not Path(file).is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        report = register_sync(file, source=source)
        for line in report.errors:
            self.stderr.write(line)
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(f"{len(report.errors)} event(s) refused")
