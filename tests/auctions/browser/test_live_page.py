"""The public auction page in a real browser: htmx polling shows a new bid and the extended end time."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from market.auctions.models import Auction

from ..conftest import bid, deposit, fresh

pytestmark = pytest.mark.browser


def test_anyone_watching_sees_the_new_price_and_the_extended_end(live_server, page, auction, bidders, settings):
    deposit(auction, bidders[0])
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() + dt.timedelta(minutes=2))
    page.goto(f"{live_server.url}/auctions/{auction.pk}/")
    expect(page.locator("#auction-live .price")).to_have_text("¥200,000.00")  # the reserve, no bid yet

    placed = bid(auction, bidders[0], "260000")  # a bid in the last 5 minutes, made elsewhere
    expect(page.locator("#auction-live .price")).to_have_text("¥260,000.00", timeout=8000)
    ends = timezone.localtime(fresh(auction).ends_at)
    assert ends == timezone.localtime(placed.at + dt.timedelta(minutes=5))
    expect(page.locator("#auction-live .ends-at")).to_contain_text(f"{ends:%Y-%m-%d %H:%M:%S}")
    expect(page.locator("#auction-live")).to_contain_text(re.compile("已延时 1 次"))
