"""An indicator's table as an .xlsx workbook: exactly the rows and values the chart and the API show."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

_FORMATS = {"amount": "#,##0.00", "count": "#,##0", "percent": "0.00", "days": "0.0"}


def _cell(value):
    return float(value) if isinstance(value, Decimal) else value


def table_workbook(table: dict) -> bytes:
    """One sheet: title, definition, range and filters, then one row per table row, the total and the target."""
    book = Workbook()
    sheet = book.active
    sheet.title = table["indicator"][:31]
    sheet.append([table["label"]])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in table["definition"]:
        sheet.append([line])
    sheet.append([_("统计期间"), f"{table['from']} – {table['to']}"])
    for name, value in table["filters"].items():
        sheet.append([_("筛选条件"), f"{name} = {value}"])
    sheet.append([])
    header = sheet.max_row + 1
    sheet.append([_("项目"), _("数值")] + ([_("目标")] if table["target"] is not None else []))
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        sheet.append([row["label"], _cell(row["value"])] + ([_cell(table["target"])] if table["target"] is not None else []))
    sheet.append([_("合计"), _cell(table["total"])])
    number_format = _FORMATS[table["unit"]]
    for row in sheet.iter_rows(min_row=header + 1):
        for cell in row[1:]:
            cell.number_format = number_format
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["C"].width = 16
    for row in sheet.iter_rows(max_row=header - 1):
        row[0].alignment = Alignment(wrap_text=False)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
