from django.urls import path

from . import views

app_name = "market"
urlpatterns = [
    path("verify/", views.verify_index, name="verify_index"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("documents/<str:number>/download/", views.document_download, name="document_download"),
    path("marks/<int:pk>/image/", views.mark_image, name="mark_image"),
]
