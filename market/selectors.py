"""Reads: what a user may see, and which actions a deal offers them now."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from market.models import (
    DealState,
    Document,
    Escrow,
    Listing,
    ListingState,
    Patent,
    TransferDeal,
    TransitionLog,
    User,
)
from market.models.deals import FUNDED_STATES, OPEN_STATES
from market.rules.common import active_pledges


def listings_visible_to(user: User | None) -> QuerySet[Listing]:
    """Published listings for everyone; an organisation also sees its own in any state; staff see all."""
    qs = Listing.objects.select_related("organisation")
    if user is None or not user.is_authenticated:
        return qs.filter(state=ListingState.PUBLISHED)
    if user.is_centre_staff:
        return qs
    return qs.filter(Q(state=ListingState.PUBLISHED) | Q(organisation_id=user.organisation_id))


def deals_visible_to(user: User | None) -> QuerySet[TransferDeal]:
    """The parties see their deals; co-owners and pledgees see deals needing their consent; staff see all."""
    qs = TransferDeal.objects.select_related("seller", "buyer", "listing", "escrow")
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return qs.none()
    if user.is_centre_staff:
        return qs
    org = user.organisation_id
    consenting = Q(patents__ownerships__organisation_id=org) | Q(
        patents__encumbrances__beneficiary_id=org, patents__encumbrances__kind="pledge",
        patents__encumbrances__released_at__isnull=True)
    ids = TransferDeal.objects.filter(Q(seller_id=org) | Q(buyer_id=org) | consenting).values("pk")
    return qs.filter(pk__in=ids)


def patents_visible_to(user: User | None) -> QuerySet[Patent]:
    """Patent data is public register data: everyone may read it."""
    return Patent.objects.all()


def documents_visible_to(user: User | None) -> QuerySet[Document]:
    """Documents of deals the user may see."""
    if user is None or not user.is_authenticated:
        return Document.objects.none()
    if user.is_centre_staff:
        return Document.objects.all()
    deal_ids = deals_visible_to(user).filter(Q(seller_id=user.organisation_id) | Q(buyer_id=user.organisation_id))
    return Document.objects.filter(deal_type__model="transferdeal", deal_id__in=deal_ids.values("pk"))


def escrows_visible_to(user: User | None) -> QuerySet[Escrow]:
    """An organisation sees the escrows it paid into or is paid from; staff see all."""
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return Escrow.objects.none()
    qs = Escrow.objects.select_related("payer", "payee")
    if user.is_centre_staff:
        return qs
    return qs.filter(Q(payer_id=user.organisation_id) | Q(payee_id=user.organisation_id))


def deal_timeline(deal: TransferDeal) -> QuerySet[TransitionLog]:
    return TransitionLog.for_object(deal).select_related("actor", "organisation")


def deal_pending_consents(deal: TransferDeal) -> list[dict]:
    """Consents the deal still needs: co-owners other than the seller, and pledgees."""
    from market.rules.common import has_consent

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
            needed.append({"patent": patent, "organisation": ownership.organisation, "capacity": "co_owner",
                           "given": has_consent(patent, ownership.organisation_id, "co_owner", "transfer", deal)})
        for pledge in active_pledges(patent):
            if pledge.beneficiary_id:
                needed.append({"patent": patent, "organisation": pledge.beneficiary, "capacity": "pledgee",
                               "given": has_consent(patent, pledge.beneficiary_id, "pledgee", "transfer", deal)})
    return needed


def deal_allowed_actions(deal: TransferDeal, user: User | None) -> list[str]:
    """The actions the deal offers ``user`` now (names of the API actions); rules may still refuse them."""
    if user is None or not user.is_authenticated or user.organisation_id is None:
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
        if state == DealState.SIGNED and party == "buyer":
            actions.append("pay")
        if state == DealState.PAID:
            actions.append("file_registration")
        if state == DealState.FILED and party == "buyer" and deal.fee_paid_at is None:
            actions.append("pay_registration_fee")
        if state in OPEN_STATES and state != DealState.REGISTERED:
            actions.append("cancel")
    if any(c["organisation"].pk == user.organisation_id and not c["given"] for c in deal_pending_consents(deal)) \
            and state in OPEN_STATES:
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
