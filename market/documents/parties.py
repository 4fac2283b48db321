"""The parties a document names, for any deal type (transfer, licence, pledge, auction ...)."""

from django.db import models

from market.models import Organisation

# Attribute names used by the deal models for their parties, with the label shown publicly.
PARTY_FIELDS = (
    ("seller", "转让方 / Seller"),
    ("buyer", "受让方 / Buyer"),
    ("holder", "专利权人 / Patentee"),
    ("licensor", "许可方 / Licensor"),
    ("licensee", "被许可方 / Licensee"),
    ("applicant", "出质人 / Pledgor"),
    ("bank", "质权人 / Pledgee"),
    ("creditor", "债权人 / Creditor"),
    ("debtor", "债务人 / Debtor"),
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
