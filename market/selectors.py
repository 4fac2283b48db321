"""Reads of the core: the listings, patents, documents and escrows a user may see."""

from __future__ import annotations

from django.db import models
from django.db.models import Q, QuerySet

from market.access import member_of, own_or_staff
from market.extensions import DOCUMENT_VISIBILITY, LISTING_PARTIES
from market.models import Document, Escrow, Listing, ListingState, Patent, TransitionLog, User


def listings_visible_to(user: User | None) -> QuerySet[Listing]:
    """Published listings for everyone; an organisation also sees its own in any state, and those it dealt on as
    a buyer or licensee (a closed deal's listing stays readable to its parties); staff see all."""
    visible = Q(state=ListingState.PUBLISHED)
    org = member_of(user)
    for listings_of in (LISTING_PARTIES if org is not None else ()):
        visible |= Q(pk__in=listings_of(org.pk))
    return own_or_staff(Listing.objects.select_related("organisation"), user, "organisation_id", public=visible)


def patents_visible_to(user: User | None) -> QuerySet[Patent]:
    """Patent data is public register data: everyone may read it."""
    return Patent.objects.all()


def documents_visible_to(user: User | None) -> QuerySet[Document]:
    """The documents ``user`` may see: staff all; a member those each flow's registered condition grants."""
    if member_of(user) is None:
        return Document.objects.none()
    if user.is_centre_staff:
        return Document.objects.all()
    condition = Q(pk__in=[])
    for granted in DOCUMENT_VISIBILITY:
        condition |= granted(user)
    return Document.objects.filter(condition)


def timeline(obj: models.Model) -> QuerySet[TransitionLog]:
    """Every transition of ``obj`` (any state machine), oldest first, with who made it."""
    return TransitionLog.for_object(obj).select_related("actor", "organisation")


def escrows_visible_to(user: User | None) -> QuerySet[Escrow]:
    """An organisation sees the escrows it paid into or is paid from; staff see all."""
    return own_or_staff(Escrow.objects.select_related("payer", "payee"), user, "payer_id", "payee_id")
