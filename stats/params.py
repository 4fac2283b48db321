"""The query string of a cockpit request, checked field by field into a ``Query`` (400 with bilingual messages)."""

from __future__ import annotations

import datetime as dt
import re

from rest_framework.exceptions import ValidationError

from market.industries import Industry
from market.models import OrganisationKind, PatentKind
from market.regions import City

from .access import Audience
from .indicators import Indicator
from .selectors import BREAKDOWNS, PERIODS, RIGHTS, Query

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CHOICES = {"city": City, "industry": Industry, "kind": PatentKind, "holder_type": OrganisationKind}


def _month(value: str, name: str, errors: dict) -> dt.date | None:
    match = _MONTH.match(value or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        errors[name] = ["请填写年月，格式 YYYY-MM，如 2025-03 / Give a month as YYYY-MM, e.g. 2025-03"]
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def parse(indicator: Indicator, params, audience: Audience) -> Query:
    """The query the parameters ask for; ValidationError names each bad field."""
    errors: dict[str, list[str]] = {}
    by, period = params.get("by", "period"), params.get("period", "month")
    if by not in BREAKDOWNS:
        errors["by"] = [f"可选：{'、'.join(BREAKDOWNS)} / One of: {', '.join(BREAKDOWNS)}"]
    if period not in PERIODS:
        errors["period"] = [f"可选：{'、'.join(PERIODS)} / One of: {', '.join(PERIODS)}"]
    start = _month(params["from"], "from", errors) if params.get("from") else None
    end = _month(params["to"], "to", errors) if params.get("to") else None
    if start and end and start > end:
        errors["to"] = ["结束月份不能早于开始月份 / The last month cannot come before the first"]
    filters: dict[str, str | int] = {}
    for name, choices in _CHOICES.items():
        value = params.get(name)
        if value:
            if value not in choices.values:
                errors[name] = [f"无此取值：{value} / No such value: {value}"]
            filters[name] = value
    right = params.get("right")
    if right:
        if right not in RIGHTS:
            errors["right"] = [f"可选：{'、'.join(RIGHTS)} / One of: {', '.join(RIGHTS)}"]
        filters["right"] = right
    bank = params.get("bank")
    if bank:
        if bank == "own" and audience.bank_id is not None:
            filters["bank"] = audience.bank_id
        elif bank.isdigit():
            filters["bank"] = int(bank)
        else:
            errors["bank"] = ["请填写银行编号，或 own 表示本行 / Give a bank's id, or own for your bank"]
    if (by == "bank" or "bank" in filters) and not indicator.has_bank:
        errors["bank"] = ["该指标不按银行统计 / This indicator is not kept by bank"]
    if (by in ("kind", "right") or "kind" in filters or "right" in filters) and not indicator.has_kind:
        errors["kind"] = ["该指标不按专利类型统计 / This indicator is not kept by patent kind"]
    if errors:
        raise ValidationError(errors)
    return Query(indicator, by, period, start, end, filters)
