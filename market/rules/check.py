"""One entry point answering "may this patent be <act>ed now, and if not, why"."""

from __future__ import annotations

from collections.abc import Callable

from market.models import Organisation, Patent

from .base import Reason
from .licence import licence_blockers
from .open_licence import open_licence_blockers
from .pledge import pledge_blockers
from .transfer import transfer_blockers

ACTIONS: dict[str, Callable[..., list[Reason]]] = {
    "transfer": lambda p, org: transfer_blockers(p, seller=org),
    "licence": lambda p, org: licence_blockers(p, licensor=org),
    "exclusive_licence": lambda p, org: licence_blockers(p, licensor=org, licence_kind="exclusive_licence"),
    "pledge": lambda p, org: pledge_blockers(p, pledgor=org),
    "open_licence": lambda p, org: open_licence_blockers(p, holder=org),
}


def blockers_for(patent: Patent, organisation: Organisation) -> dict[str, list[Reason]]:
    """For each act, the reasons ``organisation`` may not perform it on ``patent`` now."""
    return {action: check(patent, organisation) for action, check in ACTIONS.items()}
