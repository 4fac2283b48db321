"""Named row locks of the matching app, taken after market's (listing, deal): demand, then proposal."""

from .models import Demand, MatchProposal, SavedSearch


def demand(demand_id: int) -> Demand:
    return Demand.objects.select_for_update().get(pk=demand_id)


def proposal(proposal_id: int) -> MatchProposal:
    return MatchProposal.objects.select_for_update(of=("self",)).select_related("demand", "listing").get(pk=proposal_id)


def saved_search(saved_search_id: int) -> SavedSearch:
    return SavedSearch.objects.select_for_update().get(pk=saved_search_id)
