"""Reads of licensing: who sees a declaration, licence or contract, late royalties, what a user may do now."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from market.access import member_of, own_or_staff
from market.models import User
from market.money import format_cny
from market.roles import who
from market.rules.common import active_pledges

from .models import (
    CONTRACT_IN_EFFECT,
    CONTRACT_OPEN_STATES,
    Licence,
    LicenceContract,
    LicenceContractState,
    LicenceState,
    OpenLicenceDeclaration,
    OpenLicenceState,
    RoyaltyPeriod,
)

# Orders of published declarations by what a licensee pays.
ROYALTY_SORTS = {
    # What a licensee pays at once (first year or entry fee), then the running rate / unit fee.
    "royalty": (Coalesce(F("annual_fee"), F("entry_fee"), Value(0)).asc(), F("royalty_rate").asc(nulls_last=True),
                F("unit_fee").asc(nulls_last=True)),
    "-royalty": (Coalesce(F("annual_fee"), F("entry_fee"), Value(0)).desc(),
                 F("royalty_rate").desc(nulls_last=True), F("unit_fee").desc(nulls_last=True)),
}


def open_licences_visible_to(user: User | None) -> QuerySet[OpenLicenceDeclaration]:
    """Published and withdrawn declarations are public (announced); the holder sees its own in any state,
    co-owners and pledgees of the patent the ones needing their consent; staff see all."""
    return own_or_staff(OpenLicenceDeclaration.objects.select_related("patent", "holder"), user, "holder_id",
                        public=Q(state__in=(OpenLicenceState.PUBLISHED, OpenLicenceState.WITHDRAWN)),
                        consenting="patent__")


def licences_visible_to(user: User | None) -> QuerySet[Licence]:
    """A licence is seen by its licensor and licensee (and staff) only."""
    return own_or_staff(Licence.objects.select_related("patent", "licensor", "licensee", "declaration", "contract"),
                        user, "licensor_id", "licensee_id")


def licence_contracts_visible_to(user: User | None) -> QuerySet[LicenceContract]:
    """The parties see their contracts; co-owners and pledgees the ones needing their consent; staff all."""
    return own_or_staff(LicenceContract.objects.select_related("patent", "licensor", "licensee", "listing"), user,
                        "licensor_id", "licensee_id", consenting="patent__")


def licensing_documents_q(user: User) -> Q:
    """Documents of declarations the user may see, and of licences and contracts it is a party to."""
    org = user.organisation_id
    contracts = LicenceContract.objects.filter(Q(licensor_id=org) | Q(licensee_id=org)).values("pk")
    return (Q(deal_type__model="openlicencedeclaration", deal_id__in=open_licences_visible_to(user).values("pk"))
            | Q(deal_type__model="licence", deal_id__in=licences_visible_to(user).values("pk"))
            | Q(deal_type__model="licencecontract", deal_id__in=contracts))


def late_royalties_of_licensor(organisation_id: int) -> QuerySet[RoyaltyPeriod]:
    """Royalties owed to the organisation that are past due (what the holder's page shows)."""
    return (RoyaltyPeriod.objects.filter(licence__licensor_id=organisation_id, licence__state=LicenceState.ACTIVE,
                                         due_date__lt=timezone.localdate(), paid_at__isnull=True,
                                         cancelled_at__isnull=True)
            .exclude(amount_due=0).select_related("licence__licensee", "licence__patent").order_by("due_date"))


def open_licence_allowed_actions(declaration: OpenLicenceDeclaration, user: User | None) -> list[str]:
    """The API actions the declaration offers ``user`` now (rules may still refuse them)."""
    if member_of(user) is None:
        return []
    state, org = declaration.state, user.organisation_id
    actions: list[str] = []
    editable = state in (OpenLicenceState.DRAFT, OpenLicenceState.REJECTED)
    if org == declaration.holder_id:
        if editable:
            actions += ["evaluation_report", "submit"]
        if state != OpenLicenceState.WITHDRAWN:
            actions.append("withdraw")
    elif state == OpenLicenceState.PUBLISHED and user.organisation.verified:
        actions.append("take_up")
    if org != declaration.holder_id and (editable or state == OpenLicenceState.SUBMITTED) and (
            declaration.patent.ownerships.filter(organisation_id=org).exists()
            or active_pledges(declaration.patent).filter(beneficiary_id=org).exists()):
        actions.append("consent")
    if user.is_centre_staff and state == OpenLicenceState.SUBMITTED:
        actions += ["publish", "reject"]
    return actions


def licence_contract_allowed_actions(contract: LicenceContract, user: User | None) -> list[str]:
    """The API actions the contract offers ``user`` now (rules may still refuse them)."""
    if member_of(user) is None:
        return []
    party = contract.party_of(user.organisation)
    state = contract.state
    actions: list[str] = []
    if party:
        latest = contract.latest_offer()
        if state == LicenceContractState.NEGOTIATING and latest and latest.organisation_id != user.organisation_id:
            actions += ["counter", "accept"]
        if state == LicenceContractState.AGREED and not getattr(contract, f"{party}_signed_at"):
            actions.append("sign")
        if state == LicenceContractState.SIGNED and party == "licensee":
            actions.append("pay")
        if state == LicenceContractState.EFFECTIVE and party == "licensor":
            actions.append("file_record")
        if state in CONTRACT_IN_EFFECT:
            actions.append("terminate")
        if state in CONTRACT_OPEN_STATES:
            actions.append("cancel")
    elif state in CONTRACT_OPEN_STATES and (
            contract.patent.ownerships.filter(organisation_id=user.organisation_id).exists()
            or active_pledges(contract.patent).filter(beneficiary_id=user.organisation_id).exists()):
        actions.append("consent")
    if user.is_centre_staff:
        if state == LicenceContractState.FILED:
            actions += ["record", "refuse_record"]
        if state in CONTRACT_OPEN_STATES and "cancel" not in actions:
            actions.append("cancel")
    return actions



def contract_next_step(contract: LicenceContract, organisation) -> str:
    """Who must act next on the licence contract, what, and by when ('' once it is recorded or over)."""
    party, state = contract.party_of(organisation), contract.state
    if state == LicenceContractState.NEGOTIATING:
        offer = contract.latest_offer()
        waiting = "licensor" if offer is None or offer.organisation_id == contract.licensee_id else "licensee"
        return gettext("等待%(who)s回应最新条件：接受或还价。") % {"who": who(waiting, party)}
    if state == LicenceContractState.AGREED:
        missing = [role for role, signed in (("licensor", contract.licensor_signed_at),
                                             ("licensee", contract.licensee_signed_at)) if not signed]
        return gettext("等待%(who)s阅读并签署许可合同。") % {"who": who(missing, party)}
    if state == LicenceContractState.SIGNED:
        return gettext("等待%(who)s支付首期许可使用费，合同随之生效。") % {"who": who("licensee", party)}
    if state == LicenceContractState.EFFECTIVE:
        due = f"{contract.filing_due_date:%Y-%m-%d}" if contract.filing_due_date else "—"
        return gettext("等待%(who)s于 %(date)s 前提交合同备案。") % {"who": who("licensor", party), "date": due}
    if state == LicenceContractState.FILED:
        return gettext("等待登记机关作出备案决定（交易中心模拟备案）。")
    return ""


def licence_next_step(licence: Licence, organisation) -> str:
    """Who must act next on a licence in force, what, and by when: its first royalty not settled ('' when none)."""
    period = next((p for p in licence.periods.order_by("due_date", "sequence") if not p.settled), None)
    if period is None:
        return ""
    party = licence.party_of(organisation)
    due = f"{period.due_date:%Y-%m-%d}"
    if period.status == "upcoming":
        return gettext("本期（至 %(end)s）结束后，%(who)s须于 %(due)s 前报告并支付许可使用费。") % {
            "end": f"{period.period_end:%Y-%m-%d}", "who": who("licensee", party), "due": due}
    if period.status == "awaiting_report":
        return gettext("等待%(who)s于 %(due)s 前报告本期数额。") % {"who": who("licensee", party), "due": due}
    return gettext("等待%(who)s于 %(due)s 前支付许可使用费 %(amount)s。") % {
        "who": who("licensee", party), "due": due,
        "amount": format_cny(period.amount_due) if period.amount_due is not None else "—"}
