"""manage.py seed_demo: the demo marketplace (idempotent), then the demo accounts and their password."""

from pathlib import Path

from django.core.management.base import BaseCommand

from market.demo.accounts import DEMO_PASSWORD
from market.demo.datafiles import DEMO_DATA_DIR
from market.demo.seed import accounts_text, seed_demo


class Command(BaseCommand):
    help = ("创建演示数据：浙江多地市的机构、各角色账号、导入 demo/data 中的真实专利记录、挂牌与转让交易；可重复运行。 "
            "Create the demo marketplace: organisations in several Zhejiang cities, an account for every role, "
            "the real patent records of demo/data, listings and transfer deals. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=DEMO_DATA_DIR, help="directory of the demo record files")
        parser.add_argument("--no-search", action="store_true", help="do not (re)index listings for search")

    def handle(self, *args, data_dir, no_search, **options):
        report, _ = seed_demo(data_dir=data_dir, with_search=not no_search)
        if options["verbosity"] > 0:
            for line in report.lines():
                self.stdout.write(line)
        # Printed on every run (make run shows it): the accounts only exist with this password in a demo.
        self.stdout.write(f"\n演示账号 / Demo accounts — 密码 password: {DEMO_PASSWORD}（仅用于演示 / demo only）")
        self.stdout.write(accounts_text())
