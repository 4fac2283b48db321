"""Holders by name: find or create the Organisation of each applicant name, a whole batch at a time.

Source records name their applicants but give no credit code or address. An organisation not yet
on the platform is created with a generated (valid, deterministic) credit code, a city guessed
from the place names in its name, ``verified=False``, and an address line saying what was
generated. Cost: at most three queries per batch, however many names.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from market.models import Organisation, OrganisationKind
from market.regions import City

from . import identifiers as ids

GENERATED_NOTE = ("【演示生成】统一社会信用代码、所在地市、机构类型由名称推定，非登记信息 / "
                  "demo-generated: credit code, city and kind inferred from the name, not registry facts")
PUBLIC_KINDS = (OrganisationKind.UNIVERSITY, OrganisationKind.RESEARCH_INSTITUTE)


def organisation_for_name(name: str) -> Organisation:
    """The unsaved Organisation the importer would create for applicant ``name``."""
    kind = ids.guess_kind(name)
    foreign = ids.looks_foreign(name)
    city = str(City.OTHER) if foreign else ids.guess_city(name)
    return Organisation(
        name=name[:200], kind=kind, city=city, credit_code=ids.credit_code(name, kind=kind, city=city),
        is_public_institution=kind in PUBLIC_KINDS and city != City.OTHER, is_foreign=foreign,
        verified=False, address=GENERATED_NOTE,
    )


def resolve_organisations(names: Iterable[str]) -> dict[str, int]:
    """``{name: organisation pk}`` for every name, creating the missing organisations in one insert."""
    wanted = {name: organisation_for_name(name) for name in dict.fromkeys(n.strip() for n in names) if name}
    if not wanted:
        return {}
    name_by_code = {org.credit_code: name for name, org in wanted.items()}
    found: dict[str, int] = {}
    existing = (Organisation.objects.filter(Q(name__in=list(wanted)) | Q(credit_code__in=list(name_by_code)))
                .order_by("pk").values_list("pk", "name", "credit_code"))
    for pk, name, code in existing:
        if name in wanted:
            found.setdefault(name, pk)
        elif code in name_by_code:  # the same generated code under an edited name: still that organisation
            found.setdefault(name_by_code[code], pk)
    missing = [org for name, org in wanted.items() if name not in found]
    if missing:
        # ignore_conflicts: a concurrent import may have created the same code meanwhile.
        Organisation.objects.bulk_create(missing, ignore_conflicts=True)
        created = Organisation.objects.filter(credit_code__in=[org.credit_code for org in missing])
        for pk, code in created.values_list("pk", "credit_code"):
            found[name_by_code[code]] = pk
    return found
