"""The facts the cockpit counts: which rows of the other apps count, at which date, in which cell.

A fact is one kind of event (a transfer registered, a loan disbursed …). Each definition here says, in one
place, which rows count (``where``), the date that places them in a month (``date``), what is summed
(``amount``, ``amount2``, a duration), and where the row's city, industry, patent kind, holder type and bank
come from. The rollups (stats/rollups.py) group every fact by month and those dimensions; the indicators
(stats/indicators.py) are arithmetic over facts. Nothing here writes to another app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import DurationField, Expression, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from market.money import ZERO


def _first_patent(through: str, owner: str):
    """A builder of the subquery giving a row's first patent's (lowest id) attribute through the M2M table
    ``through``: a deal of several patents counts once, under its first patent's industry and kind."""
    def build(attribute: str) -> Subquery:
        rows = apps.get_model(through).objects.filter(**{owner: OuterRef("pk")}).order_by("patent_id")
        return Subquery(rows.values(f"patent__{attribute}")[:1])
    return build


def _days(start: str, end: str) -> Expression:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _money(*fields: str) -> Expression:
    """The sum of money fields of a row, a missing one counting as 0."""
    total = None
    for name in fields:
        term = Coalesce(F(name), Value(ZERO))
        total = term if total is None else total + term
    return total


@dataclass(frozen=True)
class Fact:
    key: str
    model: str                       # "app_label.Model"
    date: str                        # the field whose month the row counts in
    definition: str                  # stated on the page and in the API: which rows, at which date
    where: Q = field(default_factory=Q)
    amount: Expression | None = None
    amount2: Expression | None = None
    duration: Expression | None = None
    city: str = ""                   # lookup of the organisation's city
    holder_type: str = ""            # lookup of the organisation's kind
    bank: str = ""                   # lookup of the lending bank's id
    industry: str | Callable[[str], Subquery] = ""  # a lookup, or a builder of the first patent's attribute
    kind: str | Callable[[str], Subquery] = ""

    @property
    def model_class(self):
        return apps.get_model(self.model)


transfer_patent = _first_patent("market.TransferDeal_patents", "transferdeal_id")
loan_patent = _first_patent("market.PledgeLoanPatent", "loan_id")
auction_patent = _first_patent("market.Auction_patents", "auction_id")

_TRANSFER = dict(model="market.TransferDeal", city="seller__city", holder_type="seller__kind",
                 industry=transfer_patent, kind=transfer_patent)
_CONTRACT = dict(model="market.LicenceContract", city="licensor__city", holder_type="licensor__kind",
                 industry="patent__industry", kind="patent__kind")
_LOAN = dict(model="market.PledgeLoan", city="applicant__city", holder_type="applicant__kind", bank="bank_id",
             industry=loan_patent, kind=loan_patent)
_AUCTION = dict(model="market.Auction", city="debtor__city", holder_type="debtor__kind", bank="creditor_id",
                industry=auction_patent, kind=auction_patent)
_ENDED_LOAN = Q(disbursed_on__isnull=False, closed_at__isnull=False)

