from market.validators import normalise_application_number, validate_credit_code

from ..factories import ListingFactory


def test_factories_build_valid_identifiers(db):
    listing = ListingFactory()
    patent = listing.patents.get()
    assert normalise_application_number(patent.application_number) == patent.application_number
    validate_credit_code(listing.organisation.credit_code)
    assert patent.ownerships.get().organisation == listing.organisation
    assert patent.industry == "new_materials"
