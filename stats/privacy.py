"""The one disclosure rule of published prices: a cell rests on at least 5 deals from at least 3 sellers.

Fewer deals, or deals of one or two sellers, would let a reader work out a single organisation's price;
such a cell is shown as suppressed, never as a number.
"""

MIN_DEALS = 5
MIN_SELLERS = 3


def publishable(deals: int, sellers: int) -> bool:
    return deals >= MIN_DEALS and sellers >= MIN_SELLERS
