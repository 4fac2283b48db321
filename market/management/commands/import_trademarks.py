"""Put registered trademarks on the register from a JSON Lines file (market/register/trademarks.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from market.register.trademarks import import_trademarks


class Command(BaseCommand):
    help = ("导入注册商标登记记录（JSON Lines；可重复运行，已在登记簿的跳过） / Import registered trademarks from a "
            "JSON Lines file; a rerun imports only what is new (see market/register/trademarks.py)")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--source", default=None, help="the records' source (default: the file's name)")

    def handle(self, *args, file: str, source: str | None, **options):
        if not Path(file).is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        report = import_trademarks(file, source=source)
        for line in report.errors:
            self.stderr.write(line)
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(f"{len(report.errors)} record(s) refused")
