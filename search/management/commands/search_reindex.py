"""Rebuild the search index from the database."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from market.models import Listing, ListingState
from search.backends import get_search_backend
from search.backends.database.parallel import default_workers


class Command(BaseCommand):
    help = "从数据库重建检索索引 / Rebuild the search index from the database (searches keep working meanwhile)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=500,
                            help="每批挂牌数 / Listings indexed per batch (default 500).")
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help="并行进程数 / Processes indexing at once on PostgreSQL (default: one per core, "
                                 "plus one).")
        parser.add_argument("--backend", default=None,
                            help="检索后端名称 / Backend name (default: settings.SEARCH_BACKEND).")

    def handle(self, *args, chunk_size: int, workers: int, backend: str | None, verbosity: int, **options):
        search_backend = get_search_backend(backend)
        total = Listing.objects.filter(state=ListingState.PUBLISHED).count()
        # tqdm redraws its line with "\r": no newline or colour added by the wrapper.
        self.stderr.ending, self.stderr.style_func = "", None
        with tqdm(total=total, unit="listing", disable=verbosity < 1, file=self.stderr) as bar:
            result = search_backend.rebuild(chunk_size=chunk_size, progress=bar.update, workers=workers)
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"已索引 {result.indexed} 条挂牌，移除 {result.removed} 条 / "
                f"Indexed {result.indexed} listings, removed {result.removed} ({search_backend.name})"))
