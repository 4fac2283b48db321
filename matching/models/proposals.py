"""A match staff propose between a demand and a published listing, and its outcome."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.models import Listing, User
from market.transfers.models import TransferDeal

from .demands import Demand


class ProposalState(models.TextChoices):
    """Outcome of a proposal: proposed → accepted / rejected; → deal started → deal closed."""

    PROPOSED = "proposed", "已推荐 Proposed"
    ACCEPTED = "accepted", "已接受 Accepted"
    REJECTED = "rejected", "未采纳 Rejected"
    DEAL_STARTED = "deal_started", "已发起交易 Deal started"
    DEAL_CLOSED = "deal_closed", "已成交 Deal closed"


class MatchProposal(ConcurrentTransitionMixin, models.Model):
    """One listing proposed for one demand (once per pair). ``explanation`` keeps why it matched when it was
    proposed (``matching.matcher.Explanation.as_dict``); ``deal`` is the transfer deal opened from it."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="proposals")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="match_proposals")
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("推荐说明"), blank=True, max_length=1000)
    score = models.DecimalField(_("匹配度"), max_digits=5, decimal_places=1, null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    state = FSMField(_("状态"), default=ProposalState.PROPOSED, choices=ProposalState.choices, protected=True)
    deal = models.ForeignKey(TransferDeal, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="match_proposals")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("匹配推荐")
        constraints = [models.UniqueConstraint(fields=["demand", "listing"], name="one_proposal_per_demand_listing")]

    def __str__(self) -> str:
        return f"{self.demand} ↔ {self.listing}"

    @transition(field=state, source=ProposalState.PROPOSED, target=ProposalState.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=state, source=[ProposalState.PROPOSED, ProposalState.ACCEPTED], target=ProposalState.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=state, source=[ProposalState.PROPOSED, ProposalState.ACCEPTED],
                target=ProposalState.DEAL_STARTED)
    def start_deal(self, deal: TransferDeal | None = None) -> None:
        self.deal = deal

    @transition(field=state, source=ProposalState.DEAL_STARTED, target=ProposalState.DEAL_CLOSED)
    def close_deal(self) -> None:
        pass
