"""Comparing the index with the database: listings missing from it, stale in it, or there but not published."""

from collections.abc import Callable
from dataclasses import dataclass, field

from .backends.base import SearchBackend
from .documents import document_chunks


@dataclass
class IndexProblems:
    missing: list[int] = field(default_factory=list)  # published, not indexed
    stale: list[int] = field(default_factory=list)  # indexed from data that has changed since
    orphaned: list[int] = field(default_factory=list)  # indexed, not published (or gone)

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.orphaned)

    def lines(self) -> list[str]:
        """One line per problem, for the check command."""
        return ([f"缺失 missing: 挂牌 listing #{pk} 已发布但不在索引中 / published but not indexed"
                 for pk in self.missing]
                + [f"过期 stale: 挂牌 listing #{pk} 的索引内容已过时 / indexed from outdated data"
                   for pk in self.stale]
                + [f"多余 orphaned: 挂牌 listing #{pk} 未发布却在索引中 / indexed but not published"
                   for pk in self.orphaned])


def find_problems(backend: SearchBackend, *, chunk_size: int = 500,
                  progress: Callable[[int], None] | None = None) -> IndexProblems:
    """Compare every published listing's document checksum with the one its index entry was built from."""
    indexed = backend.indexed_checksums()
    problems = IndexProblems()
    for documents in document_chunks(chunk_size):
        if progress:
            progress(len(documents))
        for document in documents:
            checksum = indexed.pop(document.listing_id, None)
            if checksum is None:
                problems.missing.append(document.listing_id)
            elif checksum != document.checksum:
                problems.stale.append(document.listing_id)
    problems.orphaned = sorted(indexed)
    return problems


def fix_problems(backend: SearchBackend, problems: IndexProblems) -> None:
    """Index the missing and stale listings, remove the orphaned ones."""
    backend.index_listing_ids(problems.missing + problems.stale + problems.orphaned)
