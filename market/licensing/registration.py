"""How licensing plugs into the core: its documents, who sees them, its tasks, the listings' royalties."""

from market.extensions import (
    providers,
    register_document,
    register_document_visibility,
    register_issuer,
    register_listing_parties,
)
from market.models import DocumentKind

from . import tasks  # noqa: F401  (registers the tasks with Celery)
from .documents import declaration_context, licence_contract_context, licence_notice_context, licence_record_context
from .models import (
    CONTRACT_IN_EFFECT,
    Licence,
    LicenceContract,
    LicenceContractState,
    LicenceState,
    OpenLicenceDeclaration,
    OpenLicenceState,
)
from .selectors import licensing_documents_q
from .services.open_licences import listing_royalties


def register() -> None:
    register_issuer(OpenLicenceDeclaration, "KF")
    register_issuer(Licence, "XK")
    register_issuer(LicenceContract, "SS")
    register_document(DocumentKind.OPEN_LICENCE_DECLARATION, code="KS",
                      template="market/documents/open_licence_declaration.html", builder=declaration_context,
                      issued_by={OpenLicenceDeclaration: (OpenLicenceState.PUBLISHED, OpenLicenceState.WITHDRAWN)})
    register_document(DocumentKind.LICENCE_NOTICE, code="TZ", template="market/documents/licence_notice.html",
                      builder=licence_notice_context, issued_by={Licence: tuple(LicenceState)})
    register_document(DocumentKind.LICENCE_RECORD, code="BA", template="market/documents/licence_record.html",
                      builder=licence_record_context, issued_by={
                          Licence: tuple(LicenceState),
                          LicenceContract: (LicenceContractState.FILED, LicenceContractState.RECORDED,
                                            LicenceContractState.EXPIRED, LicenceContractState.TERMINATED)})
    register_document(DocumentKind.LICENCE_CONTRACT, code="XY", template="market/documents/licence_contract.html",
                      builder=licence_contract_context, issued_by={LicenceContract: (
                          LicenceContractState.SIGNED, *CONTRACT_IN_EFFECT, LicenceContractState.EXPIRED,
                          LicenceContractState.TERMINATED)})
    register_document_visibility(licensing_documents_q)
    register_listing_parties(lambda org_id: LicenceContract.objects.filter(licensee_id=org_id,
                                                                           listing__isnull=False).values("listing_id"))
    providers.listing_royalties = listing_royalties
