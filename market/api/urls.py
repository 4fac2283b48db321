from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import auctions, licences, pledges, views
from .abandonments import AbandonmentViewSet

app_name = "api"

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("patents", views.PatentViewSet, basename="patent")
router.register("abandonments", AbandonmentViewSet, basename="abandonment")
router.register("listings", views.ListingViewSet, basename="listing")
router.register("deals", views.DealViewSet, basename="deal")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("auctions", auctions.AuctionViewSet, basename="auction")
router.register("open-licences", licences.OpenLicenceViewSet, basename="open-licence")
router.register("licences", licences.LicenceViewSet, basename="licence")
router.register("licence-contracts", licences.LicenceContractViewSet, basename="licence-contract")
router.register("annual-fees", licences.AnnualFeeViewSet, basename="annual-fee")
router.register("pledge-loans", pledges.PledgeLoanViewSet, basename="pledge-loan")
router.register("pledge-filings", pledges.PledgeFilingViewSet, basename="pledge-filing")
router.register("pledge-alerts", pledges.PledgeAlertViewSet, basename="pledge-alert")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("", include(router.urls)),
]
