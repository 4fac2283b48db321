"""The pledge registry's twelve grounds of refusal (专利权质押登记办法 2021; docs/rules.md, Pledge financing).

Grounds 1-6, 8, 9 and 11 are the patent side and come from ``pledge_blockers``. This module adds the
grounds that need the application and its contract — 7 (the contract's required items, or a 流质
clause: Civil Code art. 428), 10 (the same applicant filed an invention and a utility model for the
same invention on the same day, unless both parties confirm), 12 (any other case, cited by staff
with a reason) — and numbers every reason with its ground. Pure reads; the registry service decides.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When

from market.models import Organisation, PatentKind
from market.models.patents import Patent, PatentOwner
from market.pledges.models import ConfirmableGround, PledgeConfirmation, PledgeContract, PledgeLoan
from market.rules.base import Reason, about_patent
from market.rules.pledge import package_pledge_blockers, pledge_blockers

RULE = "pledge_registry"
# Ground of each reason code (the codes of pledge_blockers and of this module).
GROUND_OF_CODE = {
    "not_registered_holder": 1,
    "lapsed": 2, "expired": 2, "invalidated": 2, "abandoned": 2,
    "not_granted": 3,
    "annual_fee_unpaid": 4,
    "ownership_dispute": 5, "court_preservation": 5,
    "debt_past_expiry": 6,
    "contract_item_missing": 7, "forfeiture_clause": 7,
    "co_owner_consent_missing": 8,
    "already_pledged": 9,
    "same_day_filing": 10,
    "invalidation_pending": 11,
    "other_ground": 12,
    # a registered mark's (the trademark office's grounds, sorted beside the patent ones they match)
    "not_registered": 3, "mark_expired": 2, "mark_cancelled": 2, "mark_revoked": 2,
    "companion_mark_missing": 12, "mark_similarity_undecided": 12,
}
# Grounds the applicant cures inside the flow (consents, confirmations): the application is not refused for them.
CURABLE_AT_APPLICATION = {"co_owner_consent_missing", "invalidation_pending", "same_day_filing", "annual_fee_unpaid",
                          "mark_similarity_undecided"}
# A 流质 clause: the creditor becomes owner of the pledged right on default (Civil Code art. 428) (verify the
# wording list with the legal team; any match refuses the contract).
FORFEITURE_RE = re.compile(
    r"流质|(?:归|转归|移转给|转让给|过户给|转移至)(?:质权人|债权人|贷款人|乙方|银行)(?:所有)?"
    r"|(?:质权人|债权人|贷款人|乙方|银行)(?:有权)?(?:直接)?(?:取得|受让|拥有)(?:质押|出质)?(?:专利|标的)")


def ground_of(reason: Reason) -> int:
    """The registry ground (1-12) a reason comes from."""
    return GROUND_OF_CODE.get(reason.code, 12)


def numbered(reasons: list[Reason]) -> list[dict]:
    """Reasons as stored on a refused filing: ground number first."""
    return [{"ground": ground_of(r), **r.as_dict()} for r in reasons]


def forfeiture_reasons(text: str, *, declared: bool = False) -> list[Reason]:
    """Ground 7: a clause letting the creditor take the patent on default cannot be agreed."""
    if declared or FORFEITURE_RE.search(text or ""):
        return [Reason("forfeiture_clause", RULE,
                       "质押合同不得约定债务人不履行到期债务时质押专利权归债权人所有（流质条款，民法典第四百二十八条） / "
                       "The contract may not let the creditor take the patent on default (Civil Code art. 428)")]
    return []


def contract_item_reasons(contract: PledgeContract | None, patents: list[Patent]) -> list[Reason]:
    """Ground 7: the required items — parties, kind and amount of the secured debt, debt term, each patent's
    name, number, filing and grant dates, scope of security — and no 流质 clause."""
    if contract is None:
        return [Reason("contract_item_missing", RULE, "缺少质押合同 / There is no pledge contract")]
    loan = contract.loan
    missing = []
    if not (loan.applicant.name and loan.applicant.credit_code and loan.bank.name and loan.bank.credit_code):
        missing.append("当事人 parties")
    if not contract.debt_kind.strip():
        missing.append("被担保主债权种类 kind of the secured debt")
    if not contract.principal or contract.principal <= 0:
        missing.append("被担保主债权数额 amount of the secured debt")
    if not (contract.start_date and contract.end_date and contract.start_date < contract.end_date):
        missing.append("债务履行期限 debt term")
    if not contract.security_scope.strip():
        missing.append("质押担保范围 scope of security")
    for patent in patents:
        if not (patent.title and patent.application_number and patent.filing_date and patent.grant_date):
            missing.append(f"专利 {patent.application_number} 的名称、专利号、申请日、授权公告日 "
                           f"name, number, filing and grant dates")
    reasons = []
    if missing:
        items = "；".join(missing)
        reasons.append(Reason("contract_item_missing", RULE,
                              f"质押合同缺少必要条款：{items} / The pledge contract lacks required items: {items}"))
    return reasons + forfeiture_reasons(contract.other_terms)


# The kinds one invention may be filed as on the same day (一案双申).
TWIN_KINDS = (PatentKind.INVENTION, PatentKind.UTILITY_MODEL)


def _twins(*, of, kind, filing_date, title, applicants, holder_names) -> QuerySet[Patent]:
    """Patents of the other twin kind than ``kind`` with this filing date and title, filed by the same applicant,
    other than ``of`` (values of one patent, or references to the outer patent of a query)."""
    same_applicant = (Q(ownerships__name__in=holder_names)
                      | Q(applicants=applicants) & ~Q(applicants__regex=r"^\s*$"))
    return (Patent.objects.filter(kind__in=TWIN_KINDS, filing_date=filing_date, title=title)
            .exclude(kind=kind).exclude(pk=of).filter(same_applicant).distinct())


def same_day_twins(patent: Patent) -> QuerySet[Patent]:
    """Patents the same applicant filed on the same day for the same invention as the other kind (一案双申).

    "The same invention" is read as the same title (the register has no other link); "the same applicant"
    as the same applicants text or a common holder on the register (verify).
    """
    if patent.kind not in TWIN_KINDS:
        return Patent.objects.none()
    return _twins(of=patent.pk, kind=patent.kind, filing_date=patent.filing_date, title=patent.title,
                  applicants=patent.applicants, holder_names=patent.ownerships.values("name"))


def with_same_day_twins(rows: QuerySet, patent: str = "") -> QuerySet:
    """``rows`` annotated ``has_twin``: whether ``same_day_twins`` finds any, in the same query. ``rows``:
    patents, or rows that lead to one through the path ``patent`` ("patent__")."""
    def outer(field: str) -> OuterRef:
        return OuterRef(patent + field)

    twins = _twins(of=outer("pk"), kind=outer("kind"), filing_date=outer("filing_date"), title=outer("title"),
                   applicants=outer("applicants"),
                   holder_names=PatentOwner.objects.filter(patent_id=OuterRef(outer("pk"))).values("name"))
    return rows.annotate(has_twin=Case(When(**{f"{patent}kind__in": TWIN_KINDS}, then=Exists(twins)),
                                       default=Value(False)))


def confirmed_by_both(loan: PledgeLoan, patent: Patent, ground: str) -> bool:
    """Both the pledgor and the pledgee confirmed, informed, that they proceed despite ``ground``."""
    if loan.pk is None:
        return False
    orgs = set(PledgeConfirmation.objects.filter(loan=loan, patent=patent, ground=ground)
               .values_list("organisation_id", flat=True))
    return both_parties(loan, orgs)


def both_parties(loan: PledgeLoan, organisation_ids: set[int]) -> bool:
    """The pledgor and the pledgee are both among ``organisation_ids`` (who confirmed a ground)."""
    return {loan.applicant_id, loan.bank_id} <= organisation_ids


def same_day_reasons(patent: Patent, *, confirmed: bool) -> list[Reason]:
    """Ground 10."""
    twins = list(same_day_twins(patent)[:3])
    if not twins or confirmed:
        return []
    numbers = "、".join(t.application_number for t in twins)
    return [Reason("same_day_filing", RULE,
                   f"同一申请人同日就同样的发明创造申请了发明和实用新型（{numbers}），需双方知情确认 / "
                   f"Same-day invention and utility model filing ({numbers}): both parties must confirm")]


def patent_reasons(patent: Patent, *, pledgor: Organisation, debt_end: dt.date | None,
                   loan: PledgeLoan | None = None) -> list[Reason]:
    """Every patent-side ground (1-6, 8-11) for ``patent``; within ``loan`` its consents and confirmations count."""
    def confirmed(ground: str) -> bool:
        return loan is not None and confirmed_by_both(loan, patent, ground)

    reasons = pledge_blockers(patent, pledgor=pledgor, debt_end=debt_end, deal=loan,
                              invalidation_confirmed=confirmed(ConfirmableGround.INVALIDATION_PENDING))
    return reasons + same_day_reasons(patent, confirmed=confirmed(ConfirmableGround.SAME_DAY_FILING))


def registration_blockers(loan: PledgeLoan, contract: PledgeContract | None) -> list[Reason]:
    """All twelve grounds for registering ``loan``'s pledge under ``contract``; empty means register."""
    patents = list(loan.pledged_patents())
    reasons = []
    for patent in patents:
        reasons += about_patent(patent, patent_reasons(patent, pledgor=loan.applicant, loan=loan,
                                                       debt_end=contract.end_date if contract else None))
    reasons += package_pledge_blockers(patents, pledgor=loan.applicant)
    reasons += contract_item_reasons(contract, patents)
    if loan.other_ground.strip():
        reasons.append(Reason("other_ground", RULE,
                              f"其他不符合质押条件的情形：{loan.other_ground.strip()} / "
                              f"Other pledge conditions not met: {loan.other_ground.strip()}"))
    return sorted(reasons, key=ground_of)
