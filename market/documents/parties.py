"""The parties a document names, for any deal type (transfer, licence, pledge, auction ...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from market.models import Organisation

# Attribute names used by the deal models for their parties, with the label shown publicly.
PARTY_FIELDS = (
    ("seller", _("转让方")),
    ("buyer", _("受让方")),
    ("holder", _("专利权人")),
    ("licensor", _("许可方")),
    ("licensee", _("被许可方")),
    ("applicant", _("出质人")),
    ("bank", _("质权人")),
    ("creditor", _("债权人")),
    ("debtor", _("债务人")),
)


def document_parties(deal: models.Model | None) -> list[tuple[str, str]]:
    """(label, organisation name) for each party attribute the deal has."""
    if deal is None:
        return []
    parties = []
    for field, label in PARTY_FIELDS:
        value = getattr(deal, field, None)
        if isinstance(value, Organisation):
            parties.append((label, value.name))
    return parties
