"""Deterministic demo identifiers: stable hashes, credit codes, application numbers, city and kind guesses.

Everything here is a pure function of its input, so the same record always gets the same
made-up values, on every machine and every run.
"""

import datetime as dt
import hashlib
import re

from market.models import OrganisationKind, PatentKind
from market.regions import City
from market.validators import CREDIT_CODE_ALPHABET, application_check_digit, credit_code_check_char

KIND_DIGITS = {PatentKind.INVENTION: "1", PatentKind.UTILITY_MODEL: "2", PatentKind.DESIGN: "3"}

# Place names in an applicant's name → city. Specific places first; 浙江 alone means the capital.
CITY_HINTS: tuple[tuple[str, str], ...] = (
    ("宁波", City.NINGBO), ("余姚", City.NINGBO), ("慈溪", City.NINGBO), ("北仑", City.NINGBO),
    ("温州", City.WENZHOU), ("乐清", City.WENZHOU), ("瑞安", City.WENZHOU),
    ("嘉兴", City.JIAXING), ("海宁", City.JIAXING), ("桐乡", City.JIAXING), ("平湖", City.JIAXING),
    ("湖州", City.HUZHOU), ("德清", City.HUZHOU), ("安吉", City.HUZHOU),
    ("绍兴", City.SHAOXING), ("诸暨", City.SHAOXING), ("上虞", City.SHAOXING),
    ("金华", City.JINHUA), ("义乌", City.JINHUA), ("永康", City.JINHUA), ("东阳", City.JINHUA),
    ("衢州", City.QUZHOU), ("舟山", City.ZHOUSHAN),
    ("台州", City.TAIZHOU), ("温岭", City.TAIZHOU), ("临海", City.TAIZHOU),
    ("丽水", City.LISHUI),
    ("杭州", City.HANGZHOU), ("萧山", City.HANGZHOU), ("余杭", City.HANGZHOU), ("浙江", City.HANGZHOU),
)

ORG_MARKERS = ("公司", "大学", "学院", "学校", "研究", "院", "所", "中心", "集团", "医院", "科技", "厂", "局",
               "银行", "协会", "委员会", "站", "部", "社", "馆", "实验室", "株式会社", "Inc", "GmbH", "Ltd", "LLC")
FOREIGN_RE = re.compile(r"株式会社|\b(inc|gmbh|llc|ltd|corporation|corp|ag|sa|bv)\b\.?", re.IGNORECASE)


def stable_int(key: str, purpose: str) -> int:
    """A 64-bit integer fixed by ``key`` and ``purpose`` (SHA-256; independent of PYTHONHASHSEED)."""
    digest = hashlib.sha256(f"{purpose}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def pick(key: str, purpose: str, choices):
    """One of ``choices``, chosen by the stable hash of ``key``."""
    return choices[stable_int(key, purpose) % len(choices)]


def days_after(start: dt.date, key: str, purpose: str, low: int, high: int) -> dt.date:
    """``start`` plus a stable number of days in [low, high]."""
    return start + dt.timedelta(days=low + stable_int(key, purpose) % (high - low + 1))


def publication_weekday(day: dt.date) -> dt.date:
    """The next Tuesday or Friday on or after ``day`` (CNIPA publishes on those days)."""
    while day.weekday() not in (1, 4):
        day += dt.timedelta(days=1)
    return day


def application_number(key: str, *, year: int, kind: str, attempt: int = 0) -> str:
    """A made-up CNIPA application number with a valid check digit, e.g. ``2019113456789.3``.

    ``attempt`` > 0 gives the alternatives used when the first number is taken by another patent.
    """
    serial = 1_000_000 + stable_int(key, f"application-number:{attempt}") % 9_000_000
    twelve = f"{year:04d}{KIND_DIGITS[kind]}{serial:07d}"
    return f"{twelve}.{application_check_digit(twelve)}"


def guess_city(name: str) -> str:
    """The Zhejiang city a place name in ``name`` points to, else ``City.OTHER``."""
    for hint, city in CITY_HINTS:
        if hint in name:
            return str(city)
    return str(City.OTHER)


def guess_kind(name: str) -> str:
    """Organisation kind from the words of its name (大学/学院 → university, 研究院/所 → institute, ...)."""
    if "银行" in name:
        return OrganisationKind.BANK
    if "有限公司" in name or "股份" in name or "集团" in name:
        return OrganisationKind.ENTERPRISE
    if "研究院" in name or "研究所" in name or "科学院" in name or "实验室" in name:
        return OrganisationKind.RESEARCH_INSTITUTE
    if "大学" in name or "学院" in name:
        return OrganisationKind.UNIVERSITY
    return OrganisationKind.ENTERPRISE


def looks_like_person(name: str) -> bool:
    """True for a short name without any organisation word (an individual applicant, e.g. 张伟)."""
    return len(name) <= 4 and not any(marker in name for marker in ORG_MARKERS)


def looks_foreign(name: str) -> bool:
    return bool(FOREIGN_RE.search(name))


def credit_code(name: str, *, kind: str, city: str) -> str:
    """A made-up but valid unified social credit code (GB 32100-2015) fixed by ``name``.

    Department and category follow the kind (91 enterprise, 12 public institution), the area code
    follows the city (3301 → 330100; other provinces 000000), the organisation code is a hash.
    """
    prefix = "12" if kind in (OrganisationKind.UNIVERSITY, OrganisationKind.RESEARCH_INSTITUTE) else "91"
    area = f"{city}00"  # City.OTHER is 0000
    value = stable_int(name, "credit-code")
    body = ""
    for _ in range(9):
        body += CREDIT_CODE_ALPHABET[value % 31]
        value //= 31
    first17 = prefix + area + body
    return first17 + credit_code_check_char(first17)
