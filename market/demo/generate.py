"""Fill the fields a source record lacks, deterministically, and name every filled field.

The values are seeded from the record's key (SHA-256), so a record always gets the same made-up
application number, dates, status and IPC. Each filled field is listed in
``Patent.demo_generated_fields`` and ``Patent.source`` names the file and record: nobody may
mistake a generated value for a fact of the register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from market.industries import industry_for_ipc
from market.models import LegalStatus, Patent, PatentKind
from market.models.patents import term_years
from market.validators import normalise_application_number

from . import identifiers as ids
from .ipc import guess_ipc
from .records import SourceRecord

# Approximate publication windows of CN invention publication-number series (CN111… ≈ 2020).
PUBLICATION_SERIES: dict[str, tuple[dt.date, dt.date]] = {
    "CN107": (dt.date(2017, 11, 1), dt.date(2018, 5, 31)),
    "CN108": (dt.date(2018, 6, 1), dt.date(2018, 12, 31)),
    "CN109": (dt.date(2019, 1, 1), dt.date(2019, 6, 30)),
    "CN110": (dt.date(2019, 7, 1), dt.date(2019, 12, 31)),
    "CN111": (dt.date(2020, 1, 1), dt.date(2020, 7, 31)),
    "CN112": (dt.date(2020, 8, 1), dt.date(2021, 3, 31)),
    "CN113": (dt.date(2021, 4, 1), dt.date(2021, 12, 31)),
    "CN114": (dt.date(2022, 1, 1), dt.date(2022, 6, 30)),
    "CN115": (dt.date(2022, 7, 1), dt.date(2023, 3, 31)),
}
DEFAULT_SERIES = (dt.date(2019, 1, 1), dt.date(2022, 6, 30))
# Share (in %) of generated legal statuses for records that say nothing about it.
STATUS_BANDS = ((80, LegalStatus.GRANTED), (92, LegalStatus.PENDING), (97, LegalStatus.LAPSED),
                (100, LegalStatus.ABANDONED))


@dataclass
class BuiltPatent:
    """An unsaved Patent built from a record, with what the importer still has to decide."""

    patent: Patent
    key: str
    holder_names: list[str]
    number_generated: bool

    def candidate_number(self, attempt: int) -> str:
        """The application number to try on ``attempt`` (0 first; others when a number is taken)."""
        if not self.number_generated:
            return self.patent.application_number
        return ids.application_number(self.key, year=self.patent.filing_date.year, kind=self.patent.kind,
                                      attempt=attempt)


def _kind(record: SourceRecord) -> str:
    """Utility models cannot protect methods; a grant within a year of filing is a utility model's."""
    if "方法" in record.title:
        return PatentKind.INVENTION
    if record.filing_date and record.publication_date and (record.publication_date - record.filing_date).days < 365:
        return PatentKind.UTILITY_MODEL
    return PatentKind.INVENTION


def _dates(record: SourceRecord, generated: list[str]) -> tuple[dt.date, dt.date | None]:
    """Filing and publication dates: the record's, else from its publication-number series."""
    filing, publication = record.filing_date, record.publication_date
    if filing is None:
        if publication is None:
            start, end = PUBLICATION_SERIES.get(record.publication_number[:5], DEFAULT_SERIES)
            publication = ids.publication_weekday(ids.days_after(start, record.key, "publication", 0,
                                                                 (end - start).days))
            generated.append("publication_date")
        filing = publication - dt.timedelta(days=240 + ids.stable_int(record.key, "filing") % 300)
        generated.append("filing_date")
    return filing, publication


