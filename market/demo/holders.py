"""Holders by name. Source records name their applicants but give no credit code or address: the register's
holder rows get a generated (valid, deterministic) credit code for each organisation name, a person none.

For the benchmarks, ``join_holders`` makes every holder a platform organisation at once (as if each had
claimed its holdings): the organisation of each name is found or created with that code, a city guessed
from the place names in its name, ``verified=False`` and an address line saying what was generated.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from market.models import Organisation, OrganisationKind, PatentOwner
from market.regions import City

from . import identifiers as ids

GENERATED_NOTE = ("【演示生成】统一社会信用代码、所在地市、机构类型由名称推定，非登记信息 / "
                  "demo-generated: credit code, city and kind inferred from the name, not registry facts")
PUBLIC_KINDS = (OrganisationKind.UNIVERSITY, OrganisationKind.RESEARCH_INSTITUTE)


def holder_credit_code(name: str) -> str:
    """The made-up credit code the register records for holder ``name`` (none for a person)."""
    if ids.looks_like_person(name):
        return ""
    return organisation_for_name(name).credit_code


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


def join_holders() -> int:
    """Every holder not yet joined becomes its platform organisation (benchmarks only); returns how many."""
    free = list(PatentOwner.objects.filter(organisation__isnull=True).exclude(credit_code="")
                .values_list("pk", "name"))
    org_ids = resolve_organisations(name for _, name in free)
    now = timezone.now()
    rows = [PatentOwner(pk=pk, organisation_id=org_ids[name], claimed_at=now) for pk, name in free if name in org_ids]
    PatentOwner.objects.bulk_update(rows, ["organisation", "claimed_at"], batch_size=2000)
    return len(rows)
