"""Who may do what to a demand; shared by the demand and proposal services."""

from market.models import User
from market.services.errors import ActionForbidden

from ..models import Demand


def require_staff(actor: User) -> None:
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以执行此操作 / Only trading-centre staff may do this")


def require_manager(demand: Demand, actor: User) -> None:
    """The demand's own organisation, or staff, may change it."""
    if not (actor.is_centre_staff or (actor.organisation_id and actor.organisation_id == demand.organisation_id)):
        raise ActionForbidden("只有需求方或交易中心工作人员可以执行此操作 / "
                              "Only the demand's organisation or trading-centre staff may do this")
