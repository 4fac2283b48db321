"""The documentation is true to the code: every file, function and test it names exists, every legal
source of a refusal is explained in docs/rules.md, and the repository points only to itself."""

import re
import subprocess
from pathlib import Path

import pytest

from market.rules.sources import LEGAL_SOURCES, TRADEMARK_SOURCES

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
# `path/to/file.py` or `path/to/file.py::name`, for the repository's own top-level folders.
TOP = ("market", "search", "valuation", "matching", "notifications", "stats", "frontend", "config", "tests", "benchmarks",
       "docker", "demo", "docs")
REFERENCE = re.compile(rf"`((?:{'|'.join(TOP)})/[\w./-]+?)(?:::(\w+))?`")
OUTSIDE = re.compile(r"DOMAIN\.md|DESIGN\.md|STYLE\.md|\.\./shared|\b[Ii]ssues? #?\d+\b")


def references() -> list[tuple[str, str, str | None]]:
    found = []
    for doc in DOCS:
        for path, name in REFERENCE.findall(doc.read_text(encoding="utf-8")):
            found.append((doc.name, path, name or None))
    return found


def test_the_docs_name_files_at_all():
    assert len(references()) > 100


@pytest.mark.parametrize(("doc", "path", "name"), references(), ids=lambda value: str(value))
def test_every_named_file_and_definition_exists(doc, path, name):
    target = ROOT / path
    assert target.exists(), f"{doc}: {path} does not exist"
    if name:
        text = target.read_text(encoding="utf-8")
        assert re.search(rf"^\s*(?:async )?(?:def|class) {name}\b|^{name}\s*[:=]", text, re.MULTILINE), \
            f"{doc}: {path} defines no {name}"


def test_every_reason_with_a_legal_source_is_explained():
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    codes = {key[1] if isinstance(key, tuple) else key for key in (*LEGAL_SOURCES, *TRADEMARK_SOURCES)}
    missing = sorted(code for code in codes if f"`{code}`" not in rules)
    assert not missing, f"docs/rules.md does not explain {missing}"


def test_the_repository_points_only_to_itself():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".html", ".po", ".toml", ".yaml", ".yml", ".css", ".js", ".txt", ""} \
                or not path.is_file() or name.startswith(("frontend/static/vendor/", "demo/data/")) and path.suffix != ".md":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path == Path(__file__):
            continue
        offenders += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}" for m in OUTSIDE.finditer(text)]
    assert not offenders, "\n".join(offenders)
