"""Reads: the facts a valuation needs from the register, comparable deals, and who may see which valuation."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

from django.db.models import Q, QuerySet

from market.access import member_of
from market.extensions import ClosedTransfer, providers
from market.models import Encumbrance, EncumbranceKind, Patent, PatentKind, PatentOwner, User
from market.models.encumbrances import LICENCE_KINDS

from .facts import PatentFacts, to_columns
from .indicators import total_scores
from .methods.market import Comparable, ipc_subclasses, match_kind
from .models import Valuation

NAME_SEPARATORS = re.compile(r"[;；,，、]")
# Closed deals scanned for comparables (the most recent first).
COMPARABLE_SCAN = 2000


def count_names(text: str) -> int:
    return sum(1 for name in NAME_SEPARATORS.split(text or "") if name.strip())


def patent_facts(patents: Sequence[Patent], *, on: dt.date, implemented: bool | None = None) -> list[PatentFacts]:
    """The facts of ``patents`` on date ``on``, in a fixed number of queries whatever their count.

    ``implemented`` is what the requester declared; when None, a licence in force counts as implementation.
    """
    ids = [p.pk for p in patents]
    owners: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for patent_id, org_id, sole in PatentOwner.objects.filter(patent_id__in=ids).values_list(
            "patent_id", "organisation_id", "agreement_allows_sole_action"):
        owners[patent_id].append((org_id, sole))
    in_force: dict[int, set[str]] = defaultdict(set)
    for patent_id, kind in Encumbrance.objects.in_force(on).filter(patent_id__in=ids).values_list("patent_id", "kind"):
        in_force[patent_id].add(kind)
    licences = Counter(Encumbrance.objects.filter(patent_id__in=ids, kind__in=LICENCE_KINDS)
                       .values_list("patent_id", flat=True))
    transfers = providers.transfers.count_by_patent(ids)
    seller_deals = providers.transfers.count_by_seller({org_id for rows in owners.values() for org_id, _ in rows
                                                        if org_id is not None})
    facts = []
    for patent in patents:
        kinds = in_force[patent.pk]
        holders = owners[patent.pk]
        licensed = bool(kinds & set(LICENCE_KINDS))
        facts.append(PatentFacts(
            patent_id=patent.pk, kind=patent.kind, legal_status=patent.status_on(on),
            remaining_years=patent.remaining_years(on), term_years=float(patent.term_years),
            claims_count=patent.claims_count, independent_claims=patent.independent_claims,
            owners_count=len(holders), sole_action_agreement=any(sole for _, sole in holders),
            invalidation_pending=patent.invalidation_pending,
            disputed=bool(kinds & {EncumbranceKind.OWNERSHIP_DISPUTE, EncumbranceKind.PRESERVATION}),
            annual_fee_overdue=patent.annual_fee_overdue, pledged=EncumbranceKind.PLEDGE in kinds,
            exclusive_licensed=bool(kinds & {EncumbranceKind.EXCLUSIVE_LICENCE, EncumbranceKind.SOLE_LICENCE}),
            ipc_subclasses=ipc_subclasses(patent.ipc_codes), industry=patent.industry,
            forward_citations=patent.forward_citations, backward_citations=patent.backward_citations,
            family_size=patent.family_size, foreign_filing=patent.application_number[4:5] in ("8", "9"),
            inventors=count_names(patent.inventors),
            licences_transfers=licences[patent.pk] + transfers[patent.pk],
            implemented=licensed if implemented is None else implemented,
            holder_closed_deals=sum(seller_deals.get(org_id, 0) for org_id, _ in holders if org_id is not None),
        ))
    return facts


def comparables(subject: PatentFacts, *, on: dt.date, weights: Mapping[str, float], limit: int) -> list[Comparable]:
    """Up to ``limit`` most recent closed deals with a price whose patents match the subject's IPC
    subclass or major industry; each comparable's score and remaining life are as of its deal."""
    deals = providers.transfers.closed(limit=COMPARABLE_SCAN)
    deal_patents = {p.pk: p for p in Patent.objects.filter(pk__in={pk for d in deals for pk in d.patent_ids})
                    .exclude(kind=PatentKind.TRADEMARK)}  # a mark's sale says nothing of a patent's price
    found: list[tuple[ClosedTransfer, Patent, str, int]] = []
    for deal in deals:
        patents = [deal_patents[pk] for pk in deal.patent_ids if pk in deal_patents]
        matches = [(p, kind) for p in patents if (kind := match_kind(
            subject.ipc_subclasses, subject.industry, ipc_subclasses(p.ipc_codes), p.industry))]
        if not matches:
            continue
        patent, kind = min(matches, key=lambda m: m[1] != "ipc")      # an IPC match first
        found.append((deal, patent, kind, len(patents)))
        if len(found) >= limit:
            break
    if not found:
        return []
    closed = [deal.closed_on or on for deal, *_ in found]
    facts = [replace(f, remaining_years=patent.remaining_years(day))
             for f, (_, patent, _, _), day in zip(patent_facts([p for _, p, _, _ in found], on=on), found, closed,
                                                  strict=True)]
    scores = total_scores(to_columns(facts), weights)
    return [Comparable(deal_id=deal.deal_id, deal_number=deal.deal_number, closed_on=day, patent_id=patent.pk,
                       patent_number=patent.patent_number, title=patent.title,
                       price_per_patent=float(deal.price) / count, score=float(score),
                       remaining_years_at_deal=fact.remaining_years, match=kind)
            for (deal, patent, kind, count), day, fact, score in zip(found, closed, facts, scores, strict=True)]


def valuations_visible_to(user: User | None) -> QuerySet[Valuation]:
    """Who sees a valuation: banks, trading-centre staff and valuation agencies see all (they review
    collateral and sign valuations off); any other organisation sees the valuations it requested and
    every valuation of a patent it holds on the register (including batch revaluations)."""
    qs = Valuation.objects.select_related("patent", "weights_version", "requested_by", "requested_by_organisation",
                                          "signed_off_by", "signed_off_organisation")
    if member_of(user) is None:
        return qs.none()
    if user.organisation.is_privileged:  # verified banks, staff and agencies review or sign valuations
        return qs
    org = user.organisation_id
    held = PatentOwner.objects.filter(organisation_id=org).values("patent_id")
    return qs.filter(Q(requested_by_organisation_id=org) | Q(patent_id__in=held))


def valuation_documents_q(user: User) -> Q:
    """A condition on Document: the reports of the valuations the user may see."""
    return Q(deal_type__app_label="valuation", deal_type__model="valuation",
             deal_id__in=valuations_visible_to(user).values("pk"))


def sees_pledge_advice(user: User | None) -> bool:
    """Whether pages and the API show ``user`` the pledge-ratio advice (banks and staff only)."""
    org = member_of(user)
    return org is not None and (org.is_bank or org.is_staff_org)


def valuation_history(*, patent_id: int, user: User | None) -> QuerySet[Valuation]:
    """The valuations of one patent that ``user`` may see, oldest first: how its value moved."""
    return valuations_visible_to(user).filter(patent_id=patent_id).order_by("created_at", "pk")
