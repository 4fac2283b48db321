"""The rules module: may this patent be transferred / licensed / pledged / openly licensed now?

Each ``*_blockers`` function reads the patent, its register and the recorded consents and returns
the reasons that forbid the act (an empty list means it is allowed). Every deal calls these; no
other place re-implements a rule.
"""

from .abandonment import abandonment_blockers
from .base import Reason, RuleViolation, about_patent
from .check import ACTIONS, blockers_for
from .licence import licence_blockers
from .open_licence import open_licence_blockers, open_licence_take_up_blockers
from .pledge import pledge_blockers
from .transfer import transfer_blockers

__all__ = [
    "abandonment_blockers", "about_patent",
    "ACTIONS", "Reason", "RuleViolation", "blockers_for", "licence_blockers", "open_licence_blockers",
    "open_licence_take_up_blockers", "pledge_blockers", "transfer_blockers",
]
