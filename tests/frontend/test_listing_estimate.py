from ..factories import ListingFactory


def test_listing_page_shows_the_quick_estimate_and_ratio_only_to_banks(client, holder, bank_officer):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder)
    page = client.get(f"/listings/{listing.pk}/").content.decode()
    assert "价值快速估算" in page and "P10 / P50 / P90" in page and "评分理由" in page
    assert "建议质押率" not in page
    client.force_login(bank_officer)
    page = client.get(f"/listings/{listing.pk}/").content.decode()
    assert "建议质押率" in page and "%</strong>" in page
