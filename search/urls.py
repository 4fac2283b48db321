from django.urls import path

from .api import ListingSearchView, SimilarListingsView, SuggestView

app_name = "search"
urlpatterns = [
    path("listings/", ListingSearchView.as_view(), name="listings"),
    path("listings/<int:pk>/similar/", SimilarListingsView.as_view(), name="similar"),
    path("suggest/", SuggestView.as_view(), name="suggest"),
]
