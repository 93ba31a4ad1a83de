"""The NCES import, on small files in the published formats (districts/tests/data).

The expected figures are worked out by hand from the files' rows:

Lincoln Elementary (539990100001): the race/sex subtotals are 223 female, 237 male (460);
  URM 11 + 22 + 310 + 3 + 22 = 368 -> 368/460 = 0.8000; female 223/460 = 0.4848; lunch
  total 329 (300 free + 29 reduced) -> 329/460 = 0.7152. The Category Set A detail and the
  by-grade subtotals in the file are ignored, so are the direct certification counts (250).
Cedar Valley Middle (539990100002): 414; URM 7 + 17 + 238 + 1 + 16 = 279 -> 0.6739;
  female 205/414 = 0.4952; the lunch total is not reported, so 230 + 18 = 248 -> 0.5990.
Cedar Valley High (539990100003): 1120; URM 612 -> 0.5464; female 553/1120 = 0.49375 ->
  0.4938 (half up); lunch 560 -> exactly 0.5000, high need at the threshold.
Pine Ridge School (539990200001): total 142; one race/sex cell not reported, so no URM or
  female share; lunch 72 -> 72/142 = 0.5070. EDGE county Garfield (53023), locale 43.
Pine Ridge Online Academy (539990200002): no membership or lunch rows; grades "-1"; EDGE puts
  it in Columbia County (53013), not its ZIP's Garfield County.
Maple Grove Elementary (369990100001): 350; URM 1 + 20 + 30 + 0 + 17 = 68 -> 0.1943; female
  168/350 = 0.4800; lunch 161 -> 0.4600.
Maple Grove Jr-Sr High (369990100002): ZIP "1382" is malformed, so no ZIP and the county from
  EDGE (Otsego, 36077); 410; URM 3 + 22 + 28 + 1 + 15 = 69 -> 0.1683; female 199/410 ->
  0.4854 ("Not Specified" cells are "Not applicable": zero, not missing); free lunch not
  reported and no total, so no share.
Lakeview Elementary (369990200001): 505; URM 5 + 115 + 85 + 1 + 42 = 248 -> 0.4911; female
  250/505 = 0.4950; lunch 260 -> 0.5149; not in the EDGE file: county from ZIP 14218 (Erie,
  36029), no locale.
Hillside Primary (369990200002) is closed and Sagebrush Elementary (419990100001) is in Oregon,
which the test geography does not hold: both skipped, with their rows in the other files.
"""

import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from districts import importer
from districts.importer import FileKind, ImportFileError, schools_import
from districts.models import District, Locale, School

DATA = Path(__file__).parent / "data"
DIRECTORY = DATA / "ccd_sch_029_2223_w_1a_083023.csv"
MEMBERSHIP = DATA / "ccd_sch_052_2223_l_1a_083023.csv"
LUNCH = DATA / "ccd_sch_033_2223_l_1a_083023.csv"
GEOCODE = DATA / "EDGE_GEOCODE_PUBLICSCH_2223.csv"
ALL = [GEOCODE, LUNCH, MEMBERSHIP, DIRECTORY]  # any order

