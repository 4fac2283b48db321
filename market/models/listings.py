"""Listings: a patent or a package of patents offered in one mode, reviewed before going public."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .organisations import Organisation, User
from .patents import Patent


class ListingMode(models.TextChoices):
    OPEN_LICENCE = "open_licence", "开放许可 Open licence"
    TRANSFER = "transfer", "转让 Transfer"
    LICENCE = "licence", "实施许可 Licence"
    PLEDGE = "pledge", "质押融资 Pledge financing"


class ListingState(models.TextChoices):
    DRAFT = "draft", "草稿 Draft"
    SUBMITTED = "submitted", "待审核 Submitted"
    PUBLISHED = "published", "已发布 Published"
    REJECTED = "rejected", "已驳回 Rejected"
    WITHDRAWN = "withdrawn", "已撤回 Withdrawn"
    CLOSED = "closed", "已成交 Closed"
    EXPIRED = "expired", "已过期 Expired"


class Listing(ConcurrentTransitionMixin, models.Model):
    """One offer to the market; its state machine is draft → submitted → published → …"""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="listings")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=300)
    description = models.TextField(_("说明"), blank=True)
    mode = models.CharField(_("交易方式"), max_length=20, choices=ListingMode.choices)
    patents = models.ManyToManyField(Patent, related_name="listings")
    # None means "price negotiable" (面议).
    asking_price = models.DecimalField(_("挂牌价 (元)"), max_digits=15, decimal_places=2, null=True, blank=True)
    terms = models.TextField(_("许可条件 / 交易条件"), blank=True)
    state = FSMField(_("状态"), default=ListingState.DRAFT, choices=ListingState.choices, protected=True)
    rejection_reason = models.TextField(_("驳回理由"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("挂牌")
        indexes = [models.Index(fields=["state", "mode"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state == ListingState.PUBLISHED

    # -- transitions: they only move the state; services lock, check rules, log and queue effects
    @transition(field=state, source=[ListingState.DRAFT, ListingState.REJECTED], target=ListingState.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()
        self.rejection_reason = ""

    @transition(field=state, source=ListingState.SUBMITTED, target=ListingState.PUBLISHED)
    def publish(self) -> None:
        self.published_at = timezone.now()
        self.expires_at = self.published_at + timezone.timedelta(days=settings.MARKET["LISTING_DAYS"])

    @transition(field=state, source=ListingState.SUBMITTED, target=ListingState.REJECTED)
    def reject(self, rejection_reason: str) -> None:
        self.rejection_reason = rejection_reason

    @transition(field=state, source=[ListingState.DRAFT, ListingState.SUBMITTED, ListingState.PUBLISHED,
                                     ListingState.REJECTED], target=ListingState.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @transition(field=state, source=ListingState.PUBLISHED, target=ListingState.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=state, source=ListingState.PUBLISHED, target=ListingState.EXPIRED)
    def expire(self) -> None:
        pass
