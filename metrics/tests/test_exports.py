"""The dashboards' downloads: CSV and XLSX with the page's rows, numbers as numbers, and text
that can never run as a spreadsheet formula."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from metrics.models import Metric, Target
from partners.tests.factories import PartnerFactory

from .test_views import (
    PROGRAM,
    QUALITY,
    YEAR,
    build_world,
    dashboard,
    evidence,
    signed_in,
    teachers_came,
)

INJECTION = '=HYPERLINK("http://evil.example","Click")'


@pytest.fixture
def world(db, make_user):
    return build_world(make_user)


def rows_of_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # Every CSV starts with a byte order mark, so Excel reads it as UTF-8.
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def sheet_of_xlsx(response):
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_the_program_dashboard_downloads_as_csv(client, world):
    Target.objects.create(
        partner=world["alpha"], program_year=YEAR, metric=Metric.STUDENTS_REACHED, value=100
    )
    response = signed_in(client, world["admin"]).get(
        PROGRAM, {"format": "csv", "sort": "-students_reached"}
    )
    assert response["Content-Disposition"] == f'attachment; filename="metrics-{YEAR}.csv"'
    header, *rows = rows_of_csv(response)
    assert header[:4] == ["Partner", "Partner status", "State", "Regional manager"]
    assert header[4:8] == ["Met", "On track", "At risk", "Missed"]
    students = header.index("Students reached")
    assert header[students + 1 : students + 3] == [
        "Students reached: target",
        "Students reached: status",
    ]
    # In the page's order (students reached, largest first) with the page's figures.
    assert [row[0] for row in rows] == ["Alpha Computing", "Beta Coding", "Gamma Schools"]
    alpha = rows[0]
    # A count target is a whole number, like the count.
    assert alpha[students : students + 3] == ["120", "100", "Met"]
    assert alpha[4] == "1"  # one metric met
    # Shares in percent, a missing figure blank.
    female = header.index("Female students (%)")
    assert alpha[female] == "50.0"
    assert rows[2][female] == ""


def test_the_program_dashboard_downloads_as_xlsx_with_numbers(client, world):
    response = signed_in(client, world["admin"]).get(PROGRAM, {"format": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="metrics-{YEAR}.xlsx"'
    sheet = sheet_of_xlsx(response)
    header = [cell.value for cell in sheet[1]]
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(values) == {"Alpha Computing", "Beta Coding", "Gamma Schools"}
    assert values["Alpha Computing"][header.index("Teachers who attended")] == 3
    assert values["Beta Coding"][header.index("Students reached")] == 30


def test_a_regional_managers_download_has_only_their_partners(client, world):
    rows = rows_of_csv(signed_in(client, world["rm_b"]).get(PROGRAM, {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == ["Beta Coding"]


def test_the_partner_dashboard_downloads_one_row_per_metric(client, world):
    alpha = world["alpha"]
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.FEMALE_SHARE, value=Decimal("0.40")
    )
    client = signed_in(client, world["pm_alpha"])
    response = client.get(dashboard(alpha), {"format": "csv", "year": YEAR})
    assert response["Content-Disposition"] == (
        f'attachment; filename="metrics-alpha-computing-{YEAR}.csv"'
    )
    header, *rows = rows_of_csv(response)
    assert header[:7] == [
        "Group",
        "Metric",
        "Unit",
        "Target",
        "Actual",
        "Status",
        "Region's share (%)",
    ]
    assert header[-1] == YEAR and len(header) == 11  # four years of trend
    assert len(rows) == len(Metric)
    female = next(row for row in rows if row[1] == "Female students")
    assert female[:6] == ["Diversity", "Female students", "%", "40.0", "50.0", "On track"]
    assert female[-1] == "50.0"

    sheet = sheet_of_xlsx(client.get(dashboard(alpha), {"format": "xlsx"}))
    students = next(
        row for row in sheet.iter_rows(values_only=True) if row[1] == "Students reached"
    )
    assert students[4] == 120


def test_the_quality_breakdown_downloads(client, world):
    response = signed_in(client, world["admin"]).get(QUALITY, {"format": "csv", "by": "partner"})
    header, *rows = rows_of_csv(response)
    assert header[0] == "Partner" and header[5] == "Attendance rate (%)"
    alpha = next(row for row in rows if row[0] == "Alpha Computing")
    # Four enrolled, three came to both sessions.
    assert alpha[2:7] == ["4", "3", "3", "75.0", "75.0"]


def test_evidence_downloads(client, world):
    response = signed_in(client, world["pm_alpha"]).get(
        evidence(world["alpha"], "teachers_attended"), {"format": "csv"}
    )
    header, *rows = rows_of_csv(response)
    assert header[0] == "Teacher"
    assert len(rows) == 3


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_formula_in_a_partner_name_stays_text(client, world, file_format):
    partner = PartnerFactory(name=INJECTION, regional_manager=world["rm_a"])
    teachers_came(partner, teachers=1, attended=1)
    client = signed_in(client, world["admin"])
    for url, params in (
        (PROGRAM, {}),
        (QUALITY, {"by": "partner"}),
        (QUALITY, {"by": "workshop"}),
    ):
        response = client.get(url, {**params, "format": file_format})
        if file_format == "csv":
            cells = [cell for row in rows_of_csv(response) for cell in row]
        else:
            sheet = sheet_of_xlsx(response)
            cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
        assert not any(cell.startswith("=") for cell in cells), url
        assert any(cell.startswith("'=HYPERLINK") for cell in cells), url


def test_a_non_ascii_name_survives_the_csv(client, world):
    alpha = world["alpha"]
    alpha.name = "Peña Computación"
    alpha.save()
    response = signed_in(client, world["admin"]).get(PROGRAM, {"format": "csv"})
    assert response.content.startswith("\ufeffPartner,".encode())
    assert "Peña Computación" in [row[0] for row in rows_of_csv(response)]


def test_count_targets_download_as_whole_numbers(client, world):
    alpha = world["alpha"]
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.TEACHERS_ATTENDED, value=Decimal("42")
    )
    Target.objects.create(
        partner=alpha, program_year=YEAR, metric=Metric.PM_FTE, value=Decimal("0.75")
    )
    client = signed_in(client, world["pm_alpha"])
    _, *rows = rows_of_csv(client.get(dashboard(alpha), {"format": "csv"}))
    by_metric = {row[1]: row for row in rows}
    assert by_metric["Teachers who attended"][3] == "42"
    assert by_metric["Program manager FTE"][3] == "0.75"
    sheet = sheet_of_xlsx(client.get(dashboard(alpha), {"format": "xlsx"}))
    teachers = next(
        row for row in sheet.iter_rows(values_only=True) if row[1] == "Teachers who attended"
    )
    assert teachers[3] == 42 and isinstance(teachers[3], int)
