"""manage.py stats_recount: prove the rollups equal a recount of the raw data (exit 1 listing any difference)."""

from django.core.management.base import BaseCommand, CommandError

from stats.rollups import recount


class Command(BaseCommand):
    help = "核对统计汇总与原始数据是否一致 / Check that the rollups equal a recount of the raw data"

    def handle(self, *args, **options):
        differences = recount()
        for line in differences[:50]:
            self.stdout.write(line)
        if differences:
            raise CommandError(f"{len(differences)} 个汇总单元与原始数据不一致 / cells differ from the raw data")
        self.stdout.write("汇总与原始数据一致 / The rollups equal the raw data")
