from django.apps import AppConfig


class ValuationConfig(AppConfig):
    name = "valuation"
    verbose_name = "价值评估 Valuation"

    def ready(self):
        from market.extensions import register_document, register_document_visibility, register_issuer
        from market.models import DocumentKind

        from .models import Valuation
        from .report import report_document_context
        from .selectors import valuation_documents_q

        register_issuer(Valuation, "PG")
        register_document(DocumentKind.VALUATION_REPORT, code="BGS", template="valuation/report.html",
                          builder=report_document_context, issued_by={Valuation: None})
        register_document_visibility(valuation_documents_q)
