"""Money: CNY as Decimal with 2 places, one rounding rule for the whole product."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cny(value: Decimal | int | str | float | None) -> Decimal:
    """Return ``value`` as CNY: a Decimal rounded half-up to 2 places (None counts as 0).

    Floats are converted through ``str`` so that SQLite aggregates (which come back as floats)
    round to the cent they meant.
    """
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_cny(value: Decimal) -> str:
    """Human form used in documents and pages: ¥1,234,567.00."""
    return f"¥{cny(value):,.2f}"


def split(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` split by ``weights``, each part rounded to the fen, the last taking what is left
    (so the parts always add up to the amount)."""
    total, amount = sum(weights, ZERO), cny(amount)
    parts, left = [], amount
    for index, weight in enumerate(weights):
        part = left if index == len(weights) - 1 else cny(amount * weight / total)
        parts.append(part)
        left -= part
    return parts
