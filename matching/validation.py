"""Checking and normalising a demand's fields: one place for the messages (中文 / English).

Modes, industry, cities and IPC prefixes are checked by ``search.SearchQuery`` itself, so a demand
only holds values its candidate queries accept (``杭州`` becomes ``3301``, ``h01m 10`` becomes ``H01M10``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from market.money import cny
from search.backends import InvalidSearchQuery, SearchQuery

from .models import WANTED_MODES

MAX_TITLE = 200
MAX_TEXT = 2000
MAX_IPC_PREFIXES = 5
MAX_BUDGET = Decimal("1e13")
# SearchQuery's field -> the demand's field its messages belong to.
FIELD_OF = {"mode": "wanted_modes", "industry": "industry", "city": "regions", "ipc_prefix": "ipc_prefixes"}


def _amount(value, name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(value if isinstance(value, Decimal | int) else str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        amount = Decimal("NaN")
    if not amount.is_finite():
        errors[name] = [f"“{value}”不是金额 / '{value}' is not an amount"]
        return None
    amount = cny(amount)
    if not (0 <= amount < MAX_BUDGET):
        errors[name] = ["预算须在 0 至 10万亿元之间 / A budget must be between 0 and 10 trillion yuan"]
        return None
    return amount


def _search_values(query_fields: dict, errors: dict) -> SearchQuery | None:
    try:
        return SearchQuery(**query_fields, with_facets=False)
    except InvalidSearchQuery as exc:
        for name, messages in exc.errors.items():
            errors.setdefault(FIELD_OF.get(name, name), []).extend(messages)
        return None


def _text(value, name: str, label: str, limit: int, errors: dict) -> str:
    value = " ".join(str(value or "").split()) if name == "title" else str(value or "").strip()
    if not value:
        errors[name] = [f"请填写{label} / The {name} is required"]
    elif len(value) > limit:
        errors[name] = [f"{label}不能超过 {limit} 个字符 / The {name} must not exceed {limit} characters"]
    return value


def demand_fields(*, title: str, text: str, wanted_modes, industry: str = "", ipc_prefixes=(), budget_min=None,
                  budget_max=None, regions=()) -> dict:
    """The demand's fields, normalised; raises ValidationError with every field's messages."""
    errors: dict[str, list[str]] = {}
    data = {"title": _text(title, "title", "需求名称", MAX_TITLE, errors),
            "text": _text(text, "text", "需求描述", MAX_TEXT, errors)}
    modes = [wanted_modes] if isinstance(wanted_modes, str) else list(wanted_modes or [])
    if not modes:
        errors["wanted_modes"] = ["请至少选择一种期望交易方式 / Choose at least one wanted mode"]
    elif unwanted := [m for m in modes if m not in WANTED_MODES]:
        allowed = ", ".join(WANTED_MODES)
        errors["wanted_modes"] = [f"未知的交易方式“{m}”，可选：{allowed} / Unknown mode '{m}'; choose from: {allowed}"
                                  for m in unwanted]
    regions = [regions] if isinstance(regions, str) else list(regions or [])
    checked = _search_values({"mode": tuple(modes) if "wanted_modes" not in errors else (),
                              "industry": (industry,) if industry else (), "city": tuple(regions)}, errors)
    if checked is not None:
        data.update(wanted_modes=list(checked.mode), industry=industry or "", regions=list(checked.city))
    prefixes = [ipc_prefixes] if isinstance(ipc_prefixes, str) else list(ipc_prefixes or [])
    if len(prefixes) > MAX_IPC_PREFIXES:
        errors["ipc_prefixes"] = [f"IPC分类号最多 {MAX_IPC_PREFIXES} 个 / At most {MAX_IPC_PREFIXES} IPC prefixes"]
    else:
        canonical = [query.ipc_prefix for p in prefixes if str(p).strip()
                     if (query := _search_values({"ipc_prefix": str(p)}, errors)) is not None]
        data["ipc_prefixes"] = list(dict.fromkeys(canonical))
    data["budget_min"] = _amount(budget_min, "budget_min", errors)
    data["budget_max"] = _amount(budget_max, "budget_max", errors)
    if data["budget_min"] is not None and data["budget_max"] is not None and data["budget_min"] > data["budget_max"]:
        errors["budget_max"] = ["预算上限不能低于预算下限 / The budget maximum must not be below the minimum"]
    if errors:
        raise ValidationError(errors)
    return data
