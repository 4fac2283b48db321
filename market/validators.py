"""Validators for the identifiers of the register: credit codes and application numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the alphabet of the unified social credit code (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
APPLICATION_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
APPLICATION_RE = re.compile(r"^(?:ZL|CN)?(\d{4})([12389])(\d{7})\.?([\dX])$")
KIND_DIGITS = {"1": "invention", "2": "utility_model", "3": "design", "8": "invention", "9": "utility_model"}


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code computed from the first 17."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Raise ValidationError unless ``value`` is a valid 18-character unified social credit code."""
    code = (value or "").strip().upper()
    if len(code) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in code):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母（不含I、O、S、V、Z）组成 / "
              "A unified social credit code has 18 characters: digits and capital letters except I, O, S, V, Z"),
            code="credit_code_format",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：应为 %(expected)s，实为 %(got)s / "
              "Wrong check character in the unified social credit code: expected %(expected)s, got %(got)s"),
            code="credit_code_check",
            params={"expected": expected, "got": code[17]},
        )


def application_check_digit(twelve_digits: str) -> str:
    """Check digit of a CNIPA application number (post-2003) from its 12 digits."""
    value = sum(int(d) * w for d, w in zip(twelve_digits, APPLICATION_WEIGHTS, strict=True)) % 11
    return "X" if value == 10 else str(value)


def normalise_application_number(value: str) -> str:
    """Canonical form ``YYYYKNNNNNNN.C`` (upper-case, no ZL/CN prefix); raises ValidationError."""
    raw = (value or "").strip().upper().replace(" ", "")
    match = APPLICATION_RE.match(raw)
    if not match:
        raise ValidationError(
            _("申请号格式应为 年份(4位)+类型(1位)+流水号(7位)+.+校验位，如 2021100000001.X / "
              "An application number is year, kind digit, 7-digit serial, '.', check digit"),
            code="application_number_format",
        )
    year, kind, serial, check = match.groups()
    expected = application_check_digit(year + kind + serial)
    if check != expected:
        raise ValidationError(
            _("申请号校验位错误：应为 %(expected)s，实为 %(got)s / "
              "Wrong check digit in the application number: expected %(expected)s, got %(got)s"),
            code="application_number_check",
            params={"expected": expected, "got": check},
        )
    return f"{year}{kind}{serial}.{check}"


def validate_application_number(value: str) -> None:
    """Raise ValidationError unless ``value`` is a valid application number."""
    normalise_application_number(value)


def kind_from_application_number(number: str) -> str:
    """The patent kind a canonical application number encodes (invention, utility_model, design)."""
    return KIND_DIGITS[number[4]]


TRADEMARK_NUMBER_RE = re.compile(r"^(?:第)?0*(\d{1,10})(?:号)?$")


def normalise_trademark_number(value: str) -> str:
    """A trademark's registration number (the trademark office's one number for application and registration):
    its digits, without a 第…号 or leading zeros; raises ValidationError."""
    match = TRADEMARK_NUMBER_RE.match((value or "").strip().replace(" ", ""))
    if not match:
        raise ValidationError(_("商标注册号应为1至10位数字，如 12345678 / "
                                "A trademark registration number has 1 to 10 digits, e.g. 12345678"),
                              code="trademark_number_format")
    return match.group(1)


def normalise_register_number(value: str) -> str:
    """A patent application number or a trademark registration number, canonical; raises ValidationError."""
    raw = (value or "").strip()
    return normalise_trademark_number(raw) if TRADEMARK_NUMBER_RE.match(raw.replace(" ", "")) else \
        normalise_application_number(raw)
