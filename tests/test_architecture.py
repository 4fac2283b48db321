"""The shape of the code: dependencies point one way, the models need no migration, every scheduled task exists.

Layers, lowest first: the market core; valuation, search and notifications (above the core only); the four
flows (market/transfers, licensing, pledges, auctions: above the core and those three, never each other);
matching, the statistics cockpit (stats) and IP finance beyond one loan (finance); then frontend; then config
(settings, URLs, error pages), which may use everything.
market/apps.py, market/api/urls.py and market/demo/ (with its seed_demo command) compose the flows and
belong to no layer. Function-level imports count like the others.
"""

import ast
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("market", "valuation", "search", "notifications", "matching", "stats", "finance", "frontend", "config")
FLOWS = ("transfers", "licensing", "pledges", "auctions")
COMPOSITION = ("market.apps", "market.api.urls", "market.demo", "market.management.commands.seed_demo")
RANK = {"core": 0, "valuation": 1, "search": 1, "notifications": 1, "flow": 2, "matching": 3, "stats": 3, "finance": 3,
        "frontend": 4, "config": 5}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every project module ``path`` imports, at any depth of the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {n for n in found if n.split(".")[0] in PACKAGES}


def layer(module: str) -> str | None:
    if any(module == c or module.startswith(c + ".") for c in COMPOSITION):
        return None
    top, _, rest = module.partition(".")
    if top == "market":
        return "flow" if rest.split(".")[0] in FLOWS else "core"
    return top


def flow_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "market" and len(parts) > 1 and parts[1] in FLOWS else None


def violations() -> list[str]:
    problems = []
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = module_name(path)
            source_layer = layer(source)
            if source_layer is None:
                continue
            for target in sorted(imports_of(path)):
                target_layer = layer(target)
                if target_layer is None or target_layer == source_layer == "flow" and flow_of(source) == flow_of(
                        target):
                    continue
                if target_layer == source_layer and source_layer != "flow":
                    continue
                if source_layer == "flow" and target_layer == "flow":
                    problems.append(f"{source} imports {target}: flows never import each other")
                elif RANK[target_layer] > RANK[source_layer] or (
                        RANK[target_layer] == RANK[source_layer] and target_layer != source_layer):
                    problems.append(f"{source} ({source_layer}) imports {target} ({target_layer})")
    return problems


def test_dependencies_point_one_way():
    assert violations() == []


def test_the_checker_sees_a_wrong_import(tmp_path, monkeypatch):
    """The check itself can fail: a core module importing a flow is reported."""
    package = tmp_path / "market"
    (package / "transfers").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "transfers" / "__init__.py").write_text("")
    (package / "core_module.py").write_text("from market.transfers import services\n")
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "PACKAGES", ("market",))
    assert violations() == ["market.core_module (core) imports market.transfers (flow)",
                            "market.core_module (core) imports market.transfers.services (flow)"]


@pytest.mark.django_db
def test_the_models_need_no_migration():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_scheduled_task_is_registered(settings):
    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    assert {name: task for name, task in scheduled.items() if task not in app.tasks} == {}
