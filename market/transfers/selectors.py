"""Reads of the transfer deals: who sees a deal, its timeline, the consents it still needs, what a user may do."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from market.access import member_of, own_or_staff
from market.extensions import ClosedTransfer, TransferHistory
from market.models import User
from market.roles import who
from market.rules.common import active_pledges, has_consent

from .models import FUNDED_STATES, HISTORY_DEMO_KEY, OPEN_STATES, DealState, TransferDeal, deal_number


def deals_visible_to(user: User | None) -> QuerySet[TransferDeal]:
    """The parties see their deals; co-owners and pledgees see deals needing their consent; staff see all."""
    return own_or_staff(TransferDeal.objects.select_related("seller", "buyer", "listing", "escrow"), user,
                        "seller_id", "buyer_id", consenting="patents__")


def transfer_documents_q(user: User) -> Q:
    """Documents of the transfer deals the user's organisation is a party to."""
    deal_ids = deals_visible_to(user).filter(Q(seller_id=user.organisation_id) | Q(buyer_id=user.organisation_id))
    return Q(deal_type__model="transferdeal", deal_id__in=deal_ids.values("pk"))


def deal_pending_consents(deal: TransferDeal) -> list[dict]:
    """Consents the deal still needs: co-owners other than the seller (``organisation`` empty while a co-owner
    has not joined the platform), and pledgees."""
    if deal.state not in OPEN_STATES or deal.state == DealState.REGISTERED:
        return []  # after registration the buyer is the holder: nothing is left to consent to
    needed = []
    for patent in deal.patents.all():
        for ownership in patent.ownerships.select_related("organisation"):
            if ownership.organisation_id == deal.seller_id:
                continue
            seller_own = patent.ownerships.filter(organisation_id=deal.seller_id, agreement_allows_sole_action=True)
            if seller_own.exists():
                continue
            needed.append({"patent": patent, "organisation": ownership.organisation,
                           "organisation_id": ownership.organisation_id, "name": ownership.name,
                           "capacity": "co_owner",
                           "given": has_consent(patent, ownership.organisation_id, "co_owner", "transfer", deal)})
        for pledge in active_pledges(patent):
            if pledge.beneficiary_id:
                needed.append({"patent": patent, "organisation": pledge.beneficiary,
                               "organisation_id": pledge.beneficiary_id, "name": pledge.beneficiary.name,
                               "capacity": "pledgee",
                               "given": has_consent(patent, pledge.beneficiary_id, "pledgee", "transfer", deal)})
    return needed


def deal_allowed_actions(deal: TransferDeal, user: User | None) -> list[str]:
    """The actions the deal offers ``user`` now (names of the API actions); rules may still refuse them."""
    if member_of(user) is None:
        return []
    party = deal.party_of(user.organisation)
    actions: list[str] = []
    state = deal.state
    if party:
        latest = deal.latest_offer()
        if state == DealState.NEGOTIATING and latest and latest.organisation_id != user.organisation_id:
            actions += ["counter", "accept"]
        if state in (DealState.AGREED, DealState.PUBLICISED) and not getattr(deal, f"{party}_signed_at"):
            actions.append("sign")
        transferors = deal.transferors.all()
        if party == "seller" and state in (DealState.AGREED, DealState.PUBLICISED) and len(transferors) > 1 \
                and not (deal.seller_signed_at or deal.buyer_signed_at or any(t.signed_at for t in transferors)):
            actions.append("shares")
        if state == DealState.SIGNED and party == "buyer":
            actions.append("pay")
        if state == DealState.PAID:
            actions.append("file_registration")
        if state == DealState.FILED and party == "buyer" and deal.fee_paid_at is None:
            actions.append("pay_registration_fee")
        if state in OPEN_STATES and state != DealState.REGISTERED:
            actions.append("cancel")
    pending = [c for c in deal_pending_consents(deal) if not c["given"]]
    if party == "seller" and pending:
        actions.append("consent_request")
    co_owner = party is None and any(t.organisation_id == user.organisation_id and t.signed_at is None
                                     for t in deal.transferors.all())  # prefetched by the API's lists
    if co_owner and state in (DealState.AGREED, DealState.PUBLICISED):
        actions.append("sign")
    if any(c["organisation_id"] == user.organisation_id for c in pending) and state in OPEN_STATES:
        actions.append("consent")
    if state == DealState.PUBLICISED:
        actions.append("object")
    if user.is_centre_staff:
        if state == DealState.FILED:
            actions += ["register", "refuse_registration"]
        if state == DealState.REGISTERED:
            actions.append("release")
        if state in OPEN_STATES and state != DealState.REGISTERED and "cancel" not in actions:
            actions.append("cancel")
    return actions


