"""Licence by contract (实施许可) and its filing (备案)."""

from __future__ import annotations

import datetime as dt

from django.db import models

from market.models import ConsentPurpose, EncumbranceKind, Organisation, Patent

from .base import Reason
from .common import (
    active,
    annual_fee_reasons,
    co_owner_reasons,
    exclusive_licence_reasons,
    holder_reasons,
    in_force_reasons,
    licences_during,
    pledgee_reasons,
    suspension_reasons,
)

RULE = "licence"
EXCLUSIVE_KINDS = (EncumbranceKind.EXCLUSIVE_LICENCE, EncumbranceKind.SOLE_LICENCE)


def licence_blockers(patent: Patent, *, licensor: Organisation, licence_kind: str = EncumbranceKind.ORDINARY_LICENCE,
                     start_date: dt.date | None = None, end_date: dt.date | None = None,
                     deal: models.Model | None = None, own_encumbrance: int | None = None) -> list[Reason]:
    """Reasons ``licensor`` may not grant a licence of ``licence_kind`` on ``patent`` for the term from
    ``start_date`` (today) to ``end_date`` (open).

    An exclusive (独占) licence conflicts with any licence in force; a sole (排他) or exclusive one
    with another exclusive/sole licence or an open-licence declaration; an ordinary one with an
    exclusive or sole licence; every kind with a pledge
    lacking the pledgee's consent. Licences conflict when their terms overlap: one registered to start
    later counts as much as one in force. The term may not pass the patent's expiry. ``own_encumbrance``
    is the pk of the licence's own register entry once it exists (the 备案 re-check): it is no conflict.
    """
    reasons = in_force_reasons(patent, RULE)
    reasons += annual_fee_reasons(patent, RULE)
    reasons += suspension_reasons(patent, RULE)
    reasons += holder_reasons(patent, licensor, RULE)
    if licence_kind in EXCLUSIVE_KINDS:
        reasons += co_owner_reasons(patent, licensor, ConsentPurpose.LICENCE, deal, RULE)
        reasons += exclusive_licence_reasons(patent, RULE, ignore=own_encumbrance, start=start_date, end=end_date)
        if (licence_kind == EncumbranceKind.EXCLUSIVE_LICENCE
                and licences_during(patent, EncumbranceKind.ORDINARY_LICENCE, start=start_date, end=end_date,
                                    ignore=own_encumbrance).exists()):
            reasons.append(Reason("ordinary_licence_in_force", RULE,
                                  "本次期限内已有普通许可，不能再授予独占许可 / "
                                  "Ordinary licences cover this term: an exclusive licence cannot be granted"))
        if active(patent, EncumbranceKind.OPEN_LICENCE).exists():
            reasons.append(Reason("open_licence_declared", RULE,
                                  "开放许可声明有效期间不得授予独占或排他许可 / "
                                  "While an open-licence declaration stands, no exclusive or sole licence"))
    else:
        # a sole (排他) licence, like an exclusive one, bars the licensor from licensing anyone else
        reasons += exclusive_licence_reasons(patent, RULE, ignore=own_encumbrance, start=start_date, end=end_date)
    reasons += pledgee_reasons(patent, ConsentPurpose.LICENCE, deal, RULE)
    if end_date and end_date > patent.expiry_date:
        reasons.append(Reason("term_past_expiry", RULE,
                              f"许可期限不得超过专利权期限（{patent.expiry_date:%Y-%m-%d}） / "
                              f"The licence may not run past the patent's expiry ({patent.expiry_date:%Y-%m-%d})"))
    return reasons
