from django.urls import path

from .views import auth, deals, holder, public, staff

app_name = "frontend"
urlpatterns = [
    path("", public.search, name="home"),
    path("search/", public.search, name="search"),
    path("listings/<int:pk>/", public.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/offer/", deals.listing_offer, name="listing_offer"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/documents/", deals.deal_documents_fragment, name="deal_documents"),
    path("deals/<int:pk>/actions/<slug:action>/", deals.deal_action, name="deal_action"),
    path("me/", holder.workspace, name="workspace"),
    path("me/listings/new/", holder.listing_create, name="listing_create"),
    path("me/listings/<int:pk>/submit/", holder.listing_submit, name="listing_submit"),
    path("me/listings/<int:pk>/withdraw/", holder.listing_withdraw, name="listing_withdraw"),
    path("staff/listings/", staff.staff_queue, name="staff_queue"),
    path("staff/listings/<int:pk>/publish/", staff.listing_publish, name="staff_listing_publish"),
    path("staff/listings/<int:pk>/reject/", staff.listing_reject, name="staff_listing_reject"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
]
