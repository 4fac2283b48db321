"""The API's routes: the core's resources and each flow's (this module wires them; it is no part of the core)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from market.auctions.api import AuctionViewSet
from market.licensing.api import views as licensing
from market.pledges import api as pledges
from market.transfers.api import DealViewSet

from . import organisations, register, views
from .abandonments import AbandonmentViewSet
from .auth import TokenLoginView, TokenLogoutAllView, TokenLogoutView

app_name = "api"

router = DefaultRouter()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("users", organisations.UserViewSet, basename="user")
router.register("invitations", organisations.InvitationViewSet, basename="invitation")
router.register("patents", views.PatentViewSet, basename="patent")
router.register("claims", register.ClaimViewSet, basename="claim")
router.register("abandonments", AbandonmentViewSet, basename="abandonment")
router.register("listings", views.ListingViewSet, basename="listing")
router.register("deals", DealViewSet, basename="deal")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("auctions", AuctionViewSet, basename="auction")
router.register("open-licences", licensing.OpenLicenceViewSet, basename="open-licence")
router.register("licences", licensing.LicenceViewSet, basename="licence")
router.register("licence-contracts", licensing.LicenceContractViewSet, basename="licence-contract")
router.register("annual-fees", licensing.AnnualFeeViewSet, basename="annual-fee")
router.register("pledge-loans", pledges.PledgeLoanViewSet, basename="pledge-loan")
router.register("pledge-filings", pledges.PledgeFilingViewSet, basename="pledge-filing")
router.register("pledge-alerts", pledges.PledgeAlertViewSet, basename="pledge-alert")

urlpatterns = [
    path("auth/token/", TokenLoginView.as_view(), name="token"),
    path("auth/logout/", TokenLogoutView.as_view(), name="logout"),
    path("auth/logoutall/", TokenLogoutAllView.as_view(), name="logoutall"),
    path("", include(router.urls)),
]
