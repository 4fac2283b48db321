"""A table as an .xlsx workbook: headers in the active language, money as #,##0.00, wrapped text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    number_format: str | None = None
    wrap: bool = False


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def table_xlsx(title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One sheet named ``title``: a bold header row, then ``rows`` formatted by their column."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = column.width
    for row in sheet.iter_rows(min_row=2):
        for cell, column in zip(row, columns, strict=False):
            if column.number_format:
                cell.number_format = column.number_format
            if column.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
