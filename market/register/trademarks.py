"""Registered trademarks onto the register: one record a line of a JSON Lines file (``manage.py
import_trademarks FILE``), as the trademark office's register gives them::

    {"registration_number": "12345678", "mark_text": "丽水山耕", "mark_type": "word",
     "filing_date": "2014-03-02", "registration_date": "2015-06-07",
     "goods": [{"nice_class": 30, "group": "3002", "name": "茶"}],
     "holders": [{"name": "丽水市农业投资发展有限公司", "credit_code": "…", "share": null}],
     "valid_until": "2035-06-06", "status": "registered", "image": "18765432.png", "source": "…", "demo": true}

A record already on the register (same number) is skipped, so a rerun imports nothing twice. The holders go
through the same holder change as a patent's (market/register/holders.py); the registration is an event of
the history. ``valid_until`` (after renewals) defaults to the first term's end; ``image`` is a PNG or JPEG beside the file;
``demo`` marks a generated record (``demo_generated_fields``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from market.models import LegalStatus, MarkType, Patent, PatentKind, RegisterEventKind, TrademarkRecord
from market.models.trademarks import first_term_end
from market.trademarks.nice import CLASSES, group_class
from market.validators import normalise_trademark_number

from .feed import FeedError, _date, _holders
from .holders import holders_replace, record_event

STATUSES = {"registered": LegalStatus.GRANTED, "cancelled": LegalStatus.CANCELLED, "revoked": LegalStatus.REVOKED,
            "invalidated": LegalStatus.INVALIDATED, "expired": LegalStatus.EXPIRED}


@dataclass
class TrademarkImport:
    imported: int = 0
    existing: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"导入商标 {self.imported} 件，已在登记簿 {self.existing} 件，无法导入 {len(self.errors)} 件 / "
                f"marks imported {self.imported}, already on the register {self.existing}, refused "
                f"{len(self.errors)}")


def _goods(rows) -> list[dict]:
    if not isinstance(rows, list) or not rows:
        raise FeedError("goods: 至少一项核定商品/服务 / at least one designated good or service")
    goods = []
    for row in rows:
        try:
            group = str(row["group"])
            nice_class = int(row.get("nice_class") or group_class(group))
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            raise FeedError(f"goods: {exc}") from exc
        if nice_class not in CLASSES or group_class(group) != nice_class:
            raise FeedError(f"goods: 类似群 {group} 不属于第{nice_class}类 / group {group} is not in class {nice_class}")
        goods.append({"nice_class": nice_class, "group": group, "name": str(row.get("name") or "").strip()[:100]})
    return goods


def goods_text(goods: list[dict]) -> str:
    """The designated goods by class, as a register extract prints them (the right's searchable text)."""
    by_class: dict[int, list[str]] = {}
    for item in goods:
        by_class.setdefault(item["nice_class"], []).append(item["name"])
    return "；".join(f"第{number}类：{'、'.join(names)}" for number, names in sorted(by_class.items()))


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _image(record: dict, folder: Path | None) -> tuple[str, bytes] | None:
    """The mark's image file named by ``image`` (relative to the records' folder): PNG or JPEG."""
    name = record.get("image")
    if not name:
        return None
    path = (folder or Path(".")) / str(name)
    if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
        raise FeedError(f"image: 须为记录文件旁的 PNG 或 JPEG 文件 / a PNG or JPEG file beside the records: {name!r}")
    return path.name, path.read_bytes()


def trademark_import(record: dict, *, source: str = "", folder: Path | None = None) -> Patent | None:
    """Put one record on the register in one transaction; None when its number is there already."""
    try:
        number = normalise_trademark_number(str(record.get("registration_number") or ""))
    except ValidationError as exc:
        raise FeedError(f"registration_number: {exc.messages[0]}") from exc
    text = str(record.get("mark_text") or "").strip()
    if not text:
        raise FeedError("mark_text: 商标文字为空 / the mark has no text")
    mark_type = record.get("mark_type") or MarkType.WORD
    if mark_type not in MarkType.values:
        raise FeedError(f"mark_type: {mark_type!r}")
    status = STATUSES.get(record.get("status") or "registered")
    if status is None:
        raise FeedError(f"status: {record.get('status')!r}")
    registered = _date(record.get("registration_date"), "registration_date")
    filed = _date(record.get("filing_date") or registered, "filing_date")
    valid_until = _date(record["valid_until"], "valid_until") if record.get("valid_until") else first_term_end(registered)
    goods, holders = _goods(record.get("goods")), _holders(record.get("holders"))
    image = _image(record, folder)
    with transaction.atomic():
        if Patent.objects.filter(kind=PatentKind.TRADEMARK, application_number=number).exists():
            return None
        right = Patent.objects.create(
            kind=PatentKind.TRADEMARK, application_number=number, title=text[:500], abstract=goods_text(goods),
            applicants="；".join(h.name for h in holders)[:500], filing_date=filed, grant_date=registered,
            legal_status=status, source=str(record.get("source") or source)[:200],
            demo_generated_fields=["*"] if record.get("demo") else [])
        mark = TrademarkRecord(right=right, mark_text=text[:100], mark_type=mark_type, goods=goods,
                               valid_until=valid_until)
        if image is not None:
            mark.image.save(f"{number}{Path(image[0]).suffix.lower()}", ContentFile(image[1]), save=False)
        mark.save()
        record_event(right, key=f"registered:{number}", kind=RegisterEventKind.REGISTERED, on=registered,
                     data={"registration_number": number}, source=source)
        holders_replace(right, holders, key=f"holders:{number}", on=registered, source=source)
    return right


def import_trademarks(path: str | Path, *, source: str | None = None) -> TrademarkImport:
    """Import every record of a JSON Lines file, one transaction each; a rerun imports only what is new."""
    path = Path(path)
    report = TrademarkImport()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                right = trademark_import(json.loads(line), source=source or path.name, folder=path.parent)
            except (FeedError, json.JSONDecodeError, AttributeError, KeyError) as exc:
                report.errors.append(f"{path.name}:{number}: {exc}")
                continue
            report.imported += right is not None
            report.existing += right is None
    return report



