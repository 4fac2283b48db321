"""The licensing row locks, in the global order of market/locks.py: declaration or contract (a deal), then
licence, then royalty period."""

from .models import Licence, LicenceContract, OpenLicenceDeclaration, RoyaltyPeriod


def open_licence_declaration(declaration_id: int) -> OpenLicenceDeclaration:
    return OpenLicenceDeclaration.objects.select_for_update(of=("self",)).select_related("patent", "holder").get(
        pk=declaration_id)

def licence_contract(contract_id: int) -> LicenceContract:
    return LicenceContract.objects.select_for_update(of=("self",)).select_related(
        "patent", "licensor", "licensee").get(pk=contract_id)

def licence(licence_id: int) -> Licence:
    return Licence.objects.select_for_update(of=("self",)).select_related("patent", "licensor", "licensee").get(
        pk=licence_id)

def royalty_period(period_id: int) -> RoyaltyPeriod:
    return RoyaltyPeriod.objects.select_for_update().get(pk=period_id)
