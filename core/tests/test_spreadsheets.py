"""Downloads people open in a spreadsheet: UTF-8 with a byte order mark, named, formula-safe."""

import csv
import io

import tablib

from core.spreadsheets import BOM, csv_response, dataset_response, spreadsheet_safe


def test_a_csv_download_starts_with_a_byte_order_mark_so_excel_reads_utf8():
    response = csv_response("roster.csv")
    csv.writer(response).writerow(["Peña", spreadsheet_safe("=1+1")])
    assert response.content.startswith(BOM.encode())
    assert response["Content-Disposition"] == 'attachment; filename="roster.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == [
        ["Peña", "'=1+1"]
    ]


def test_a_dataset_downloads_as_csv_or_xlsx():
    data = tablib.Dataset(["Peña", 3], headers=["Name", "Count"])
    as_csv = dataset_response(data, "csv", "figures")
    assert as_csv.content.decode("utf-8").startswith(BOM + "Name,Count")
    assert as_csv["Content-Disposition"] == 'attachment; filename="figures.csv"'
    as_xlsx = dataset_response(data, "xlsx", "figures")
    assert as_xlsx.content[:2] == b"PK"  # a zip container, as every XLSX is
    assert as_xlsx["Content-Disposition"] == 'attachment; filename="figures.xlsx"'
