"""Reads of pledge financing: who sees which loan, the bank's queue, what a loan offers a user now."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from market.access import member_of, own_or_staff
from market.models import ConsentCapacity, ConsentPurpose, Document, Patent, PatentKind, User
from market.money import ZERO, cny, format_cny
from market.pledges.models import (
    PRE_REGISTRATION_STATES,
    ConfirmableGround,
    InstalmentStatus,
    PledgeAlert,
    PledgeFiling,
    PledgeFilingState,
    PledgeLoan,
    PledgeLoanState,
)
from market.pledges.registry_rules import both_parties, same_day_twins
from market.pledges.services.loans import loans_defaulted_for_auction
from market.roles import who
from market.rules.common import has_consent

S = PledgeLoanState

# loans_defaulted_for_auction is defined with the loan services and read from here too (the auctions use it).
__all__ = ["alerts_visible_to", "filings_visible_to", "loan_allowed_actions", "loan_documents",
           "loans_defaulted_for_auction", "loans_visible_to", "pending_confirmations", "pending_consents",
           "pledge_documents_visible_to", "pledged_count", "book_by_right", "loans_by_right", "loan_next_step"]


def loans_visible_to(user: User | None) -> QuerySet[PledgeLoan]:
    """The applicant and the bank see their loans; co-owners of a patent in it see it (to consent); staff see all.

    Another bank sees nothing of an application not addressed to it.
    """
    return own_or_staff(PledgeLoan.objects.select_related("applicant", "bank"), user, "applicant_id", "bank_id",
                        consenting="patents__")


def filings_visible_to(user: User | None) -> QuerySet[PledgeFiling]:
    return PledgeFiling.objects.filter(loan__in=loans_visible_to(user).values("pk")).select_related("loan")


def alerts_visible_to(user: User | None) -> QuerySet[PledgeAlert]:
    """A bank sees the alerts of its loans; the holder those of its own; staff all."""
    loans = loans_visible_to(user)
    if user is not None and user.is_authenticated and not user.is_centre_staff:
        loans = loans.filter(Q(bank_id=user.organisation_id) | Q(applicant_id=user.organisation_id))
    return PledgeAlert.objects.filter(loan__in=loans.values("pk")).select_related("loan", "patent", "loan__applicant")


def pledge_documents_visible_to(user: User | None) -> Q:
    """A condition on Document: the documents of loans (and their filings) of the user's own side."""
    if member_of(user) is None:
        return Q(pk__in=[])
    loans = PledgeLoan.objects.all()
    if not user.is_centre_staff:
        loans = loans.filter(Q(applicant_id=user.organisation_id) | Q(bank_id=user.organisation_id))
    filings = PledgeFiling.objects.filter(loan__in=loans.values("pk"))
    return (Q(deal_type__model="pledgeloan", deal_id__in=loans.values("pk"))
            | Q(deal_type__model="pledgefiling", deal_id__in=filings.values("pk")))


def loan_documents(loan: PledgeLoan) -> list[Document]:
    """The current versions of the loan's documents and of its filings' documents, in order."""
    filings = list(loan.filings.values_list("pk", flat=True))
    docs = (Document.objects.filter(Q(deal_type__model="pledgeloan", deal_id=loan.pk)
                                    | Q(deal_type__model="pledgefiling", deal_id__in=filings))
            .latest_versions().select_related("patent").order_by("requested_at", "pk"))
    return list(docs)


