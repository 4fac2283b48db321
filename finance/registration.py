"""How finance plugs into the core (market/extensions.py): who takes a licence's royalties, its documents and
who sees them, what the ledger check also checks."""

from django.db.models import Q

from market.extensions import (
    register_document,
    register_document_visibility,
    register_issuer,
    register_ledger_check,
    register_royalty_claims,
)
from market.models import DocumentKind, User

from . import pools, receivable_pledges
from .documents import distribution_context, issue_context, pledge_context
from .models import PoolPeriod, ReceivablePledge, ReceivablePledgeState, SecuritisationPool


def finance_documents_q(user: User) -> Q:
    """A condition on Document: the documents of the pledges and pools (and their periods) ``user`` sees."""
    pools_seen = pools.pools_visible_to(user).values("pk")
    return (Q(deal_type__app_label="finance", deal_type__model="receivablepledge",
              deal_id__in=receivable_pledges.pledges_visible_to(user).values("pk"))
            | Q(deal_type__app_label="finance", deal_type__model="securitisationpool", deal_id__in=pools_seen)
            | Q(deal_type__app_label="finance", deal_type__model="poolperiod",
                deal_id__in=PoolPeriod.objects.filter(pool__in=pools_seen).values("pk")))


def register() -> None:
    register_royalty_claims(receivable_pledges.royalty_claims)
    register_royalty_claims(pools.royalty_claims)
    register_issuer(ReceivablePledge, "YS")
    register_issuer(SecuritisationPool, "ZQ")
    register_issuer(PoolPeriod, "FP")
    register_document(DocumentKind.RECEIVABLE_PLEDGE, code="YD", template="finance/documents/receivable_pledge.html",
                      builder=pledge_context, issued_by={ReceivablePledge: (ReceivablePledgeState.REGISTERED,
                                                                            ReceivablePledgeState.DISCHARGED)})
    register_document(DocumentKind.POOL_ISSUE, code="FX", template="finance/documents/pool_issue.html",
                      builder=issue_context, issued_by={SecuritisationPool: None})
    register_document(DocumentKind.POOL_DISTRIBUTION, code="FB", template="finance/documents/pool_distribution.html",
                      builder=distribution_context, issued_by={PoolPeriod: None})
    register_document_visibility(finance_documents_q)
    register_ledger_check(receivable_pledges.receivable_ledger_problems)
    register_ledger_check(pools.pool_ledger_problems)
