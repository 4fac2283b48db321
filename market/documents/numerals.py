"""Amounts in Chinese capital numerals (大写金额), as contracts and cheques write them."""

from decimal import Decimal

from market.money import cny

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))


def _below_10000(n: int) -> str:
    """1..9999 with inner zeros collapsed to one 零 and trailing zeros dropped (1010 → 壹仟零壹拾)."""
    out, zero = "", False
    for place, unit in PLACES:
        digit = n // place % 10
        if digit:
            out += ("零" if zero else "") + DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def _integer(n: int) -> str:
    """A positive integer: groups of 亿 and 万, a 零 where a group's leading digits are zero."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            text = _integer(high) + unit
            if low:
                text += ("零" if low < size // 10 else "") + _integer(low)
            return text
    return _below_10000(n)


def rmb_upper(amount: Decimal | int | str) -> str:
    """CNY amount in capital numerals: 500000.00 → 人民币伍拾万元整, 1680.32 → 人民币壹仟陆佰捌拾元叁角贰分.

    Rounded half-up to the fen first (``market.money.cny``); 整 ends an amount without fen.
    """
    value = cny(amount)
    if value < 0:
        raise ValueError("金额不能为负数 / The amount cannot be negative")
    fen_total = int(value * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if fen_total == 0:
        return "人民币零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan and fen:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return "人民币" + text
