"""The demo's demands and proposal: created once, through the services; a second run adds nothing."""

from market.demo.accounts import DEMO_ORGANISATIONS
from market.models import Listing, ListingMode, OrganisationKind, TransitionLog
from market.regions import City
from matching.demo import DEMO_DEMANDS, seed_matching_demo
from matching.models import Demand, MatchProposal

from ..factories import OrganisationFactory, UserFactory
from .conftest import listing_of


def test_the_demo_demands_and_proposal_are_seeded_once(backend):
    names = {o.key: o.name for o in DEMO_ORGANISATIONS}
    buyer = UserFactory(username="buyer", organisation=OrganisationFactory(name=names["nb_buyer"], city=City.NINGBO))
    OrganisationFactory(name=names["tz_machinery"], city=City.TAIZHOU)
    staff = UserFactory(username="staff", organisation=OrganisationFactory(name=names["centre"],
                                                                           kind=OrganisationKind.TRADING_CENTRE))
    holder = UserFactory(organisation=OrganisationFactory(name=names["nb_materials"], city=City.NINGBO))
    cathode = listing_of(holder, "一种高镍正极材料的液相法磷元素掺杂改性制备方法", "高镍正极材料，循环稳定性好。", "H01M4/525",
                         ListingMode.LICENCE, "50000.00")
    backend.index_listings(Listing.objects.all())

    assert seed_matching_demo() == (3, 1)
    assert seed_matching_demo() == (0, 0)

    assert [d.title for d in Demand.objects.order_by("pk")] == [d.title for d in DEMO_DEMANDS]
    on_behalf = Demand.objects.get(title="洗衣机排水阀与衣物处理控制技术")
    assert (on_behalf.organisation.name, on_behalf.created_by) == (names["tz_machinery"], staff)
    proposal = MatchProposal.objects.get()
    assert (proposal.demand.created_by, proposal.listing, proposal.proposed_by) == (buyer, cathode, staff)
    assert TransitionLog.objects.filter(transition="create").count() == 3
