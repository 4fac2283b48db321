"""Who sees which figures of the cockpit.

Anyone sees the province's figures, by period, city, industry and patent kind, and the price index. Breakdowns
by bank or by holder type (which name banks and single organisations' portfolios) are for trading-centre
staff; a verified bank may in addition filter the loan indicators to its own book (``bank=own``) to set it
against the market.
"""

from __future__ import annotations

from typing import NamedTuple

from market.access import member_of
from market.services.errors import ActionForbidden

from .selectors import Query

STAFF_ONLY = "按银行或机构类型的分项数据仅对交易中心工作人员开放 / Figures by bank or by holder type are for " \
             "trading-centre staff"
OWN_BANK_ONLY = "银行只能查看本行的贷款数据 / A bank sees its own loans only"


class Audience(NamedTuple):
    staff: bool = False
    bank_id: int | None = None  # a verified bank's organisation


def audience_of(user) -> Audience:
    org = member_of(user)
    if org is None:
        return Audience()
    return Audience(staff=user.is_centre_staff, bank_id=org.pk if org.is_bank else None)


def check(query: Query, audience: Audience) -> None:
    """Refused (ActionForbidden, 403) when the query asks for more than the audience may see."""
    if audience.staff:
        return
    if query.by in ("bank", "holder_type") or "holder_type" in query.filters:
        raise ActionForbidden(STAFF_ONLY)
    if "bank" in query.filters and query.filters["bank"] != audience.bank_id:
        raise ActionForbidden(OWN_BANK_ONLY if audience.bank_id else STAFF_ONLY)
