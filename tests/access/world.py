"""A small marketplace with one object of each kind around the 杭州 holder, for the permission matrix.

The holder's organisation ("own") sells, licenses, pledges and abandons; its bank is the pledgee; the other
actors stand outside each object: another enterprise, a second bank, staff, a valuation agency and a trading
centre nobody verified.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from finance import pools, receivable_pledges
from finance.models import LossShare, RiskScheme, SchemeEnrolment
from market.auctions import services as auctions
from market.licensing.models import OpenLicenceDeclaration
from market.licensing.services import licence_contracts, open_licences
from market.models import (
    Document,
    Escrow,
    Listing,
    ListingMode,
    Organisation,
    OrganisationKind,
    Patent,
    PatentOwner,
    User,
    UserRole,
)
from market.pledges.models import PledgeAlert, PledgeFiling, PledgeLoan
from market.register import claims
from market.services import abandonments
from market.services import organisations as organisation_services
from market.transfers import services as deals
from matching.models import Demand, MatchProposal, SavedSearch
from notifications.models import Notification
from notifications.services import notify
from valuation.models import Valuation

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory, pledge
from ..market.deal_steps import advance as advance_deal
from ..pledges.steps import advance as advance_loan
from ..pledges.steps import apply as apply_loan

ACTORS = ("anonymous", "own", "other", "bank", "other_bank", "staff", "agency", "unverified")
PASSWORD = "Qiantang-river-2026"


@dataclass
class World:
    users: dict[str, User | None]
    orgs: dict[str, Organisation]
    objects: dict[str, object] = field(default_factory=dict)


def build_world() -> World:
    own = OrganisationFactory(name="杭州锂能新材料有限公司")
    buyer_org = OrganisationFactory(name="宁波甬江电池科技有限公司")
    orgs = {
        "own": own,
        "buyer": buyer_org,
        "other": OrganisationFactory(name="温州无关贸易有限公司"),
        "bank": OrganisationFactory(name="钱塘银行", kind=OrganisationKind.BANK),
        "other_bank": OrganisationFactory(name="甬江银行", kind=OrganisationKind.BANK),
        "staff": OrganisationFactory(name="浙江知识产权交易中心", kind=OrganisationKind.TRADING_CENTRE),
        "agency": OrganisationFactory(name="之江资产评估", kind=OrganisationKind.VALUATION_AGENCY),
        "unverified": OrganisationFactory(name="自称交易中心", kind=OrganisationKind.TRADING_CENTRE, verified=False),
    }
    users: dict[str, User | None] = {"anonymous": None}
    for actor in ACTORS[1:]:
        users[actor] = UserFactory(username=f"m-{actor}", organisation=orgs[actor], role=UserRole.ADMIN)
    users["own_agent"] = UserFactory(username="m-own-agent", organisation=own)
    buyer = UserFactory(username="m-buyer", organisation=buyer_org)
    own_user, staff, bank = users["own"], users["staff"], users["bank"]
    o: dict[str, object] = {}

    # a transfer deal, paid (escrow and contract), on the holder's published listing
    o["patent"] = PatentFactory(holders=[own], title="一种锂电池隔膜")
    o["listing"] = ListingFactory(organisation=own, created_by=own_user, patents=[o["patent"]],
                                  asking_price=Decimal("500000.00"))
    deal = deals.deal_open(listing_id=o["listing"].pk, actor=buyer, price="450000")
    o["deal"] = advance_deal(deal, to="paid", seller=own_user, buyer=buyer, staff=staff)
    o["escrow"] = Escrow.objects.get(pk=o["deal"].escrow_id)
    o["document"] = Document.objects.filter(deal_id=deal.pk, deal_type__model="transferdeal").first()
    o["document"].file.save("contract.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
    o["document"].state = "issued"
    o["document"].save(update_fields=["state", "file"])

    # an open licence taken up by the buyer, and a licence contract negotiated on a licence listing
    o["declared_patent"] = PatentFactory(holders=[own], title="一种电池管理系统")
    o["declaration"] = _declare(own_user, staff, o["declared_patent"])
    o["licence"] = open_licences.open_licence_take_up(declaration_id=o["declaration"].pk, actor=buyer,
                                                      idempotency_key="take", notice_confirmed=True)
    licensed = PatentFactory(holders=[own], title="一种电池热管理装置")
    o["licence_listing"] = ListingFactory(organisation=own, created_by=own_user, patents=[licensed],
                                          mode=ListingMode.LICENCE)
    o["contract"] = licence_contracts.contract_open(
        listing_id=o["licence_listing"].pk, actor=buyer, licence_kind="ordinary_licence", territory="浙江省",
        start_date=timezone.localdate(), end_date=timezone.localdate() + dt.timedelta(days=700),
        royalty_method="annual", annual_fee=Decimal("10000.00"))

    # a pledge loan with the bank (submitted), a registered one with its filing and an alert
    loan_patents = [PatentFactory(holders=[own], title="一种正极材料"), PatentFactory(holders=[own], title="一种负极材料")]
    o["loan"] = apply_loan(own_user, orgs["bank"], loan_patents[:1])
    registered = advance_loan(apply_loan(own_user, orgs["bank"], loan_patents[1:]), to="registered",
                              holder=own_user, bank_officer=bank)
    o["filing"] = PledgeFiling.objects.filter(loan=registered).first()
    o["alert"] = _alert(registered)

    # an auction of two other patents pledged to the bank (open now)
    lot = [PatentFactory(holders=[own], title=f"拍卖专利{n}") for n in (1, 2)]
    for patent in lot:
        pledge(patent, orgs["bank"], secured_amount=Decimal("300000.00"), registration_number=f"ZY-{patent.pk}")
    now = timezone.now()
    o["auction"] = auctions.auction_open(
        source=None, patents=lot, creditor=orgs["bank"], debtor=own, starts_at=now - dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(hours=1), actor=staff, claim_amount=Decimal("300000.00"),
        reserve_price=Decimal("200000.00"), increment=Decimal("10000.00"), deposit=Decimal("20000.00"))

    # a patent on the register whose holder has not joined, and the own organisation's pending claim to it
    o["unclaimed_patent"] = PatentFactory(holders=[], title="一种电池包壳体")
    PatentOwner.objects.create(patent=o["unclaimed_patent"], name="杭州锂能材料有限公司（原名）", credit_code="")
    o["claim"] = claims.claim_submit(actor=own_user, application_number=o["unclaimed_patent"].application_number,
                                     evidence="本公司更名前的名称")

    # abandonment, valuation, matching, notifications, invitations
    o["abandoned_patent"] = PatentFactory(holders=[own], title="一种过时的装置")
    o["abandonment"] = abandonments.abandonment_request(actor=own_user, patent_id=o["abandoned_patent"].pk,
                                                       reason="不再实施")
    o["valuation"] = _valuation(own_user, o["patent"])
    o["demand"] = _demand(own_user)
    o["proposal"] = _proposal(staff, buyer, own_user)
    o["saved_search"] = SavedSearch.objects.create(user=own_user, name="电池", params={"q": "电池"})
    notify(key="matrix", kind="test", title="测试通知", users=[own_user])
    o["notification"] = Notification.objects.get(recipient=own_user, key="matrix")
    o["invitation"], o["invitation_token"] = organisation_services.invitation_create(actor=own_user,
                                                                                   email="new@example.cn")
    o["member"] = users["own_agent"]

    # IP finance: the licence's royalties pledged to the bank (applied), a pool staff assemble, a risk-sharing
    # scheme and the bank's own share of a loss on the submitted loan
    o["receivable_pledge"] = receivable_pledges.receivable_pledge_apply(
        actor=own_user, bank_id=orgs["bank"].pk, licence_ids=[o["licence"].pk], amount="10000", rate_percent="4",
        end_date=timezone.localdate() + dt.timedelta(days=300))
    o["pool"] = pools.pool_create(actor=staff, name="矩阵测试专项计划", periods=4, fee_per_period="0")
    o["scheme"] = RiskScheme.objects.create(name="矩阵测试方案", max_amount=Decimal("1000000"),
                                            max_rate_percent=Decimal("5"), right_kinds=["invention"],
                                            premium_rate=Decimal("0.01"), created_by=staff)
    enrolment = SchemeEnrolment.objects.create(scheme=o["scheme"], loan=o["loan"], premium=Decimal("0"),
                                               enrolled_by=bank)
    o["loss_share"] = LossShare.objects.create(enrolment=enrolment, year=2026, due=Decimal("1.00"),
                                               paid=Decimal("0"))
    return World(users=users, orgs=orgs, objects=o)


def _declare(holder: User, staff: User, patent: Patent) -> OpenLicenceDeclaration:
    declaration = open_licences.open_licence_create(actor=holder, patent_id=patent.pk, licence_years=3,
                                                    royalty_method="annual", annual_fee=Decimal("12000.00"))
    open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    return open_licences.open_licence_publish(declaration_id=declaration.pk, actor=staff)


def _alert(loan: PledgeLoan) -> PledgeAlert:
    return PledgeAlert.objects.create(loan=loan, kind="annual_fee_due", key=f"matrix:{loan.pk}",
                                      message="年费即将到期")


def _valuation(actor: User, patent: Patent) -> Valuation:
    from valuation.services import valuation_create

    return valuation_create(actor=actor, patent_id=patent.pk, inputs={
        "income": {"revenue": "1000000", "royalty_rate": 0.05, "discount_rate": 0.1}})


def _demand(actor: User) -> Demand:
    from matching.services.demands import demand_create

    return demand_create(actor=actor, title="寻找锂电池隔膜技术", text="需要锂电池隔膜专利许可", wanted_modes=["licence"])


def _proposal(staff: User, buyer: User, holder: User) -> MatchProposal:
    from matching.services.demands import demand_create
    from matching.services.proposals import proposal_create

    demand = demand_create(actor=buyer, title="寻找电池隔膜", text="需要锂电池隔膜专利", wanted_modes=["transfer"])
    listing = Listing.objects.filter(organisation=holder.organisation, mode=ListingMode.TRANSFER).first()
    return proposal_create(actor=staff, demand_id=demand.pk, listing_id=listing.pk, note="匹配")