def _status(record: SourceRecord, kind: str, filing: dt.date, publication: dt.date | None,
            today: dt.date) -> tuple[str, dt.date | None]:
    """Legal status and grant date (both generated: no source file states them)."""
    if record.publication_date is not None:
        # A bibliographic row's publication is the grant, unless it came early for an invention.
        early = kind == PatentKind.INVENTION and (record.publication_date - filing).days < 540
        return (LegalStatus.PENDING, None) if early else (LegalStatus.GRANTED, record.publication_date)
    share = ids.stable_int(record.key, "legal-status") % 100
    status = next(status for limit, status in STATUS_BANDS if share < limit)
    if status == LegalStatus.PENDING:
        return status, None
    grant = ids.publication_weekday(ids.days_after(filing, record.key, "grant", 730, 1300))
    if publication and grant <= publication:
        grant = ids.publication_weekday(publication + dt.timedelta(days=90))
    if grant > today - dt.timedelta(days=30):
        return LegalStatus.PENDING, None
    return status, grant


def _fees(key: str, status: str, filing: dt.date, grant: dt.date | None, today: dt.date) -> tuple[str, dt.date | None]:
    """Status and fees paid-until date; fees run by patent year (from the filing date).

    In force: paid to the end of the current patent year. Lapsed: unpaid from the end of a patent
    year 0-2 years after the grant, and before today (else the patent is still in force).
    """
    if grant is None or status not in (LegalStatus.GRANTED, LegalStatus.LAPSED):
        return status, None
    current = relativedelta(today, filing).years + 1
    if status == LegalStatus.LAPSED:
        grant_year = relativedelta(grant, filing).years + 1
        last_paid = min(current - 1, grant_year + ids.stable_int(key, "lapse") % 3)
        if last_paid >= grant_year:
            return status, filing + relativedelta(years=last_paid) - dt.timedelta(days=1)
        status = LegalStatus.GRANTED  # granted too recently to have lapsed
    return status, filing + relativedelta(years=current) - dt.timedelta(days=1)


def build_patent(record: SourceRecord, *, source_tag: str, today: dt.date) -> BuiltPatent:
    """An unsaved Patent with the record's facts and every missing field generated and listed."""
    generated: list[str] = []
    kind = record.kind
    if kind is None:
        kind = _kind(record)
        generated.append("kind")
    filing, publication = _dates(record, generated)
    status, grant = _status(record, kind, filing, publication, today)
    if status == LegalStatus.GRANTED and filing + relativedelta(years=term_years(kind, filing)) <= today:
        status = LegalStatus.EXPIRED
    status, paid_until = _fees(record.key, status, filing, grant, today)
    generated += ["legal_status"] + (["grant_date"] if grant else [])
    if paid_until:
        generated.append("annual_fee_paid_until")

    number = None
    if record.application_number:
        try:
            number = normalise_application_number(record.application_number)
        except ValidationError:
            number = None
    if number is None:
        generated.append("application_number")

    ipc = record.ipc_codes
    if not ipc:
        ipc = guess_ipc(record.title, " ".join(record.keywords), topic=record.topic)
        if ipc:
            generated += ["ipc_codes", "industry"]

    holder_names = list(dict.fromkeys(name for name in record.applicants if name))
    if holder_names:
        # applicants taken as the holders, organisations' credit codes made up: the register may say otherwise
        generated += ["owners", "holder_credit_codes"]
    patent = Patent(
        application_number=number or "", kind=kind, title=record.title, abstract=record.abstract,
        first_claim=record.first_claim, claims=record.claims, claims_count=record.claims_count,
        independent_claims=record.independent_claims, ipc_codes=ipc, industry=industry_for_ipc(ipc),
        applicants="；".join(record.applicants)[:500], inventors="；".join(record.inventors)[:500],
        filing_date=filing, publication_date=publication, grant_date=grant,
        publication_number=record.publication_number, legal_status=status, annual_fee_paid_until=paid_until,
        demo_generated_fields=sorted(set(generated)), source=f"{source_tag}#{record.record_id}"[:200],
    )
    built = BuiltPatent(patent=patent, key=record.key, holder_names=holder_names, number_generated=number is None)
    if number is None:
        patent.application_number = built.candidate_number(0)
    return built