FACTS: dict[str, Fact] = {f.key: f for f in [
    # -- deals -----------------------------------------------------------------------------------------
    Fact("transfer", date="registered_at", amount=F("price"), where=Q(registered_at__isnull=False),
         definition="专利权转让：国家知识产权局登记著录项目变更之日计入，金额为成交价；城市、机构类型取转让方 / "
                    "Patent transfers, counted on the day the register records the change of holder, at the agreed "
                    "price; city and holder type are the seller's", **_TRANSFER),
    Fact("licence", date="effective_date", amount=_money("entry_fee", "annual_fee"),
         where=Q(effective_date__isnull=False),
         definition="专利实施许可合同：合同生效之日计入，金额为入门费与首年固定许可费之和；城市取许可方 / "
                    "Licence contracts, counted on the day they take effect, at the entry fee plus the first year's "
                    "fixed fee; city is the licensor's", **_CONTRACT),
    Fact("takeup", model="market.Licence", date="created_at", where=Q(declaration__isnull=False),
         amount=_money("entry_fee", "annual_fee"), city="licensor__city", holder_type="licensor__kind",
         industry="patent__industry", kind="patent__kind",
         definition="开放许可实施：被许可人书面通知专利权人、许可生效之日计入，金额为入门费与年许可费之和 / "
                    "Open-licence take-ups, counted when the licensee's notice makes the licence effective, at the "
                    "entry fee plus the annual fee"),
    Fact("declaration", model="market.OpenLicenceDeclaration", date="published_at",
         where=Q(published_at__isnull=False), city="holder__city", holder_type="holder__kind",
         industry="patent__industry", kind="patent__kind",
         definition="开放许可声明：国家知识产权局公告之日计入 / Open-licence declarations, counted on the day the "
                    "office announces them"),
    Fact("transfer_deal_days", date="registered_at", duration=_days("created_at", "filed_at"),
         where=Q(registered_at__isnull=False, filed_at__isnull=False),
         definition="转让洽谈至提交变更登记的天数（发起交易至提交登记），按登记日计入 / Days from opening a transfer "
                    "to filing its change of holder, counted on the registration day", **_TRANSFER),
    Fact("transfer_registry_days", date="registered_at", duration=_days("filed_at", "registered_at"),
         where=Q(registered_at__isnull=False, filed_at__isnull=False),
         definition="转让变更登记审查天数（提交登记至登记），按登记日计入 / Days the register took from filing to "
                    "recording a transfer, counted on the registration day", **_TRANSFER),
    # -- pledge financing --------------------------------------------------------------------------------
    Fact("loan_applied", date="created_at", amount=F("amount_requested"),
         definition="质押融资申请：提交银行之日计入，金额为申请金额；城市、机构类型取出质人 / Pledge-loan "
                    "applications, counted on the day they reach the bank, at the amount asked; city and holder "
                    "type are the borrower's", **_LOAN),
    Fact("loan_approved", date="decided_at", amount=F("amount"), where=Q(decided_at__isnull=False, amount__isnull=False),
         definition="银行批准：审批之日计入，金额为批准金额 / Approvals, counted on the bank's decision day, at "
                    "the amount approved", **_LOAN),
    Fact("loan_rejected", date="decided_at", where=Q(decided_at__isnull=False, amount__isnull=True),
         definition="银行拒绝：审批之日计入 / Refusals, counted on the bank's decision day", **_LOAN),
    Fact("loan_disbursed", date="disbursed_on", amount=F("amount"), where=Q(disbursed_on__isnull=False),
         definition="放款：放款日计入，金额为批准金额 / Disbursements, counted on the disbursement day, at the "
                    "amount lent", **_LOAN),
    Fact("loan_ended", date="closed_at", amount=F("amount"), where=_ENDED_LOAN,
         definition="已放款贷款结案（结清注销或拍卖处置结案）：结案之日计入，金额为批准金额 / Disbursed loans "
                    "leaving the book (repaid and released, or settled by auction), on the closing day", **_LOAN),
    Fact("loan_registration_days", date="registered_at", duration=_days("created_at", "registered_at"),
         where=Q(registered_at__isnull=False),
         definition="申请至质押登记的天数，按登记日计入 / Days from application to the pledge's registration, "
                    "counted on the registration day", **_LOAN),
    Fact("loan_defaulted", date="defaulted_at", amount=F("amount"), where=Q(defaulted_at__isnull=False),
         definition="违约：银行宣布违约之日计入，金额为批准金额 / Defaults, counted on the day the bank declares "
                    "them, at the amount lent", **_LOAN),
    Fact("recovery", date="settled_at", amount=F("proceeds_to_creditor"), amount2=F("claim_amount"),
         where=Q(settled_at__isnull=False, creditor__isnull=False),
         definition="质押物拍卖回收：拍卖结算之日计入，金额为偿付债权人的价款，对比担保债权数额 / Recoveries "
                    "from auctions of pledged patents, on the settlement day: paid to the creditor against the "
                    "secured claim", **_AUCTION),
    # -- IP finance beyond one loan ------------------------------------------------------------------------
    Fact("risk_scheme", model="finance.RiskScheme", date="created_at",
         definition="风险分担方案：设立之日计入 / Risk-sharing schemes, counted on the day staff set them up"),
    Fact("risk_enrolled", model="finance.SchemeEnrolment", date="enrolled_at", amount=F("loan__amount"),
         city="loan__applicant__city", holder_type="loan__applicant__kind", bank="loan__bank_id",
         definition="纳入风险分担方案的质押贷款：纳入之日计入，金额为批准金额 / Pledge loans enrolled in a "
                    "risk-sharing scheme, on the day enrolled, at the amount approved"),
    Fact("risk_shared", model="finance.LossShare", date="enrolment__split_at", amount=F("paid"),
         where=Q(participant__isnull=False, enrolment__split_at__isnull=False),
         city="enrolment__loan__applicant__city", holder_type="enrolment__loan__applicant__kind",
         bank="enrolment__loan__bank_id",
         definition="风险分担赔付：损失分担之日计入，金额为各参与方实际赔付 / Loss shares paid to the banks by "
                    "the schemes' participants, on the day the loss was split"),
    Fact("receivable_pledged", model="finance.ReceivablePledge", date="registered_at", amount=F("secured_amount"),
         where=Q(registered_at__isnull=False), city="pledgor__city", holder_type="pledgor__kind", bank="bank_id",
         definition="应收账款（许可使用费）质押登记：登记之日计入，金额为被担保债权数额 / Pledges of licence "
                    "royalties, on the day registered, at the secured amount"),
    Fact("receivable_discharged", model="finance.ReceivablePledge", date="discharged_at",
         amount=F("secured_amount"), where=Q(discharged_at__isnull=False), city="pledgor__city",
         holder_type="pledgor__kind", bank="bank_id",
         definition="应收账款质押清偿注销：注销之日计入，金额为被担保债权数额 / Receivable pledges discharged, on "
                    "the day, at the secured amount"),
    Fact("pool_issued", model="finance.SecuritisationPool", date="issued_at", amount=F("size"),
         where=Q(issued_at__isnull=False), city="servicer__city",
         definition="知识产权证券化发行：发行之日计入，金额为各档次规模之和 / Securitisation pools issued, on the "
                    "day of issue, at the tranches' total size"),
    Fact("pool_distributed", model="finance.PoolPeriod", date="distributed_at", amount=F("collected"),
         city="pool__servicer__city",
         definition="证券化收益分配：分配之日计入，金额为当期回收的许可使用费 / Pool distributions, on the day, "
                    "at the royalties collected for the period"),
    # -- auctions ----------------------------------------------------------------------------------------
    Fact("auction_ended", date="closed_at", where=Q(closed_at__isnull=False),
         definition="拍卖结束的场次：竞价结束之日计入 / Auctions whose bidding ended, counted on that day",
         **_AUCTION),
    Fact("auction_sold", date="closed_at", amount=F("current_price"), amount2=F("reserve_price"),
         where=Q(closed_at__isnull=False, winning_bid__isnull=False),
         definition="拍卖成交：竞价结束之日计入，金额为成交价，对比保留价 / Auctions sold, counted on the day "
                    "bidding ended, at the hammer price against the reserve", **_AUCTION),
    # -- matching ----------------------------------------------------------------------------------------
    Fact("demand", model="matching.Demand", date="created_at", city="organisation__city",
         holder_type="organisation__kind", industry="industry",
         definition="技术需求：发布之日计入 / Technology demands, counted on the day they are posted"),
    Fact("proposal", model="matching.MatchProposal", date="created_at", city="demand__organisation__city",
         holder_type="demand__organisation__kind", industry="demand__industry",
         definition="匹配推荐：推荐之日计入 / Proposals of a listing for a demand, counted on the day made"),
    Fact("proposal_deal", model="matching.MatchProposal", date="deal__created_at", where=Q(deal__isnull=False),
         city="demand__organisation__city", holder_type="demand__organisation__kind", industry="demand__industry",
         definition="推荐转化为交易：由推荐发起的交易创建之日计入 / Proposals that became a deal, counted on the "
                    "day the deal was opened"),
]}
