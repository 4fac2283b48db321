"""Drive a transfer deal to a given state through the real services."""

from market.transfers import services as deals
from market.transfers.models import DealState, TransferDeal


def advance(deal: TransferDeal, *, to: str, seller, buyer, staff) -> TransferDeal:
    """Run the services from the deal's state up to ``to`` (the happy path), returning the fresh deal."""
    order = [DealState.NEGOTIATING, DealState.AGREED, DealState.SIGNED, DealState.PAID, DealState.FILED,
             DealState.REGISTERED, DealState.CLOSED]
    steps = {
        DealState.NEGOTIATING: lambda: deals.deal_accept(deal_id=deal.pk, actor=seller),
        DealState.AGREED: lambda: (deals.deal_sign(deal_id=deal.pk, actor=seller),
                                   deals.deal_sign(deal_id=deal.pk, actor=buyer)),
        DealState.SIGNED: lambda: deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key=f"pay-{deal.pk}"),
        DealState.PAID: lambda: deals.deal_file_registration(deal_id=deal.pk, actor=seller),
        DealState.FILED: lambda: (deals.deal_pay_registration_fee(deal_id=deal.pk, actor=buyer,
                                                                  idempotency_key=f"fee-{deal.pk}"),
                                  deals.deal_register(deal_id=deal.pk, actor=staff)),
        DealState.REGISTERED: lambda: deals.deal_release(deal_id=deal.pk, actor=staff),
    }
    deal.refresh_from_db()
    while order.index(deal.state) < order.index(to):
        steps[deal.state]()
        deal.refresh_from_db()
    return deal
