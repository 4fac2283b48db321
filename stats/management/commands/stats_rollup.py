"""manage.py stats_rollup [--full]: bring the cockpit's rollups (and with --full, its index) up to date."""

from django.core.management.base import BaseCommand

from stats.price_index import rebuild_index
from stats.rollups import rebuild, refresh


class Command(BaseCommand):
    help = "统计汇总：默认重算近两个月，--full 全部重算并更新价格指数 / Recount the cockpit's rollups"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="recount every month and the price index")

    def handle(self, *args, full: bool = False, **options):
        if full:
            cells, points = rebuild(), rebuild_index()
            self.stdout.write(f"{cells} cells, {points} index points")
        else:
            self.stdout.write(f"{refresh()} cells in the last two months")