D = Decimal
# nces_id: (enrollment, frl, urm, female, locale, locale code, county FIPS, ZIP)
EXPECTED = {
    "539990100001": (460, D("0.7152"), D("0.8000"), D("0.4848"), "city", 13, "53077", "98901"),
    "539990100002": (414, D("0.5990"), D("0.6739"), D("0.4952"), "city", 13, "53077", "98902"),
    "539990100003": (1120, D("0.5000"), D("0.5464"), D("0.4938"), "suburb", 23, "53077", "98903"),
    "539990200001": (142, D("0.5070"), None, None, "rural", 43, "53023", "99347"),
    "539990200002": (None, None, None, None, "rural", 42, "53013", "99347"),
    "369990100001": (350, D("0.4600"), D("0.1943"), D("0.4800"), "town", 32, "36077", "13820"),
    "369990100002": (410, None, D("0.1683"), D("0.4854"), "town", 32, "36077", None),
    "369990200001": (505, D("0.5149"), D("0.4911"), D("0.4950"), "", None, "36029", "14218"),
}
NOT_IMPORTED = "school not imported (not in the directory file, or skipped there)"
EXPECTED_SKIPPED = {
    "directory: state not in the geography (load it first)": 1,
    "directory: closed or not yet open, and never imported": 1,
    f"membership: {NOT_IMPORTED}": 2,
    f"lunch: {NOT_IMPORTED}": 1,
    f"geocode: {NOT_IMPORTED}": 1,
}
EXPECTED_WARNINGS = {
    "directory: ZIP code malformed: stored without a ZIP": 1,
    "directory: grades not reported": 1,
    "membership: counts by race/ethnicity and sex suppressed or missing: "
    "URM and female shares not stored": 1,
    "lunch: free/reduced-price count suppressed or missing": 1,
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(geography):
    return schools_import(paths=ALL)


def figures() -> dict[str, tuple]:
    return {
        s.nces_id: (
            s.enrollment,
            s.frl_share,
            s.urm_share,
            s.female_share,
            s.locale,
            s.locale_code,
            s.county.fips if s.county else None,
            s.zip_code.code if s.zip_code else None,
        )
        for s in School.objects.select_related("county", "zip_code")
    }


def snapshot() -> list[tuple]:
    return list(
        School.objects.order_by("nces_id").values_list(
            "nces_id", "pk", "district_id", "updated_at", *importer.SCHOOL_FIELDS[1:]
        )
    )


def test_figures_are_computed_from_the_published_rows(imported):
    assert figures() == EXPECTED


def test_directory_fields_are_normalized(imported):
    lincoln = School.objects.select_related("district", "state").get(nces_id="539990100001")
    assert lincoln.name == "Lincoln Elementary School"
    assert (lincoln.district.nces_id, lincoln.district.name) == (
        "5399901",
        "Cedar Valley School District",
    )
    assert lincoln.state.code == lincoln.district.state.code == "WA"
    assert (lincoln.street, lincoln.city, lincoln.phone) == (
        "1200 S 12th Ave",
        "Yakima",
        "(509) 555-0142",
    )
    assert (lincoln.lowest_grade, lincoln.highest_grade, lincoln.grade_span) == ("KG", "05", "K-5")
    assert (lincoln.latitude, lincoln.longitude) == (D("46.586420"), D("-120.519870"))
    assert lincoln.is_active and not lincoln.is_demo and lincoln.is_high_need

    online = School.objects.get(nces_id="539990200002")  # status "New", grades "-1"
    assert online.is_active
    assert (online.lowest_grade, online.highest_grade, online.grade_span) == ("", "", "")
    assert online.phone == "(509) 555-0191"  # published as 509-555-0191
    assert online.is_rural and not online.is_high_need

    assert School.objects.get(nces_id="539990100003").is_high_need  # exactly 0.5
    assert not School.objects.get(nces_id="369990100001").is_high_need  # 0.46
    assert set(District.objects.values_list("nces_id", "name", "state__code")) == {
        ("5399901", "Cedar Valley School District", "WA"),
        ("5399902", "Pine Ridge School District", "WA"),
        ("3699901", "Maple Grove Central School District", "NY"),
        ("3699902", "Lakeview Union Free School District", "NY"),
    }


def test_report_counts_every_outcome_with_examples(imported):
    assert imported.created == {"districts": 4, "schools": 8}
    assert imported.updated == {"districts": 0, "schools": 0}
    assert imported.unchanged == {"districts": 0, "schools": 0}
    assert dict(imported.skipped) == EXPECTED_SKIPPED
    assert dict(imported.warnings) == EXPECTED_WARNINGS
    assert imported.examples["directory: closed or not yet open, and never imported"] == [
        "ccd_sch_029_2223_w_1a_083023.csv line 10: 369990200002 Hillside Primary School"
    ]
    assert imported.examples["directory: state not in the geography (load it first)"] == [
        "ccd_sch_029_2223_w_1a_083023.csv line 11: 419990100001 Sagebrush Elementary School"
    ]
    assert imported.examples[f"membership: {NOT_IMPORTED}"] == [
        "ccd_sch_052_2223_l_1a_083023.csv line 251: 369990200002",
        "ccd_sch_052_2223_l_1a_083023.csv line 253: 419990100001",
    ]
    assert imported.examples["directory: grades not reported"] == [
        "ccd_sch_029_2223_w_1a_083023.csv line 6: 539990200002 Pine Ridge Online Academy"
    ]
    assert [(f.name, f.kind, f.rows, f.school_year) for f in imported.files] == [
        (GEOCODE.name, FileKind.GEOCODE, 8, "2022-2023"),
        (LUNCH.name, FileKind.LUNCH, 33, "2022-2023"),
        (MEMBERSHIP.name, FileKind.MEMBERSHIP, 253, "2022-2023"),
        (DIRECTORY.name, FileKind.DIRECTORY, 10, "2022-2023"),
    ]


def test_a_second_run_updates_nothing_and_duplicates_nothing(imported):
    before = snapshot()
    again = schools_import(paths=ALL)
    assert again.created == {"districts": 0, "schools": 0}
    assert again.updated == {"districts": 0, "schools": 0}
    assert again.unchanged == {"districts": 4, "schools": 8}
    assert dict(again.skipped) == EXPECTED_SKIPPED
    assert dict(again.warnings) == EXPECTED_WARNINGS
    assert (District.objects.count(), School.objects.count()) == (4, 8)
    assert snapshot() == before


def test_a_changed_file_updates_its_school_in_place(imported, tmp_path):
    changed = tmp_path / MEMBERSHIP.name
    text = MEMBERSHIP.read_text()
    assert text.count(",460,Education Unit Total,") == 1
    changed.write_text(text.replace(",460,Education Unit Total,", ",470,Education Unit Total,"))
    lincoln_pk = School.objects.get(nces_id="539990100001").pk

    report = schools_import(paths=[changed])
    assert report.created == {"districts": 0, "schools": 0}
    assert report.updated == {"districts": 0, "schools": 1}
    assert report.unchanged == {"districts": 0, "schools": 6}
    lincoln = School.objects.get(nces_id="539990100001")
    assert lincoln.pk == lincoln_pk
    # Enrollment changes; the lunch share waits for a lunch file to be read again.
    assert (lincoln.enrollment, lincoln.frl_share) == (470, D("0.7152"))

    report = schools_import(paths=[LUNCH])  # divides by the enrollment stored
    assert report.updated == {"districts": 0, "schools": 1}
    assert School.objects.get(nces_id="539990100001").frl_share == D("0.7000")  # 329 / 470
    assert School.objects.count() == 8


def test_the_directory_alone_keeps_the_county_edge_gave(imported):
    report = schools_import(paths=[DIRECTORY])
    assert report.unchanged == {"districts": 4, "schools": 8}
    assert figures() == EXPECTED


def test_a_school_closed_since_the_last_import_is_deactivated(geography, tmp_path):
    still_open = tmp_path / DIRECTORY.name
    closed = '"2","Closed","2","Closed","06/30/2023"'
    text = DIRECTORY.read_text(encoding="utf-8-sig")
    assert text.count(closed) == 1
    still_open.write_text(text.replace(closed, '"1","Open","1","Open",""'))
    assert schools_import(paths=[still_open]).created["schools"] == 9

    report = schools_import(paths=[DIRECTORY])
    assert report.updated == {"districts": 0, "schools": 1}
    assert "directory: closed or not yet open, and never imported" not in report.skipped
    assert not School.objects.get(nces_id="369990200002").is_active
    assert School.objects.filter(is_active=True).count() == 8


def test_a_file_of_unknown_kind_is_refused_before_anything_is_written(geography, tmp_path):
    other = tmp_path / "schools.csv"
    other.write_text("School,Enrollment\nLincoln Elementary,460\n")
    with pytest.raises(ImportFileError) as refused:
        schools_import(paths=[DIRECTORY, other])
    message = str(refused.value)
    assert message.startswith("schools.csv is not a file this import knows")
    assert "its header has SCHOOL, ENROLLMENT" in message
    assert "CCD school directory (NCESSCH, SCH_NAME, LEAID, LEA_NAME, ST, LZIP)" in message
    assert not School.objects.exists() and not District.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.csv is empty: no header row."),
        (None, "an Excel workbook: save it as CSV"),
    ],
)
def test_empty_files_and_workbooks_are_refused(tmp_path, content, message):
    path = tmp_path / "empty.csv"
    if content is None:
        path = tmp_path / "ccd.xlsx"
        with zipfile.ZipFile(path, "w") as workbook:
            workbook.writestr("xl/workbook.xml", "<workbook/>")
    else:
        path.write_bytes(content)
    with pytest.raises(ImportFileError, match=re.escape(message)):
        schools_import(paths=[path])


