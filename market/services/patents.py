"""Patents on the platform's register: a member registers a patent its organisation holds."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from market.access import require_member
from market.models import Organisation, Patent, PatentOwner, User
from market.signals import patent_changed


def patent_register(*, actor: User, co_owner_ids: Iterable[int] = (), **facts) -> Patent:
    """Register a patent (``facts``: the model's fields, validated by the caller) held by the actor's
    organisation and the named co-owners, in one transaction."""
    org = require_member(actor)
    with transaction.atomic():
        patent = Patent.objects.create(**facts)
        owners = [org, *Organisation.objects.filter(pk__in=list(co_owner_ids)).exclude(pk=org.pk)]
        PatentOwner.objects.bulk_create([PatentOwner(patent=patent, organisation=owner) for owner in owners])
        patent_changed(patent.pk)
    return patent
