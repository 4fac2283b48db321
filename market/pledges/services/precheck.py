"""The pre-check of a pledge: for each right, the registry's grounds that hold now and those the flow cures
(read by the application, the review of the collateral and the pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from market.models import Organisation, Patent
from market.pledges.models import PledgeLoan
from market.pledges.registry_rules import CURABLE_AT_APPLICATION, ground_of, patent_reasons
from market.rules import Reason
from market.rules.pledge import package_pledge_blockers

from .common import debt_end


@dataclass
class PatentCheck:
    """The pre-check of one patent: may it be pledged now, and if not, which ground and why."""

    patent: Patent
    blocking: list[Reason] = field(default_factory=list)
    to_cure: list[Reason] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blocking

    def as_dict(self) -> dict:
        def rows(reasons):
            return [{"ground": ground_of(r), **r.as_dict()} for r in reasons]

        return {"patent": self.patent.pk, "application_number": self.patent.application_number,
                "title": self.patent.title, "allowed": self.allowed, "reasons": rows(self.blocking),
                "to_cure": rows(self.to_cure)}


def pledge_precheck(*, applicant: Organisation, patents: list[Patent], term_months: int | None = None,
                    loan: PledgeLoan | None = None, on: dt.date | None = None) -> list[PatentCheck]:
    """For each patent: the registry grounds that hold now (``blocking``) and those the flow cures
    (``to_cure``: co-owners' consent, the parties' confirmations, an annual fee still in its grace period)."""
    on = on or timezone.localdate()
    end = debt_end(on, term_months) if term_months else None
    checks = []
    for patent in patents:
        check = PatentCheck(patent)
        for reason in (patent_reasons(patent, pledgor=applicant, debt_end=end, loan=loan)
                       + package_pledge_blockers(patents, pledgor=applicant, about=[patent])):
            (check.to_cure if reason.code in CURABLE_AT_APPLICATION else check.blocking).append(reason)
        checks.append(check)
    return checks
