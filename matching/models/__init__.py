"""Matching models, one module per topic; import them from here."""

from .demands import WANTED_MODES, Demand, DemandState
from .proposals import MatchProposal, ProposalState
from .subscriptions import SavedSearch, SavedSearchHit

__all__ = ["WANTED_MODES", "Demand", "DemandState", "MatchProposal", "ProposalState", "SavedSearch", "SavedSearchHit"]