def _prefetched(instance, name: str) -> list | None:
    """The related objects ``name`` of ``instance`` when a list view prefetched them, else None."""
    cache = getattr(instance, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


def _package(loan: PledgeLoan) -> list[tuple[Patent, bool | None]]:
    """The loan's patents, each with whether it has a same-day twin when the prefetched package rows say
    (``PledgeLoanViewSet``: ``with_same_day_twins``), else None."""
    rows = _prefetched(loan, "pledgeloanpatent_set")
    if rows is None:
        return [(patent, None) for patent in loan.patents.all()]
    return [(row.patent, getattr(row, "has_twin", None)) for row in rows]


def pledged_count(loan: PledgeLoan) -> int:
    """How many patents of the package are not released (``PledgeLoan.pledged_patents``)."""
    rows = _prefetched(loan, "pledgeloanpatent_set")
    return loan.pledged_patents().count() if rows is None else sum(row.released_at is None for row in rows)


def pending_consents(loan: PledgeLoan) -> list[dict]:
    """Co-owners (other than the applicant) of the package's patents and whether each consented."""
    if loan.state not in PRE_REGISTRATION_STATES:
        return []
    rows = []
    for patent, _ in _package(loan):
        ownerships = _prefetched(patent, "ownerships")
        if ownerships is None:
            ownerships = list(patent.ownerships.select_related("organisation"))
        if any(o.organisation_id == loan.applicant_id and o.agreement_allows_sole_action for o in ownerships):
            continue
        rows += [{"patent": patent, "organisation": o.organisation, "organisation_id": o.organisation_id,
                  "name": o.name, "given": o.joined and has_consent(patent, o.organisation_id, ConsentCapacity.CO_OWNER,
                                                                    ConsentPurpose.PLEDGE, loan)}
                 for o in ownerships if o.organisation_id != loan.applicant_id]
    return rows


def pending_confirmations(loan: PledgeLoan) -> list[dict]:
    """Grounds 10 and 11 that hold on a patent of the loan, with who confirmed already."""
    if loan.state not in PRE_REGISTRATION_STATES:
        return []
    rows = []
    confirmations = _prefetched(loan, "confirmations")
    for patent, has_twin in _package(loan):
        grounds = []
        if patent.invalidation_pending:
            grounds.append(ConfirmableGround.INVALIDATION_PENDING)
        if same_day_twins(patent).exists() if has_twin is None else has_twin:
            grounds.append(ConfirmableGround.SAME_DAY_FILING)
        for ground in grounds:
            if confirmations is None:
                confirmed = set(loan.confirmations.filter(patent=patent, ground=ground)
                                .values_list("organisation_id", flat=True))
            else:
                confirmed = {c.organisation_id for c in confirmations if c.patent_id == patent.pk and c.ground == ground}
            rows.append({"patent": patent, "ground": ground, "label": ConfirmableGround(ground).label,
                         "applicant": loan.applicant_id in confirmed, "bank": loan.bank_id in confirmed,
                         "done": both_parties(loan, confirmed)})
    return rows


def loan_allowed_actions(loan: PledgeLoan, user: User | None) -> list[str]:
    """The actions the loan offers ``user`` now (the API action names); rules may still refuse them."""
    if member_of(user) is None:
        return []
    party = loan.party_of(user.organisation)
    state = loan.state
    actions: list[str] = []
    contract = loan.contract()
    if party == "bank":
        if state == S.SUBMITTED:
            actions += ["approve", "request_info", "reject"]
        if state == S.INFO_REQUESTED:
            actions.append("reject")
        if state in (S.APPROVED, S.SIGNED):
            actions.append("draft_contract")
        if state in (S.REGISTERED,):
            actions.append("disburse")
        if state in (S.REGISTERED, S.DISBURSED) and pledged_count(loan) > 1:
            actions.append("release_patent")
        if state == S.DISBURSED:
            actions.append("declare_default")
    if party == "applicant":
        if state == S.INFO_REQUESTED:
            actions.append("resubmit")
        if state in (S.SUBMITTED, S.INFO_REQUESTED, S.APPROVED, S.SIGNED):
            actions.append("withdraw")
        if state == S.DISBURSED:
            actions.append("repay")
    if party and state == S.APPROVED and contract is not None:
        side = "holder_signed_at" if party == "applicant" else "bank_signed_at"
        if not getattr(contract, side):
            actions.append("sign_contract")
    if party and state == S.SIGNED:
        actions.append("file_registration")
    if party and any(not row[party] for row in pending_confirmations(loan)):
        actions.append("confirm")
    if any(row["organisation_id"] == user.organisation_id and not row["given"] for row in pending_consents(loan)):
        actions.append("consent")
    if user.is_centre_staff:
        if state in PRE_REGISTRATION_STATES:
            actions.append("clear_other_ground" if loan.other_ground else "cite_other_ground")
        if loan.filings.filter(state=PledgeFilingState.FILED).exists():
            actions.append("examine")
    return actions



# The kinds of right a bank counts its book by: loans secured by patents, by registered marks, or by both.
RIGHT_FILTERS = {"patent": ~Q(patents__kind=PatentKind.TRADEMARK), "trademark": Q(patents__kind=PatentKind.TRADEMARK)}


def loans_by_right(loans: QuerySet[PledgeLoan], right: str) -> QuerySet[PledgeLoan]:
    """``loans`` secured by marks (``trademark``: at least one mark pledged) or by patents alone (``patent``)."""
    if right not in RIGHT_FILTERS:
        return loans
    return loans.filter(pk__in=PledgeLoan.objects.filter(RIGHT_FILTERS[right]).values("pk"))


def book_by_right(loans: QuerySet[PledgeLoan]) -> list[dict]:
    """The book counted apart and together: loans and their amounts (approved, else asked) by kind of right."""
    rows = []
    for right, label in (("patent", "专利"), ("trademark", "注册商标"), ("", "合计")):
        chosen = loans_by_right(loans, right) if right else loans
        amounts = [amount or asked for amount, asked in chosen.values_list("amount", "amount_requested")]
        rows.append({"right": right, "label": label, "count": len(amounts), "amount": cny(sum(amounts, ZERO))})
    return rows


def loan_next_step(loan: PledgeLoan, organisation) -> str:
    """Who must act next on the loan, what, and by when: the line the loan page leads with ('' once over)."""
    party, state = loan.party_of(organisation), loan.state
    if state == S.SUBMITTED:
        return gettext("等待%(who)s审查申请：批准、要求补充材料或拒绝。") % {"who": who("bank", party)}
    if state == S.INFO_REQUESTED:
        return gettext("等待%(who)s补充材料并重新提交。") % {"who": who("applicant", party)}
    if state == S.APPROVED:
        contract = loan.contract()
        if contract is None:
            return gettext("等待%(who)s起草质押合同。") % {"who": who("bank", party)}
        missing = [role for role, signed in (("bank", contract.bank_signed_at), ("applicant", contract.holder_signed_at))
                   if not signed]
        return gettext("等待%(who)s阅读并签署质押合同。") % {"who": who(missing, party)}
    if state == S.SIGNED:
        return gettext("等待双方任一方提交质押登记申请。")
    if state in (S.FILED, S.REPAID):
        filing = loan.filings.filter(state=PledgeFilingState.FILED).order_by("decision_due").first()
        due = f"{filing.decision_due:%Y-%m-%d}" if filing else "—"
        return gettext("等待登记机关于 %(date)s 前作出登记决定。") % {"date": due}
    if state == S.REGISTERED:
        return gettext("质押已登记；等待%(who)s放款。") % {"who": who("bank", party)}
    if state == S.DISBURSED:
        instalment = (loan.instalments.exclude(status__in=(InstalmentStatus.PAID, InstalmentStatus.CLOSED))
                      .order_by("due_date").first())
        if instalment is None:
            return ""
        return gettext("等待%(who)s于 %(date)s 前偿还第 %(number)s 期 %(amount)s。") % {
            "who": who("applicant", party), "date": f"{instalment.due_date:%Y-%m-%d}", "number": instalment.number,
            "amount": format_cny(instalment.outstanding)}
    if state == S.DEFAULTED:
        return gettext("已违约；等待交易中心开启拍卖处置质押物。")
    return ""