def test_two_files_of_one_kind_are_refused(tmp_path):
    copy = tmp_path / "ccd_sch_052_2324.csv"
    shutil.copy(MEMBERSHIP, copy)
    with pytest.raises(ImportFileError, match="Two CCD membership files"):
        schools_import(paths=[MEMBERSHIP, copy])


def test_progress_counts_the_bytes_of_every_file(geography):
    ticks: list[int] = []
    totals: list[int] = []
    schools_import(paths=ALL, progress=ticks.append, on_total=totals.append)
    assert totals == [sum(path.stat().st_size for path in ALL)]
    assert sum(ticks) == totals[0]


def test_lenient_with_spreadsheet_exports_zips_tabs_and_windows_bytes(geography, tmp_path):
    """Alaska's ids lost their leading zero in a spreadsheet; the directory is tab-separated,
    Windows-1252 and zipped; the geocode gives a four-digit county and a labelled locale."""
    header = ["ST", "NCESSCH", "SCH_NAME", "LEAID", "LEA_NAME", "LZIP", "PHONE"]
    header += ["SY_STATUS", "SY_STATUS_TEXT", "GSLO", "GSHI"]
    row = ["AK", "29990100001", "Cañon Creek Elementary School", "299901"]
    row += ["Anchorage Cañon School District", "99501-1234", "907.555.0100", "1", "", "K", "8"]
    text = "\t".join(header) + "\r\n" + "\t".join(row) + "\r\n"
    archive = tmp_path / "ccd_sch_029.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ccd_sch_029_2223_w_1a_083023.txt", text.encode("cp1252"))
    geocode = tmp_path / "edge.csv"
    geocode.write_text(
        "NCESSCH,LAT,LON,CNTY,LOCALE\n29990100001,61.2181,-149.9003,2020,11-City: Large\n"
    )

    report = schools_import(paths=[archive, geocode])
    assert report.created == {"districts": 1, "schools": 1}
    assert not report.skipped and not report.warnings
    school = School.objects.select_related("district", "county", "zip_code").get()
    assert school.nces_id == "029990100001" and school.district.nces_id == "0299901"
    assert school.name == "Cañon Creek Elementary School"
    assert school.district.name == "Anchorage Cañon School District"
    assert (school.zip_code.code, school.county.fips) == ("99501", "02020")
    assert (school.phone, school.lowest_grade, school.highest_grade) == (
        "(907) 555-0100",
        "KG",
        "08",
    )
    assert (school.locale, school.locale_code) == (Locale.CITY, 11)
    assert (school.latitude, school.longitude) == (D("61.218100"), D("-149.900300"))


