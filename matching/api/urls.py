"""Included at api/v1/ before market's API (config/urls.py); a SimpleRouter adds no root view to shadow market's."""

from rest_framework.routers import SimpleRouter

from . import views

app_name = "matching-api"

router = SimpleRouter()
router.register("demands", views.DemandViewSet, basename="demand")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("saved-searches", views.SavedSearchViewSet, basename="saved-search")
urlpatterns = router.urls
