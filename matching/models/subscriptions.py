"""Saved searches and the listings their daily digests have already reported."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.models import Listing, User


class SavedSearch(models.Model):
    """A user's search (the search page's parameters: ``{"q": ["电池"], "mode": ["transfer"]}``), checked by
    ``SearchQuery.from_params`` when saved. Its digest reports listings published after ``created_at``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("名称"), max_length=100)
    params = models.JSONField(_("检索条件"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("保存的搜索")

    def __str__(self) -> str:
        return self.name


class SavedSearchHit(models.Model):
    """A listing a digest of the saved search has reported: each listing is reported once, ever."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="hits")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "listing"], name="one_hit_per_saved_search_listing")]
