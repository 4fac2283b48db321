from django.contrib import admin

from .models import Valuation, WeightsVersion


@admin.register(WeightsVersion)
class WeightsVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "note", "created_at"]
    readonly_fields = ["version", "weights", "created_at"]


@admin.register(Valuation)
class ValuationAdmin(admin.ModelAdmin):
    """Read-only: valuations are written by valuation.services only."""

    list_display = ["id", "patent", "method", "source", "score", "p10", "p50", "p90", "pledge_ratio",
                    "requested_by_organisation", "signed_off_organisation", "created_at"]
    list_filter = ["method", "source", "weights_version"]
    search_fields = ["patent__application_number", "patent__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
