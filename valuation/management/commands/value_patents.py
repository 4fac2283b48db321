"""manage.py value_patents: revalue every patent in chunks through Celery tasks, with a progress bar."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from market.models import Patent
from valuation.settings import valuation_settings
from valuation.tasks import value_patents_chunk_task
from valuation.weights import WEIGHTS


class Command(BaseCommand):
    help = ("按默认假设批量重估全部专利（评分 + 收益法蒙特卡洛），每批一个 Celery 任务。 "
            "Revalue every patent on the default assumptions (score + income-method Monte Carlo), one Celery task "
            "per chunk; a chunk run twice adds nothing.")

    def add_arguments(self, parser):
        config = valuation_settings()
        parser.add_argument("--chunk-size", type=int, default=config["BATCH_CHUNK_SIZE"], help="patents per task")
        parser.add_argument("--weights-version", default=config["WEIGHTS_VERSION"], help="weights table version")
        parser.add_argument("--seed", type=int, default=config["SEED"], help="random seed")
        parser.add_argument("--draws", type=int, default=config["DRAWS"], help="Monte Carlo draws per patent")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, chunk_size, weights_version, seed, draws, no_progress, **options):
        config = valuation_settings()
        if chunk_size < 1:
            raise CommandError("--chunk-size 须大于 0 / --chunk-size must be greater than 0")
        if weights_version not in WEIGHTS:
            raise CommandError(f"未知的权重版本 {weights_version} / Unknown weights version {weights_version}")
        if not config["MIN_DRAWS"] <= draws <= config["MAX_DRAWS"]:
            raise CommandError(f"--draws 须在 {config['MIN_DRAWS']} 至 {config['MAX_DRAWS']} 之间 / "
                               f"--draws must be from {config['MIN_DRAWS']} to {config['MAX_DRAWS']}")
        ids = list(Patent.objects.order_by("pk").values_list("pk", flat=True))
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        waits = eager or bool(settings.CELERY_RESULT_BACKEND)
        bar = tqdm(total=len(ids), unit="件", desc="专利估值 valuing" if waits else "派发 dispatching",
                   disable=no_progress or options["verbosity"] == 0, file=sys.stderr)
        pending, created = [], 0
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start:start + chunk_size]
            result = value_patents_chunk_task.delay(chunk, weights_version, seed, draws)
            if eager:
                created += result.get()
                bar.update(len(chunk))
            else:
                pending.append((result, len(chunk)))
                if not waits:
                    bar.update(len(chunk))
        for result, size in pending if waits else []:
            created += result.get()
            bar.update(size)
        bar.close()
        if options["verbosity"] > 0:
            done = f"新增估值 {created} 条 / {created} new valuations" if waits else \
                f"已派发 {len(pending)} 个任务 / {len(pending)} tasks dispatched"
            self.stdout.write(f"专利 {len(ids)} 件 / {len(ids)} patents; {done}")