@pytest.mark.parametrize(
    ("value", "flag", "expected"),
    [
        ("460", "Reported", 460),
        ("1,120", "", 1120),
        ("12.0", "", 12),
        ("", "Not reported", None),
        ("0", "Not reported", None),
        ("-1", "", None),
        ("-2", "", None),
        ("-9", "", None),
        ("Not reported", "", None),
        ("†", "", None),
        ("2.5", "", None),
    ],
)
def test_counts(value, flag, expected):
    assert importer._count(value, flag) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("KG", "KG"),
        ("K", "KG"),
        ("PK", "PK"),
        ("1", "01"),
        ("01", "01"),
        ("12", "12"),
        ("13", "13"),
        ("UG", "UG"),
        ("AE", "AE"),
        ("N", "N"),
        ("M", ""),
        ("-1", ""),
        ("", ""),
        ("Not reported", ""),
        ("14", ""),
    ],
)
def test_grades(value, expected):
    assert importer._grade(value) == expected


@pytest.mark.parametrize(
    ("value", "length", "expected"),
    [
        ("539990100001", 12, "539990100001"),
        ("10000500870", 12, "010000500870"),
        ("10000500870.0", 12, "010000500870"),
        ("5399901", 7, "5399901"),
        ("100005", 7, "0100005"),
        ("1000050087", 12, None),
        ("53999O100001", 12, None),
        ("", 7, None),
    ],
)
def test_nces_ids(value, length, expected):
    assert importer._nces_id(value, length) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("11", 11), ("43", 43), ("21.0", 21), ("31-Town: Fringe", 31), ("14", None), ("M", None)],
)
def test_locale_codes(value, expected):
    assert importer._locale_code(value) == expected


def test_windows_1252_bytes_are_read_as_such():
    raw = "Cañon,Académie".encode("cp1252") + " ñ".encode()
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="districts_cp1252").read()
    assert text == "Cañon,Académie ñ"
