"""The demo's registered trademarks: GENERATED (no source of real Chinese trademark records with a licence that
allows shipping them was found in the package registries), every record marked ``demo`` (its fields listed in
``demo_generated_fields`` as ``*``) and its holder a demo organisation. The goods and their similar-group codes
follow the similar-goods table's structure; the mark texts are invented.

Through the same paths as real data: the register's importer (market/register/trademarks.py), the holders'
claims, listings through the listing services. Idempotent, like the rest of seed_demo.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from market.models import Listing, ListingMode, Organisation, Patent, PatentKind, User
from market.register.claims import claim_submit
from market.register.trademarks import trademark_import
from market.services import listings as listing_services

from .accounts import DEMO_ACCOUNTS

SOURCE = "demo trademarks (market/demo/trademarks.py)"
DEMO_LISTING_NOTE = "【演示挂牌】商标及其登记信息为生成的演示数据。"

# number, text, holder key, years since registration, goods (group, name)
MARKS = (
    ("61000001", "云栖智联", "hz_tech", 4, (("0901", "计算机程序（可下载软件）"), ("0907", "通讯设备"))),
    ("61000002", "云栖智联", "hz_tech", 4, (("0901", "计算机软件（已录制）"), ("4220", "云计算"))),
    ("61000003", "甬仑新材", "nb_materials", 7, (("0102", "工业用化学品"), ("0104", "未加工合成树脂"))),
    ("61000004", "瓯江电气", "wz_electric", 9, (("0913", "配电箱（电）"), ("0913", "断路器"))),
    ("61000005", "瓯江", "wz_electric", 9, (("0913", "电开关"),)),
    ("61000006", "越州本草", "sx_pharma", 6, (("0501", "中药成药"), ("0501", "医用营养品"))),
    ("61000007", "越州本草", "sx_pharma", 6, (("3001", "茶"), ("3002", "蜂蜜"))),
    ("61000008", "椒江匠心", "tz_machinery", 3, (("0742", "机床"), ("0750", "电动工具"))),
    ("61000009", "南湖禾能", "jx_energy", 10, (("0922", "蓄电池"), ("0922", "太阳能电池"))),
    ("61000010", "婺城智造", "jh_equipment", 2, (("0705", "工业机器人"),)),
)
MODE_WORDS = {ListingMode.TRANSFER: "转让", ListingMode.LICENCE: "使用许可", ListingMode.PLEDGE: "质押融资"}
# (mark numbers, mode, asking price) listed by their holder
LISTINGS = (
    # identical marks sharing a similar group (0901): transferred together (Trademark Law art. 42)
    (("61000001", "61000002"), ListingMode.TRANSFER, Decimal("1200000.00")),
    (("61000006",), ListingMode.LICENCE, Decimal("80000.00")),
    (("61000003",), ListingMode.PLEDGE, Decimal("2000000.00")),
    (("61000008",), ListingMode.TRANSFER, Decimal("300000.00")),
)


def _records(organisations: dict[str, Organisation], today: dt.date) -> list[dict]:
    records = []
    for number, text, holder, years, goods in MARKS:
        registered = today - relativedelta(years=years, days=int(number[-2:]) * 11)
        org = organisations[holder]
        records.append({
            "registration_number": number, "mark_text": text, "mark_type": "word",
            "filing_date": (registered - relativedelta(months=9)).isoformat(),
            "registration_date": registered.isoformat(),
            "goods": [{"group": group, "name": name} for group, name in goods],
            "holders": [{"name": org.name, "credit_code": org.credit_code}], "demo": True})
    return records


def seed_trademarks(organisations: dict[str, Organisation], users: dict[str, User]) -> int:
    """The demo marks on the register, claimed by their holders, and a few listed; returns marks imported."""
    owners = {account.organisation: users[account.username] for account in reversed(DEMO_ACCOUNTS)}
    holder_of = {number: holder for number, _, holder, _, _ in MARKS}
    imported = 0
    for record in _records(organisations, timezone.localdate()):
        if trademark_import(record, source=SOURCE) is not None:
            imported += 1
            claim_submit(actor=owners[holder_of[record["registration_number"]]],
                         application_number=record["registration_number"])
    for numbers, mode, price in LISTINGS:
        marks = list(Patent.objects.filter(kind=PatentKind.TRADEMARK, application_number__in=numbers)
                     .select_related("mark"))
        if not marks or Listing.objects.filter(patents__in=marks, mode=mode).exists():
            continue
        holder = owners[holder_of[numbers[0]]]
        title = f"“{marks[0].mark.mark_text}”注册商标{MODE_WORDS[mode]}"
        listing = listing_services.listing_create(actor=holder, title=title, mode=mode, patent_ids=[m.pk for m in marks],
                                                  asking_price=price, description=DEMO_LISTING_NOTE)
        listing_services.listing_submit(listing_id=listing.pk, actor=holder)
        listing_services.listing_publish(listing_id=listing.pk, actor=users["staff"])
    return imported
