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
    noun,
    pledgee_reasons,
    suspension_reasons,
)
from .trademark import rule_for

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
    rule = rule_for(RULE, patent)
    reasons = in_force_reasons(patent, rule)
    reasons += annual_fee_reasons(patent, rule)
    reasons += suspension_reasons(patent, rule)
    reasons += holder_reasons(patent, licensor, rule)
    if licence_kind in EXCLUSIVE_KINDS or patent.is_trademark:  # a co-owned mark: every licence
        reasons += co_owner_reasons(patent, licensor, ConsentPurpose.LICENCE, deal, rule)
    if licence_kind in EXCLUSIVE_KINDS:
        reasons += exclusive_licence_reasons(patent, rule, ignore=own_encumbrance, start=start_date, end=end_date)
        if (licence_kind == EncumbranceKind.EXCLUSIVE_LICENCE
                and licences_during(patent, EncumbranceKind.ORDINARY_LICENCE, start=start_date, end=end_date,
                                    ignore=own_encumbrance).exists()):
            reasons.append(Reason("ordinary_licence_in_force", rule,
                                  "本次期限内已有普通许可，不能再授予独占许可 / "
                                  "Ordinary licences cover this term: an exclusive licence cannot be granted"))
        if active(patent, EncumbranceKind.OPEN_LICENCE).exists():
            reasons.append(Reason("open_licence_declared", rule,
                                  "开放许可声明有效期间不得授予独占或排他许可 / "
                                  "While an open-licence declaration stands, no exclusive or sole licence"))
    else:
        # a sole (排他) licence, like an exclusive one, bars the licensor from licensing anyone else
        reasons += exclusive_licence_reasons(patent, rule, ignore=own_encumbrance, start=start_date, end=end_date)
    reasons += pledgee_reasons(patent, ConsentPurpose.LICENCE, deal, rule)
    if end_date and end_date > patent.expiry_date:
        reasons.append(Reason("term_past_expiry", rule,
                              f"许可期限不得超过{noun(patent)}期限（{patent.expiry_date:%Y-%m-%d}） / "
                              f"The licence may not run past the right's term ({patent.expiry_date:%Y-%m-%d})"))
    return reasons
