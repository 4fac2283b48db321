"""Fixtures of the licensing tests: a patent of the 杭州 holder, a published declaration, a take-up helper."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from market.licensing.models import RoyaltyMethod
from market.licensing.services import open_licences
from market.models import PatentKind

from ..factories import PatentFactory


def one_page_pdf() -> bytes:
    """A real one-page PDF (the check parses the file)."""
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


PDF_BYTES = one_page_pdf()
# Starts like a PDF but is none: the magic bytes alone are not enough.
FAKE_PDF_BYTES = b"%PDF-1.4\n%%EOF\n"

ANNUAL = {"royalty_method": RoyaltyMethod.ANNUAL, "annual_fee": Decimal("12000.00")}
PERCENTAGE = {"royalty_method": RoyaltyMethod.PERCENTAGE, "entry_fee": Decimal("50000.00"),
              "royalty_rate": Decimal("3.50"), "period_months": 3}
PER_UNIT = {"royalty_method": RoyaltyMethod.PER_UNIT, "unit_fee": Decimal("2.75"), "period_months": 6}


def pdf_upload(data: bytes = PDF_BYTES, name: str = "评价报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def patent(holder_org):
    """An invention filed 2019-03-01 (expires 2039-02-28), held by the 杭州 holder."""
    return PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法")


@pytest.fixture
def utility_patent(holder_org):
    return PatentFactory(holders=[holder_org], kind=PatentKind.UTILITY_MODEL, title="一种电池极片涂布装置",
                         filing_date=dt.date(2021, 5, 10))


def declare(holder, staff, patent, *, terms=None, licence_years: int = 3, **extra):
    """Draft, submit and publish a declaration through the services; returns it published."""
    declaration = open_licences.open_licence_create(actor=holder, patent_id=patent.pk, licence_years=licence_years,
                                                    **(terms or ANNUAL), **extra)
    open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    return open_licences.open_licence_publish(declaration_id=declaration.pk, actor=staff)


@pytest.fixture
def declaration(holder, staff, patent):
    """A published declaration of the holder's invention: CNY 12,000 a year, 3-year licences."""
    return declare(holder, staff, patent)


@pytest.fixture
def clock(monkeypatch):
    """Move the clock (the only outside thing these tests fake): ``clock(dt.date(2027, 1, 5))``."""
    from django.utils import timezone

    real_now = timezone.now

    def travel(day: dt.date) -> None:
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
        offset = at - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)

    return travel
