"""Included at api/v1/valuations/ (config/urls.py): the router's routes sit at the include's root."""

from rest_framework.routers import SimpleRouter

from .api import ValuationViewSet

app_name = "valuation"

router = SimpleRouter()
router.register("", ValuationViewSet, basename="valuation")
urlpatterns = router.urls
