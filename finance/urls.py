"""Included at api/v1/finance/ (config/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import api

app_name = "finance-api"

router = SimpleRouter()
router.register("receivable-pledges", api.ReceivablePledgeViewSet, basename="receivable-pledge")
router.register("pools", api.PoolViewSet, basename="pool")
router.register("risk-schemes", api.RiskSchemeViewSet, basename="risk-scheme")
router.register("loss-shares", api.LossShareViewSet, basename="loss-share")
urlpatterns = router.urls
