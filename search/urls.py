from django.urls import path

from .api import ListingSearchView

app_name = "search"
urlpatterns = [
    path("listings/", ListingSearchView.as_view(), name="listings"),
]