def deal_is_funded(deal: TransferDeal) -> bool:
    return deal.state in FUNDED_STATES


class ClosedTransfers(TransferHistory):
    """The transfer deals the register closed, as valuation reads them (market/extensions.py)."""

    def closed(self, *, limit: int) -> list[ClosedTransfer]:
        rows = list(TransferDeal.objects.filter(state=DealState.CLOSED, price__gt=0).exclude(demo_key=HISTORY_DEMO_KEY)
                    .order_by("-closed_at", "-pk")
                    .values_list("pk", "price", "closed_at", "seller_id", "created_at")[:limit])
        patents: dict[int, list[int]] = defaultdict(list)
        for deal_id, patent_id in (TransferDeal.patents.through.objects.filter(transferdeal_id__in=[r[0] for r in rows])
                                   .order_by("pk").values_list("transferdeal_id", "patent_id")):
            patents[deal_id].append(patent_id)
        return [ClosedTransfer(deal_id=pk, deal_number=deal_number(pk, created_at), price=price,
                               closed_on=timezone.localdate(closed_at) if closed_at else None,
                               patent_ids=tuple(patents[pk]), seller_id=seller_id)
                for pk, price, closed_at, seller_id, created_at in rows]

    def count_by_patent(self, patent_ids: Iterable[int]) -> Counter:
        return Counter(TransferDeal.patents.through.objects.filter(
            patent_id__in=list(patent_ids), transferdeal__state=DealState.CLOSED).exclude(
            transferdeal__demo_key=HISTORY_DEMO_KEY).values_list("patent_id", flat=True))

    def count_by_seller(self, organisation_ids: Iterable[int]) -> Counter:
        return Counter(TransferDeal.objects.filter(state=DealState.CLOSED, seller_id__in=list(organisation_ids))
                       .exclude(demo_key=HISTORY_DEMO_KEY).values_list("seller_id", flat=True))


def deal_next_step(deal: TransferDeal, organisation) -> str:
    """Who must act next on the deal, what, and by when: the one line the deal page leads with ('' once over)."""
    party = deal.party_of(organisation)
    state = deal.state
    if state == DealState.NEGOTIATING:
        offer = deal.latest_offer()
        waiting = "seller" if offer is None or offer.organisation_id == deal.buyer_id else "buyer"
        return gettext("等待%(who)s回应最新报价：接受或还价。") % {"who": who(waiting, party)}
    if state == DealState.PUBLICISED:
        ends = timezone.localtime(deal.publicity_ends_at) if deal.publicity_ends_at else None
        return gettext("成果转化公示至 %(date)s；期满无异议后双方签署转让合同。") % {
            "date": f"{ends:%Y-%m-%d %H:%M}" if ends else "—"}
    if state == DealState.AGREED:
        missing = [role for role, signed in (("seller", deal.seller_signed_at), ("buyer", deal.buyer_signed_at))
                   if not signed]
        return gettext("等待%(who)s阅读并签署转让合同。") % {"who": who(missing, party)}
    if state == DealState.SIGNED:
        return gettext("等待%(who)s将价款付至托管账户。") % {"who": who("buyer", party)}
    if state == DealState.PAID:
        return gettext("等待双方任一方提交变更登记申请。")
    if state == DealState.FILED and deal.fee_paid_at is None:
        due = f"{deal.fee_due_date:%Y-%m-%d}" if deal.fee_due_date else "—"
        return gettext("等待%(who)s于 %(date)s 前缴纳变更登记费，逾期视为未提出请求。") % {
            "who": who("buyer", party), "date": due}
    if state == DealState.FILED:
        return gettext("等待登记机关登记变更（交易中心模拟登记）。")
    if state == DealState.REGISTERED:
        return gettext("已登记；等待交易中心鉴证并将托管价款付给转让方。")
    return ""
