"""What a valuation reads about a patent, as plain values (``PatentFacts``) or as NumPy columns.

``valuation.selectors.patent_facts`` fills these from the database; the benchmark fills columns
directly. Categorical values become small integer codes so that a column is one array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

# Codes of the categorical columns: index in the tuple.
LEGAL_STATUSES = ("granted", "pending", "lapsed", "expired", "invalidated", "abandoned")
STATUS_CODE = {name: code for code, name in enumerate(LEGAL_STATUSES)}
TERMINATED_STATUSES = frozenset({"lapsed", "expired", "invalidated", "abandoned"})
KINDS = ("invention", "utility_model", "design")
INDUSTRIES = ("digital", "life_health", "new_materials", "other")
MAJOR_INDUSTRIES = frozenset({"digital", "life_health", "new_materials"})

Columns = dict[str, np.ndarray]


@dataclass(frozen=True)
class PatentFacts:
    """One patent's facts on the valuation date; no database objects."""

    patent_id: int
    kind: str
    legal_status: str
    remaining_years: float
    term_years: float
    claims_count: int = 0
    independent_claims: int = 0
    owners_count: int = 1
    sole_action_agreement: bool = False     # a co-ownership agreement lets one owner act alone
    invalidation_pending: bool = False
    disputed: bool = False                  # ownership dispute or court preservation in force
    annual_fee_overdue: bool = False
    pledged: bool = False                   # a registered pledge in force
    exclusive_licensed: bool = False        # an exclusive or sole licence in force
    ipc_subclasses: tuple[str, ...] = ()
    industry: str = "other"
    forward_citations: int = 0
    backward_citations: int = 0
    family_size: int = 1
    foreign_filing: bool = False            # PCT application (kind digit 8 or 9)
    inventors: int = 0
    licences_transfers: int = 0             # licences ever recorded + closed transfers on the platform
    implemented: bool = False
    holder_closed_deals: int = 0            # the holders' closed deals as sellers

    @property
    def in_force(self) -> bool:
        return self.legal_status == "granted" and self.remaining_years > 0

    @property
    def terminated(self) -> bool:
        return self.legal_status in TERMINATED_STATUSES or (self.legal_status == "granted" and self.remaining_years <= 0)


def _code(values: Sequence[str], table: tuple[str, ...]) -> np.ndarray:
    index = {name: i for i, name in enumerate(table)}
    return np.fromiter((index[v] for v in values), dtype=np.int8, count=len(values))


def to_columns(facts: Sequence[PatentFacts]) -> Columns:
    """One array per field (categoricals as codes, IPC subclasses as their count)."""
    columns: Columns = {}
    for field in fields(PatentFacts):
        values = [getattr(f, field.name) for f in facts]
        if field.name == "legal_status":
            columns[field.name] = _code(values, LEGAL_STATUSES)
        elif field.name == "kind":
            columns[field.name] = _code(values, KINDS)
        elif field.name == "industry":
            columns[field.name] = _code(values, INDUSTRIES)
        elif field.name == "ipc_subclasses":
            columns["ipc_subclass_count"] = np.array([len(v) for v in values], dtype=np.int16)
        elif field.type in ("bool",):
            columns[field.name] = np.array(values, dtype=bool)
        elif field.type in ("float",):
            columns[field.name] = np.array(values, dtype=np.float64)
        else:
            columns[field.name] = np.array(values, dtype=np.int64)
    return columns


def terminated_mask(columns: Columns) -> np.ndarray:
    """True where the right no longer exists: lapsed, expired, invalidated, abandoned, or past its term."""
    status = columns["legal_status"]
    ended = np.isin(status, [STATUS_CODE[name] for name in TERMINATED_STATUSES])
    return ended | ((status == STATUS_CODE["granted"]) & (columns["remaining_years"] <= 0))
