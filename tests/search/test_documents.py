"""Index documents built from the database's rows (search.documents)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.models import Listing, ListingMode, ListingState, PatentKind
from search.documents import documents, documents_for, listing_document

pytestmark = pytest.mark.django_db


def test_a_package_document_holds_its_patents_and_every_holder(shared_catalogue):
    catalogue, _ = shared_catalogue
    package = catalogue.named["专利包"]
    [document] = documents_for([package])
    storage, cleaner = catalogue.patents(package)
    assert document.listing_id == package.pk
    assert document.holder == package.organisation.name and document.city == package.organisation.city
    assert [p.number for p in document.patents] == [storage.patent_number, cleaner.patent_number]
    # The co-owned utility model's holders in register order; the listing's own holder first among all names.
    assert document.patents[0].holders == ("宁波甬港机械有限公司", "温州鹿城装备有限公司")
    assert document.holder_names == ["宁波甬港机械有限公司", "温州鹿城装备有限公司"]
    assert document.kinds == [PatentKind.UTILITY_MODEL, PatentKind.INVENTION]
    # The listing lasts as long as its shortest-lived patent: the utility model's 10 years from 2024-02-01.
    assert document.expiry_date == dt.date(2034, 1, 31) == storage.expiry_date
    assert document.ipc_codes == ["H01M50/20", "H02S40/10"]
    assert document.royalty is None  # not an open licence


def test_only_published_listings_have_documents_unless_any_state_is_asked(shared_catalogue):
    catalogue, _ = shared_catalogue
    hidden = catalogue.hidden[0]
    assert hidden.state == ListingState.DRAFT
    assert documents_for([hidden, catalogue.named["专利包"]])[0].listing_id == catalogue.named["专利包"].pk
    assert len(documents_for([hidden])) == 0
    assert listing_document(hidden.pk).title == hidden.title  # similar listings of a draft
    with pytest.raises(Listing.DoesNotExist):
        listing_document(0)


def test_documents_cost_the_same_few_queries_for_any_number_of_listings(shared_catalogue):
    catalogue, _ = shared_catalogue
    counts = {}
    for n in (2, 30):
        listings = catalogue.listings[:n]
        with CaptureQueriesContext(connection) as queries:
            documents(Listing.objects.filter(pk__in=[listing.pk for listing in listings]))
        counts[n] = (len(queries), any(listing.mode == ListingMode.OPEN_LICENCE for listing in listings))
    # Listings, their patents' ids, the patents, their holders; and the open licences' declarations.
    assert counts == {2: (4, False), 30: (5, True)}
    # Every published listing's, in id order; none of the unpublished ones'.
    assert [d.listing_id for d in documents(Listing.objects.all())] == sorted(x.pk for x in catalogue.listings)
