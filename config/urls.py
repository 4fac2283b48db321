from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets style attributes as it renders: inline styles (never scripts) are allowed on that page only.
    path("api/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("api/v1/search/", include("search.urls")),
    path("api/v1/valuations/", include("valuation.urls")),
    path("api/v1/notifications/", include("notifications.urls")),
    path("api/v1/stats/", include("stats.urls")),
    path("api/v1/finance/", include("finance.urls")),
    path("api/v1/", include("matching.api.urls")),  # demands, proposals, saved-searches
    path("api/v1/", include("market.api.urls")),
    path("", include("market.urls")),
    path("", include("stats.web_urls")),
    path("", include("frontend.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "config.error_pages.bad_request"
handler403 = "config.error_pages.forbidden"
handler404 = "config.error_pages.not_found"
handler500 = "config.error_pages.server_error"
