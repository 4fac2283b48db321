"""What waits for a user's organisation and what it waits for: the open deals, loans, licence contracts,
listings and valuation orders it takes part in, each with the flow's own next-step line. An item waits for
the organisation when the flow offers it an action that moves the item on (cancelling or withdrawing, always
open, does not count); the start pages of every role read this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from market.licensing.models import (
    CONTRACT_OPEN_STATES,
    LicenceContract,
    LicenceContractState,
    OpenLicenceDeclaration,
    OpenLicenceState,
)
from market.licensing.selectors import contract_next_step, licence_contract_allowed_actions
from market.models import Claim, ClaimState, Listing, ListingState, Organisation, User
from market.pledges.desk import DeskQuery, alert_rows, book_rows
from market.pledges.models import (
    REVIEW_STATES,
    Instalment,
    InstalmentStatus,
    PledgeFiling,
    PledgeFilingState,
    PledgeLoan,
    PledgeLoanState,
)
from market.pledges.selectors import alerts_visible_to, loan_allowed_actions, loan_next_step, loans_visible_to
from market.transfers.models import OPEN_STATES, DealState, TransferDeal
from market.transfers.selectors import deal_allowed_actions, deal_next_step
from valuation.models import ValuationRequestState
from valuation.requests import requests_visible_to

# Actions that are always open to a side and so do not mean the item waits for it.
STANDING = {"cancel", "withdraw", "terminate", "object", "release_patent", "declare_default", "shares",
            "consent_request", "repay"}
# A loan waits for its borrower when an instalment falls due within this many days (or is overdue).
REPAYMENT_NOTICE_DAYS = 30
# Items read per kind (the most recently moved): a start page stays quick for an organisation with many.
PER_KIND = 50
LOAN_CLOSED = (PledgeLoanState.REJECTED, PledgeLoanState.WITHDRAWN, PledgeLoanState.RELEASED,
               PledgeLoanState.SETTLED)


@dataclass(frozen=True)
class WorkItem:
    kind: str
    number: str
    title: str
    url: str
    next_step: str
    mine: bool
    updated_at: dt.datetime


def _moves(actions: list[str]) -> bool:
    return any(action not in STANDING for action in actions)


def _deals(user: User) -> list[WorkItem]:
    org = user.organisation
    deals = (TransferDeal.objects.filter(Q(seller=org) | Q(buyer=org), state__in=OPEN_STATES)
             .select_related("listing", "seller", "buyer").prefetch_related("transferors").order_by("-updated_at")[:PER_KIND])
    return [WorkItem(_("转让交易"), deal.number, deal.listing.title, reverse("frontend:deal_detail", args=[deal.pk]),
                     deal_next_step(deal, org), _moves(deal_allowed_actions(deal, user)), deal.updated_at)
            for deal in deals]


def _repayments_due(loans: list[PledgeLoan], today: dt.date) -> set[int]:
    """The loans among ``loans`` with an instalment unpaid and due within the notice period (one query)."""
    soon = today + dt.timedelta(days=REPAYMENT_NOTICE_DAYS)
    return set(Instalment.objects.filter(loan__in=loans, due_date__lte=soon,
                                         status__in=(InstalmentStatus.SCHEDULED, InstalmentStatus.OVERDUE))
               .values_list("loan_id", flat=True))


def _loans(user: User) -> list[WorkItem]:
    org, today = user.organisation, timezone.localdate()
    loans = list(PledgeLoan.objects.filter(Q(applicant=org) | Q(bank=org)).exclude(state__in=LOAN_CLOSED)
                 .select_related("applicant", "bank").order_by("-updated_at")[:PER_KIND])
    due = _repayments_due(loans, today)
    items = []
    for loan in loans:
        actions = loan_allowed_actions(loan, user)
        mine = _moves(actions) or ("repay" in actions and loan.pk in due)
        counterpart = loan.bank if loan.applicant_id == org.pk else loan.applicant
        items.append(WorkItem(_("质押融资"), loan.number, counterpart.name,
                              reverse("frontend:pledge_detail", args=[loan.pk]), loan_next_step(loan, org), mine,
                              loan.updated_at))
    return items


def _contracts(user: User) -> list[WorkItem]:
    org = user.organisation
    open_states = (*CONTRACT_OPEN_STATES, LicenceContractState.EFFECTIVE, LicenceContractState.FILED)
    contracts = (LicenceContract.objects.filter(Q(licensor=org) | Q(licensee=org), state__in=open_states)
                 .select_related("patent", "licensor", "licensee").order_by("-updated_at")[:PER_KIND])
    return [WorkItem(_("许可合同"), contract.number, contract.patent.title,
                     reverse("frontend:licence_contract_detail", args=[contract.pk]),
                     contract_next_step(contract, org), _moves(licence_contract_allowed_actions(contract, user)),
                     contract.updated_at) for contract in contracts]


def _listings(user: User) -> list[WorkItem]:
    rows = Listing.objects.filter(organisation=user.organisation,
                                  state__in=(ListingState.DRAFT, ListingState.REJECTED, ListingState.SUBMITTED)
                                  ).order_by("-updated_at")[:PER_KIND]
    steps = {ListingState.DRAFT: _("草稿：确认无误后提交审核。"), ListingState.REJECTED: _("被驳回：修改后可重新提交审核。"),
             ListingState.SUBMITTED: _("等待交易中心审核挂牌。")}
    return [WorkItem(_("挂牌"), "", listing.title, reverse("frontend:listing_detail", args=[listing.pk]),
                     steps[listing.state], listing.state != ListingState.SUBMITTED, listing.updated_at)
            for listing in rows]


def _orders(user: User) -> list[WorkItem]:
    org = user.organisation
    items = []
    for order in requests_visible_to(user).filter(state=ValuationRequestState.REQUESTED)[:PER_KIND]:
        mine = order.agency_id == org.pk
        step = (_("等待贵方评估并签署。") if mine else
                _("等待%(agency)s评估并签署。") % {"agency": order.agency.name})
        items.append(WorkItem(_("评估委托"), order.number, order.patent.title,
                              reverse("frontend:valuation_request", args=[order.pk]), step, mine, order.created_at))
    return items


def worklist(user: User) -> tuple[list[WorkItem], list[WorkItem]]:
    """(what waits for the user's organisation, what it waits for), the most recently moved first."""
    if user.organisation_id is None:
        return [], []
    items = _deals(user) + _loans(user) + _contracts(user) + _listings(user) + _orders(user)
    items.sort(key=lambda item: item.updated_at, reverse=True)
    return [item for item in items if item.mine], [item for item in items if not item.mine]


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    url: str


def staff_queues() -> list[Queue]:
    """What waits for the trading centre: each queue with its count and the page that works it."""
    defaulted = PledgeLoan.objects.filter(state=PledgeLoanState.DEFAULTED)
    return [
        Queue(_("待审核挂牌"), Listing.objects.filter(state=ListingState.SUBMITTED).count(),
              reverse("frontend:staff_queue")),
        Queue(_("待登记或鉴证的转让"), TransferDeal.objects.filter(
            state__in=(DealState.FILED, DealState.REGISTERED)).count(), reverse("frontend:staff_queue")),
        Queue(_("待审核的开放许可声明"), OpenLicenceDeclaration.objects.filter(
            state=OpenLicenceState.SUBMITTED).count(), reverse("frontend:staff_licences")),
        Queue(_("待备案的实施许可合同"), LicenceContract.objects.filter(state=LicenceContractState.FILED).count(),
              reverse("frontend:staff_licences")),
        Queue(_("待审查的质押登记"), PledgeFiling.objects.filter(state=PledgeFilingState.FILED).count(),
              reverse("frontend:bank_loans") + "?state=filed"),
        Queue(_("已违约待拍卖处置"), defaulted.count(), reverse("frontend:bank_loans") + "?state=defaulted"),
        Queue(_("待审核的权利认领"), Claim.objects.filter(state=ClaimState.PENDING).count(),
              reverse("frontend:staff_claims")),
        Queue(_("待认证的机构"), Organisation.objects.filter(verified=False).count(),
              reverse("frontend:staff_organisations")),
    ]


def bank_queues(user: User) -> list[Queue]:
    """What waits for a bank beyond its loans' next steps: applications to review, alerts to take in hand,
    loans overdue."""

    loans = loans_visible_to(user).filter(bank_id=user.organisation_id)
    alerts = alerts_visible_to(user).filter(loan__bank_id=user.organisation_id)
    return [
        Queue(_("待审查的申请"), loans.filter(state=PledgeLoanState.SUBMITTED).count(), reverse("frontend:bank_queue")),
        Queue(_("待处理的贷后预警"), alert_rows(alerts, DeskQuery(filters={"status": "open"})).count(),
              reverse("frontend:bank_monitoring")),
        Queue(_("逾期贷款"), book_rows(loans, DeskQuery(filters={"overdue": "1"})).count(),
              reverse("frontend:bank_loans") + "?overdue=1"),
        Queue(_("审查中（含补充材料）"), loans.filter(state__in=REVIEW_STATES).count(), reverse("frontend:bank_queue")),
    ]
