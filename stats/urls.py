from django.urls import path

from . import api

app_name = "stats-api"

urlpatterns = [
    path("indicators/", api.IndicatorListView.as_view(), name="indicators"),
    path("indicators/<slug:key>/", api.IndicatorView.as_view(), name="indicator"),
    path("indicators/<slug:key>/export/", api.IndicatorExportView.as_view(), name="export"),
    path("price-index/", api.PriceIndexView.as_view(), name="price-index"),
    path("royalties/", api.RoyaltyView.as_view(), name="royalties"),
]
