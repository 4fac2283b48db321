"""Listing operations: create, submit for review, publish or reject (staff), withdraw, close, expire."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from market import locks
from market.models import Listing, ListingMode, ListingState, Patent, User
from market.money import ZERO, cny
from market.rules import (
    Reason,
    RuleViolation,
    about_patent,
    licence_blockers,
    open_licence_blockers,
    pledge_blockers,
    transfer_blockers,
)
from market.rules.pledge import package_pledge_blockers
from market.rules.transfer import package_transfer_blockers
from market.signals import listing_changed

from .errors import ActionForbidden, require_reason
from .transitions import apply_transition

# Consents are collected inside a deal, so a listing is not refused for lacking them yet.
DEAL_STAGE_CODES = {"co_owner_consent_missing", "pledged_without_consent", "evaluation_report_missing",
                    "invalidation_pending"}


def listing_blockers(listing: Listing) -> list[Reason]:
    """Reasons the listing's patents may not be offered in its mode (deal-stage consents excepted)."""
    org = listing.organisation
    reasons: list[Reason] = []
    for patent in listing.patents.all():
        if listing.mode == ListingMode.TRANSFER:
            found = transfer_blockers(patent, seller=org)
        elif listing.mode == ListingMode.LICENCE:
            found = licence_blockers(patent, licensor=org)
        elif listing.mode == ListingMode.OPEN_LICENCE:
            found = open_licence_blockers(patent, holder=org)
        else:
            found = pledge_blockers(patent, pledgor=org)
        reasons += about_patent(patent, [r for r in found if r.code not in DEAL_STAGE_CODES])
    patents = list(listing.patents.all())
    if listing.mode == ListingMode.TRANSFER:
        reasons += package_transfer_blockers(patents, seller=org)
    elif listing.mode == ListingMode.PLEDGE:
        reasons += package_pledge_blockers(patents, pledgor=org)
    return reasons


def _check_owner(listing: Listing, actor: User) -> None:
    if actor.organisation_id != listing.organisation_id:
        raise ActionForbidden("只有挂牌机构可以操作该挂牌 / Only the listing organisation may do this")


def _check_staff(actor: User) -> None:
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以审核挂牌 / Only trading-centre staff review listings")


def listing_create(*, actor: User, title: str, mode: str, patent_ids: list[int], asking_price: Decimal | None = None,
                   description: str = "", terms: str = "") -> Listing:
    """Create a draft listing of patents the actor's organisation holds."""
    errors: dict[str, list[str]] = {}
    if actor.organisation_id is None:
        raise ActionForbidden("用户未关联机构 / The user belongs to no organisation")
    if mode not in ListingMode.values:
        errors["mode"] = [f"不支持的交易方式 {mode!r} / Unknown mode {mode!r}"]
    if asking_price is not None and cny(asking_price) <= ZERO:
        errors["asking_price"] = ["挂牌价必须大于0（面议请留空） / The asking price must be above 0 (empty = negotiable)"]
    patents = list(Patent.objects.filter(pk__in=patent_ids))
    if not patent_ids or len(patents) != len(set(patent_ids)):
        errors["patent_ids"] = ["请选择本机构持有的专利 / Choose patents your organisation holds"]
    elif any(not p.ownerships.filter(organisation_id=actor.organisation_id).exists() for p in patents):
        errors["patent_ids"] = ["只能挂牌本机构登记持有的专利 / You can list only patents your organisation holds"]
    if not title.strip():
        errors["title"] = ["请填写标题 / A title is required"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        listing = Listing.objects.create(
            organisation_id=actor.organisation_id, created_by=actor, title=title.strip(), mode=mode,
            asking_price=cny(asking_price) if asking_price is not None else None, description=description,
            terms=terms)
        listing.patents.set(patents)
    return listing


def listing_submit(*, listing_id: int, actor: User) -> Listing:
    """Send a draft (or a rejected, corrected) listing to staff review; refused if a rule forbids the mode."""
    with transaction.atomic():
        listing = locks.listing(listing_id)
        _check_owner(listing, actor)
        if reasons := listing_blockers(listing):
            raise RuleViolation(reasons)
        apply_transition(listing, "submit", actor=actor, label="提交审核")
    return listing


def listing_publish(*, listing_id: int, actor: User) -> Listing:
    """Staff approve a submitted listing: it goes public and into the search index."""
    _check_staff(actor)
    with transaction.atomic():
        listing = locks.listing(listing_id)
        if listing.state == ListingState.SUBMITTED and (reasons := listing_blockers(listing)):
            raise RuleViolation(reasons)
        apply_transition(listing, "publish", actor=actor, label="发布")
        listing_changed(listing.pk)
    return listing


def listing_reject(*, listing_id: int, actor: User, reason: str) -> Listing:
    """Staff send a submitted listing back with a reason."""
    _check_staff(actor)
    require_reason(reason, "请填写驳回理由 / A reason is required")
    with transaction.atomic():
        listing = locks.listing(listing_id)
        apply_transition(listing, "reject", actor=actor, reason=reason, label="驳回", rejection_reason=reason)
    return listing


def listing_withdraw(*, listing_id: int, actor: User, reason: str = "") -> Listing:
    """The owner takes the listing off the market."""
    with transaction.atomic():
        listing = locks.listing(listing_id)
        _check_owner(listing, actor)
        apply_transition(listing, "withdraw", actor=actor, reason=reason, label="撤回")
        listing_changed(listing.pk)
    return listing


def listing_close(*, listing_id: int, actor: User | None, reason: str = "") -> Listing:
    """A deal on the listing completed: it leaves the market."""
    with transaction.atomic():
        listing = locks.listing(listing_id)
        apply_transition(listing, "close", actor=actor, reason=reason, label="成交关闭")
        listing_changed(listing.pk)
    return listing


def listings_expire_due(*, now=None) -> int:
    """Expire every published listing past its expiry date; returns how many (daily beat task)."""
    now = now or timezone.now()
    count = 0
    for listing_id in Listing.objects.filter(state=ListingState.PUBLISHED, expires_at__lt=now).values_list("pk",
                                                                                                        flat=True):
        with transaction.atomic():
            listing = locks.listing(listing_id)
            if listing.state == ListingState.PUBLISHED and listing.expires_at < now:
                apply_transition(listing, "expire", actor=None, reason="挂牌期满 / Listing period ended")
                listing_changed(listing.pk)
                count += 1
    return count
