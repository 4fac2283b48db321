"""The cockpit page: public, linked from the home page; staff get the bank and holder panels, a bank its own book."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_links_the_public_cockpit(client):
    assert 'href="/stats/"' in client.get("/").content.decode()
    page = client.get("/stats/").content.decode()
    assert "知识产权统计驾驶舱" in page and "chart-map" in page and "vendor/echarts.min.js" in page
    assert "chart-bank" not in page and 'id="own"' not in page


def test_staff_see_the_bank_and_holder_panels(client, staff):
    client.force_login(staff)
    page = client.get("/stats/").content.decode()
    assert "chart-bank" in page and "chart-holder_type" in page


def test_a_bank_may_compare_its_own_book(client, bank_officer):
    client.force_login(bank_officer)
    page = client.get("/stats/").content.decode()
    assert 'id="own"' in page and "chart-bank" not in page


def test_the_english_page_is_english(client):
    client.cookies["django_language"] = "en"
    page = client.get("/stats/").content.decode()
    assert "Transfers and licences (count)" in page
    assert "转让与许可" not in page
