"""Spreadsheet exports of the budget: XLSX workbooks (openpyxl) and the CSV amounts.

Amounts go into the workbook as numbers (exact Decimals written as they are) with a euro
number format, so that the spreadsheet sums them; totals rows are bold. In the CSV files
(``;``-separated for Excel in Italian) amounts are written with a decimal comma.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATO_EURO = '"€" #,##0.00'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRASSETTO = Font(bold=True)
INTESTAZIONE = PatternFill("solid", fgColor="DCE6F0")


def wants_xlsx(request):
    return request.GET.get("format") == "xlsx"


def importo_csv(valore):
    """``Decimal("1234.5")`` → ``"1234,50"``: what Excel in Italian reads as a number."""
    return f"{Decimal(valore):.2f}".replace(".", ",")


@dataclass
class Foglio:
    """One sheet: a title (at most 31 characters), a header, rows and an optional bold
    totals row. Decimal cells get the euro format."""

    titolo: str
    intestazione: list
    righe: list
    totale: list | None = None
    note: list = field(default_factory=list)  # lines written above the table


def _scrivi(ws, foglio):
    for nota in foglio.note:
        ws.append([nota])
    if foglio.note:
        ws.append([])
    ws.append(list(foglio.intestazione))
    riga_intestazione = ws.max_row
    for cella in ws[riga_intestazione]:
        cella.font = GRASSETTO
        cella.fill = INTESTAZIONE
        cella.alignment = Alignment(wrap_text=True, vertical="top")
    for riga in foglio.righe:
        ws.append(list(riga))
    if foglio.totale is not None:
        ws.append(list(foglio.totale))
        for cella in ws[ws.max_row]:
            cella.font = GRASSETTO
    larghezze = {}
    for riga in ws.iter_rows(min_row=riga_intestazione):
        for cella in riga:
            if isinstance(cella.value, Decimal):
                cella.number_format = FORMATO_EURO
            elif cella.data_type == "f":
                # Text typed by people must not become a formula when the file is opened.
                cella.data_type = "s"
            testo = str(cella.value) if cella.value is not None else ""
            larghezze[cella.column] = max(larghezze.get(cella.column, 0), len(testo) + 2)
    for colonna, larghezza in larghezze.items():
        ws.column_dimensions[get_column_letter(colonna)].width = min(max(larghezza, 10), 60)
    ws.freeze_panes = ws.cell(row=riga_intestazione + 1, column=1)


def xlsx_response(filename, fogli):
    """A workbook with one sheet per ``Foglio``, as a download."""
    wb = Workbook()
    wb.remove(wb.active)
    for foglio in fogli:
        _scrivi(wb.create_sheet(foglio.titolo[:31]), foglio)
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
