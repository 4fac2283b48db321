"""Report listings missing from the search index or stale in it; --fix repairs them."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from market.models import Listing, ListingState
from search.backends import get_search_backend
from search.consistency import find_problems, fix_problems


class Command(BaseCommand):
    help = ("检查检索索引与数据库是否一致 / Report listings missing from, stale in or orphaned in the search index; "
            "exits non-zero when there are problems (unless --fix repaired them).")

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="修复发现的问题 / Reindex or remove what is wrong.")
        parser.add_argument("--chunk-size", type=int, default=500, help="每批挂牌数 / Listings read per batch.")
        parser.add_argument("--backend", default=None,
                            help="检索后端名称 / Backend name (default: settings.SEARCH_BACKEND).")

    def handle(self, *args, fix: bool, chunk_size: int, backend: str | None, verbosity: int, **options):
        search_backend = get_search_backend(backend)
        total = Listing.objects.filter(state=ListingState.PUBLISHED).count()
        # tqdm redraws its line with "\r" on stderr: no newline or colour added by the wrapper.
        self.stderr.ending, self.stderr.style_func = "", None
        with tqdm(total=total, unit="listing", disable=verbosity < 1, file=self.stderr) as bar:
            problems = find_problems(search_backend, chunk_size=chunk_size, progress=bar.update)
        for line in problems.lines():
            self.stdout.write(line)
        count = len(problems.lines())
        if not problems:
            self.stdout.write(self.style.SUCCESS("索引与数据库一致 / The index matches the database"))
            return
        if not fix:
            raise CommandError(f"发现 {count} 个问题 / {count} problems found (run with --fix to repair)")
        fix_problems(search_backend, problems)
        self.stdout.write(self.style.SUCCESS(f"已修复 {count} 个问题 / Fixed {count} problems"))
