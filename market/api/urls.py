from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("patents", views.PatentViewSet, basename="patent")
router.register("listings", views.ListingViewSet, basename="listing")
router.register("deals", views.DealViewSet, basename="deal")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("documents", views.DocumentViewSet, basename="document")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("", include(router.urls)),
]
