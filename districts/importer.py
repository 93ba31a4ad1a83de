"""Import public districts and schools from the NCES Common Core of Data files, as published.

Four kinds of CSV file, each told apart by its header (the order of the files does not
matter, and any subset may be given; a `.zip` holding one CSV is read as that CSV):

- the school directory (`ccd_sch_029_*`: NCESSCH, SCH_NAME, LEAID, LEA_NAME, LZIP, GSLO,
  GSHI, SY_STATUS_TEXT ...): creates and updates districts and schools;
- membership (`ccd_sch_052_*`, long format: NCESSCH, RACE_ETHNICITY, SEX, STUDENT_COUNT,
  TOTAL_INDICATOR): enrollment from the "Education Unit Total" row; URM and female shares
  from the "Derived - Subtotal by Race/Ethnicity and Sex minus Adult Education Count" rows;
- free and reduced-price lunch (`ccd_sch_033_*`: NCESSCH, LUNCH_PROGRAM, STUDENT_COUNT,
  TOTAL_INDICATOR): the lunch table's total (or free plus reduced-price) over enrollment;
- the EDGE public-school geocodes (`EDGE_GEOCODE_PUBLICSCH_*`: NCESSCH, LAT, LON, CNTY,
  LOCALE): coordinates, county and locale.

Lenient with what the files hold (a byte-order mark, quoting, Windows-1252 bytes, ids that
lost their leading zero in a spreadsheet, "Not reported" and the -1/-2/-9 codes for
missing, not applicable and suppressed counts), strict with what it stores: a value that is
not known is stored as unknown (null), never guessed. Every school is matched on its NCES id,
so a second run updates and never duplicates.
"""

import codecs
import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from geography.models import County, State, ZipCode
from geography.zips import MalformedZip, normalize_zip

from .models import GRADE_ORDER, LOCALE_CODES, URM_RACES, District, Grade, School, locale_for_code

BATCH = 500
EXAMPLES = 3
FOUR_PLACES = Decimal("0.0001")
SIX_PLACES = Decimal("0.000001")


class FileKind(StrEnum):
    DIRECTORY = "directory"
    MEMBERSHIP = "membership"
    LUNCH = "lunch"
    GEOCODE = "geocode"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    FileKind.DIRECTORY: "CCD school directory",
    FileKind.MEMBERSHIP: "CCD membership",
    FileKind.LUNCH: "CCD free and reduced-price lunch",
    FileKind.GEOCODE: "EDGE public school geocode",
}
# The columns that identify each kind of file (each file has many more).
KIND_COLUMNS = {
    FileKind.DIRECTORY: ("NCESSCH", "SCH_NAME", "LEAID", "LEA_NAME", "ST", "LZIP"),
    FileKind.MEMBERSHIP: ("NCESSCH", "RACE_ETHNICITY", "SEX", "STUDENT_COUNT", "TOTAL_INDICATOR"),
    FileKind.LUNCH: ("NCESSCH", "LUNCH_PROGRAM", "STUDENT_COUNT", "TOTAL_INDICATOR"),
    FileKind.GEOCODE: ("NCESSCH", "LAT", "LON", "CNTY", "LOCALE"),
}

# SY_STATUS codes and texts (the CCD's operational status of a school).
OPEN_STATUSES = {"open", "new", "added", "changed boundary/agency", "reopened"}
CLOSED_STATUSES = {"closed", "inactive"}
FUTURE_STATUSES = {"future"}
STATUS_CODES = {
    "1": "open",
    "2": "closed",
    "3": "new",
    "4": "added",
    "5": "changed boundary/agency",
    "6": "inactive",
    "7": "future",
    "8": "reopened",
}
# Texts that mean "no value" in the CCD and EDGE files (besides an empty cell).
MISSING_TEXT = {"not reported", "not applicable", "missing", "n/a", "-1", "-2", "-3", "-9"}
# DMS_FLAG values that say a count is not there, whatever the STUDENT_COUNT cell holds.
MISSING_FLAGS = {"not reported", "missing", "suppressed"}
NOT_APPLICABLE_FLAGS = {"not applicable"}

TOTAL = "education unit total"
TOTAL_MINUS_ADULT = "derived - education unit total minus adult education count"
FREE = "free lunch qualified"
REDUCED = "reduced-price lunch qualified"
URM = {race.lower() for race in URM_RACES}

GRADE_ALIASES = {"K": "KG", "PREK": "PK", "PRE-K": "PK"}

SCHOOL_FIELDS = [
    "name",
    "district",
    "state",
    "county",
    "zip_code",
    "street",
    "city",
    "phone",
    "lowest_grade",
    "highest_grade",
    "enrollment",
    "frl_share",
    "urm_share",
    "female_share",
    "locale",
    "locale_code",
    "latitude",
    "longitude",
    "is_active",
]
FOREIGN_KEYS = ["district", "state", "county", "zip_code"]


class ImportFileError(Exception):
    """A file the importer will not read: nothing has been written."""


def _cp1252_for_bad_utf8(error: UnicodeError) -> tuple[str, int]:
    # Some CCD releases are Windows-1252 (accented names); read such bytes as that.
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("districts_cp1252", _cp1252_for_bad_utf8)


# -- the report ----------------------------------------------------------------------------


@dataclass
class ImportedFile:
    name: str
    kind: FileKind
    rows: int = 0
    school_year: str = ""


@dataclass
class ImportReport:
    """What an import did. `skipped` and `warnings` count by reason; `examples` holds the
    first few places (file and line) for each reason."""

    files: list[ImportedFile] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: {"districts": 0, "schools": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"districts": 0, "schools": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"districts": 0, "schools": 0})
    skipped: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def skip(self, reason: str, where: str) -> None:
        self.skipped[reason] += 1
        self._example(reason, where)

    def warn(self, reason: str, where: str) -> None:
        self.warnings[reason] += 1
        self._example(reason, where)

    def _example(self, reason: str, where: str) -> None:
        if len(self.examples[reason]) < EXAMPLES:
            self.examples[reason].append(where)

    @property
    def school_years(self) -> list[str]:
        return sorted({f.school_year for f in self.files if f.school_year})


# -- values --------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    value = " ".join((value or "").split())
    return "" if value.lower() in MISSING_TEXT else value


def _nces_id(value: str | None, length: int) -> str | None:
    """The id with `length` digits; one lost leading zero (a spreadsheet's doing) is restored."""
    value = (value or "").strip().strip("'")
    if value.endswith(".0"):
        value = value[:-2]
    if not (value.isascii() and value.isdigit()):
        return None
    if len(value) == length - 1:
        value = "0" + value
    return value if len(value) == length else None


def _count(value: str | None, flag: str | None = None) -> int | None:
    """A student count, or None when missing, not applicable or suppressed (-1, -2, -9...)."""
    if (flag or "").strip().lower() in MISSING_FLAGS | NOT_APPLICABLE_FLAGS:
        return None
    value = (value or "").strip().replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if number < 0 or number != number.to_integral_value():
        return None
    return int(number)


def _not_applicable(value: str | None, flag: str | None) -> bool:
    """A count that does not apply (a category a state does not collect): zero, not missing."""
    return (flag or "").strip().lower() in NOT_APPLICABLE_FLAGS or (value or "").strip() == "-2"


def _grade(value: str | None) -> str:
    value = (value or "").strip().upper()
    if value in Grade.values:
        return value
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 13:
        return f"{int(value):02d}"
    return GRADE_ALIASES.get(value, "")


def _phone(value: str | None) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return ""
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def _decimal(value: str | None, low: int, high: int) -> Decimal | None:
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def _locale_code(value: str | None) -> int | None:
    """11..43 from "11", "11.0" or "11-City: Large"; None otherwise."""
    match = re.match(r"\s*(\d{2})(?!\d)", value or "")
    code = int(match.group(1)) if match else None
    return code if code in LOCALE_CODES else None


def _county_fips(value: str | None) -> str | None:
    value = (value or "").strip()
    if value.endswith(".0"):
        value = value[:-2]
    if not (value.isascii() and value.isdigit()) or len(value) not in (4, 5):
        return None
    return value.zfill(5)


def _share(part: int, whole: int | None) -> Decimal | None:
    if not whole or part > whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


# -- files ---------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Reports the bytes read from a binary stream (the progress bar counts bytes)."""

    def __init__(self, raw, tick: Callable[[int], None]):
        self._raw = raw
        self._tick = tick

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        if n:
            self._tick(n)
        return n


@dataclass
class _Source:
    path: Path
    name: str
    kind: FileKind
    size: int
    columns: dict[str, int]
    delimiter: str

    def rows(self, tick: Callable[[int], None]) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for each data row; short rows are padded."""
        width = max(self.columns.values()) + 1
        with _open_binary(self.path) as (stream, _size):
            text = io.TextIOWrapper(
                io.BufferedReader(_CountingReader(stream, tick), buffer_size=1 << 16),
                encoding="utf-8-sig",
                errors="districts_cp1252",
                newline="",
            )
            reader = csv.reader(text, delimiter=self.delimiter)
            next(reader, None)
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) < width:
                    row = row + [""] * (width - len(row))
                yield reader.line_num, row


@contextmanager
def _open_binary(path: Path):
    """The file's bytes and size; for a .zip, its one CSV member's."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if any(n.startswith("xl/") for n in names):
                raise ImportFileError(
                    f"{path.name} is an Excel workbook: save it as CSV (UTF-8) and import that."
                )
            data = [n for n in names if n.lower().endswith((".csv", ".txt"))]
            if len(data) != 1:
                raise ImportFileError(
                    f"{path.name} is a .zip archive with {len(data)} CSV files; "
                    "extract them and name each one."
                )
            with archive.open(data[0]) as stream:
                yield stream, archive.getinfo(data[0]).file_size
        return
    with path.open("rb") as stream:
        yield stream, path.stat().st_size


def _inspect(path: Path) -> _Source:
    """Reads a file's header and tells which kind of file it is."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file.")
    with _open_binary(path) as (stream, size):
        first = stream.readline(1 << 16)
    line = first.decode("utf-8-sig", errors="districts_cp1252").strip("\r\n")
    if not line.strip():
        raise ImportFileError(f"{path.name} is empty: no header row.")
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    header = next(csv.reader([line], delimiter=delimiter))
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(name.strip().strip('"').upper(), index)
    for kind, needed in KIND_COLUMNS.items():
        if all(column in columns for column in needed):
            return _Source(path, path.name, kind, size, columns, delimiter)
    shown = ", ".join(list(columns)[:8]) + (", ..." if len(columns) > 8 else "")
    expected = "; ".join(f"{k.label} ({', '.join(c)})" for k, c in KIND_COLUMNS.items())
    raise ImportFileError(
        f"{path.name} is not a file this import knows: its header has {shown}. "
        f"Expected the columns of one of: {expected}."
    )


# -- reading -------------------------------------------------------------------------------


@dataclass
class _DirectoryRow:
    where: str
    nces_id: str
    district_id: str
    district_name: str
    state_id: int
    name: str
    street: str
    city: str
    zip_code_id: int | None
    zip_county_id: int | None
    phone: str
    lowest_grade: str
    highest_grade: str
    is_active: bool
    notes: list[str]


@dataclass
class _Membership:
    where: str
    total: int | None = None
    total_minus_adult: int | None = None
    counted: int = 0  # students in the race/ethnicity and sex subtotals
    female: int = 0
    urm: int = 0
    cells: int = 0
    missing_cells: int = 0

    @property
    def enrollment(self) -> int | None:
        return self.total if self.total is not None else self.total_minus_adult


@dataclass
class _Lunch:
    where: str
    free: int | None = None
    reduced: int | None = None
    total: int | None = None

    @property
    def qualified(self) -> int | None:
        if self.total is not None:
            return self.total
        if self.free is not None and self.reduced is not None:
            return self.free + self.reduced
        return None


@dataclass
class _Geocode:
    where: str
    latitude: Decimal | None
    longitude: Decimal | None
    county_id: int | None
    county_state_id: int | None
    locale_code: int | None
    notes: list[str]


class _Reader:
    """Reads every file into memory, keyed by NCES school id, before anything is written."""

    def __init__(self, report: ImportReport, tick: Callable[[int], None]):
        self.report = report
        self.tick = tick
        self.states = dict(State.objects.values_list("code", "pk"))
        self.state_fips = dict(State.objects.values_list("fips", "pk"))
        self.state_codes = {pk: code for code, pk in self.states.items()}
        self.zips = {
            code: (pk, state_id, county_id)
            for code, pk, state_id, county_id in ZipCode.objects.values_list(
                "code", "pk", "state_id", "county_id"
            )
        }
        self.counties = {
            fips: (pk, state_id)
            for fips, pk, state_id in County.objects.values_list("fips", "pk", "state_id")
        }
        self.directory: dict[str, _DirectoryRow] = {}
        self.membership: dict[str, _Membership] = {}
        self.lunch: dict[str, _Lunch] = {}
        self.geocode: dict[str, _Geocode] = {}
        self.invalid: dict[FileKind, Counter] = defaultdict(Counter)

    def read(self, source: _Source, imported: ImportedFile) -> None:
        method = getattr(self, f"_read_{source.kind.value}")
        method(source, imported)

    def _get(self, source: _Source, row: list[str], column: str) -> str:
        index = source.columns.get(column)
        return row[index] if index is not None else ""

    def _school_id(self, source: _Source, raw: str, where: str) -> str | None:
        """The row's NCES school id; a bad one is reported once per file and value."""
        nces_id = _nces_id(raw, 12)
        if nces_id is None:
            self.invalid[source.kind][raw.strip()] += 1
            if self.invalid[source.kind][raw.strip()] == 1:
                self.report.skip(f"{source.kind.value}: NCESSCH is not a 12-digit NCES id", where)
        return nces_id

    def _year(self, imported: ImportedFile, value: str) -> None:
        if not imported.school_year:
            imported.school_year = _text(value)

    def _read_directory(self, source: _Source, imported: ImportedFile) -> None:
        report, get = self.report, self._get
        for line, row in source.rows(self.tick):
            imported.rows += 1
            self._year(imported, get(source, row, "SCHOOL_YEAR"))
            name = _text(get(source, row, "SCH_NAME"))
            where = f"{source.name} line {line}: {get(source, row, 'NCESSCH').strip()} {name}"
            nces_id = self._school_id(source, get(source, row, "NCESSCH"), where)
            if nces_id is None:
                continue
            district_id = _nces_id(get(source, row, "LEAID"), 7)
            if district_id is None:
                report.skip("directory: LEAID is not a 7-digit NCES LEA id", where)
                continue
            if not nces_id.startswith(district_id):
                report.skip("directory: NCESSCH does not start with the school's LEAID", where)
                continue
            district_name = _text(get(source, row, "LEA_NAME"))
            if not name or not district_name:
                report.skip("directory: school or district name missing", where)
                continue
            code = get(source, row, "ST").strip().upper()
            state_id = self.states.get(code) or self.state_fips.get(
                get(source, row, "FIPST").strip().zfill(2)
            )
            if state_id is None:
                report.skip("directory: state not in the geography (load it first)", where)
                continue
            if nces_id in self.directory:
                report.skip("directory: NCESSCH listed twice (first row kept)", where)
                continue

            notes: list[str] = []  # reported only if the school is written
            # The status updated during the year, else the one at its start; text or code.
            status = (
                _text(get(source, row, "UPDATED_STATUS_TEXT"))
                or _text(get(source, row, "SY_STATUS_TEXT"))
                or STATUS_CODES.get(get(source, row, "UPDATED_STATUS").strip(), "")
                or STATUS_CODES.get(get(source, row, "SY_STATUS").strip(), "")
            ).lower()
            is_active = status not in CLOSED_STATUSES | FUTURE_STATUSES
            if status and status not in OPEN_STATUSES and is_active:
                notes.append("directory: status not recognized: taken as open")

            zip_code_id = zip_county_id = None
            raw_zip = get(source, row, "LZIP")
            try:
                code5 = normalize_zip(raw_zip)
            except MalformedZip:
                notes.append("directory: ZIP code malformed: stored without a ZIP")
            else:
                found = self.zips.get(code5)
                if found is None:
                    notes.append("directory: ZIP code not in the geography: stored without it")
                else:
                    zip_code_id, _, zip_county_id = found

            lowest = _grade(get(source, row, "GSLO"))
            highest = _grade(get(source, row, "GSHI"))
            if not lowest or not highest:
                notes.append("directory: grades not reported")
                lowest = highest = ""
            elif GRADE_ORDER.get(lowest, -2) > GRADE_ORDER.get(highest, 99):
                notes.append("directory: lowest grade above highest: grades not stored")
                lowest = highest = ""

            self.directory[nces_id] = _DirectoryRow(
                where=where,
                nces_id=nces_id,
                district_id=district_id,
                district_name=district_name,
                state_id=state_id,
                name=name,
                street=_text(get(source, row, "LSTREET1")),
                city=_text(get(source, row, "LCITY")),
                zip_code_id=zip_code_id,
                zip_county_id=zip_county_id,
                phone=_phone(get(source, row, "PHONE")),
                lowest_grade=lowest,
                highest_grade=highest,
                is_active=is_active,
                notes=notes,
            )

    def _read_membership(self, source: _Source, imported: ImportedFile) -> None:
        columns = source.columns
        i_id, i_total = columns["NCESSCH"], columns["TOTAL_INDICATOR"]
        i_race, i_sex, i_count = columns["RACE_ETHNICITY"], columns["SEX"], columns["STUDENT_COUNT"]
        i_flag, i_year = columns.get("DMS_FLAG"), columns.get("SCHOOL_YEAR")
        for line, row in source.rows(self.tick):
            imported.rows += 1
            indicator = " ".join(row[i_total].lower().split())
            is_total = indicator in (TOTAL, TOTAL_MINUS_ADULT)
            is_cell = "subtotal" in indicator and "race/ethnicity and sex" in indicator
            if not (is_total or is_cell):
                continue  # the detail by grade, and subtotals by grade
            if i_year is not None:
                self._year(imported, row[i_year])
            nces_id = self._school_id(source, row[i_id], f"{source.name} line {line}: {row[i_id]}")
            if nces_id is None:
                continue
            school = self.membership.get(nces_id)
            if school is None:
                school = self.membership[nces_id] = _Membership(
                    f"{source.name} line {line}: {nces_id}"
                )
            flag = row[i_flag] if i_flag is not None else ""
            count = _count(row[i_count], flag)
            if indicator == TOTAL:
                school.total = count
            elif indicator == TOTAL_MINUS_ADULT:
                school.total_minus_adult = count
            else:
                school.cells += 1
                if count is None:
                    if not _not_applicable(row[i_count], flag):
                        school.missing_cells += 1
                    continue
                school.counted += count
                if row[i_sex].strip().lower() == "female":
                    school.female += count
                if " ".join(row[i_race].lower().split()) in URM:
                    school.urm += count

    def _read_lunch(self, source: _Source, imported: ImportedFile) -> None:
        get = self._get
        has_group = "DATA_GROUP" in source.columns
        for line, row in source.rows(self.tick):
            imported.rows += 1
            # The file also holds the direct certification counts: not lunch qualification.
            if has_group and "lunch" not in get(source, row, "DATA_GROUP").lower():
                continue
            self._year(imported, get(source, row, "SCHOOL_YEAR"))
            program = " ".join(get(source, row, "LUNCH_PROGRAM").lower().split())
            indicator = " ".join(get(source, row, "TOTAL_INDICATOR").lower().split())
            if indicator != TOTAL and program not in (FREE, REDUCED):
                continue
            raw_id = get(source, row, "NCESSCH")
            nces_id = self._school_id(source, raw_id, f"{source.name} line {line}: {raw_id}")
            if nces_id is None:
                continue
            school = self.lunch.get(nces_id)
            if school is None:
                school = self.lunch[nces_id] = _Lunch(f"{source.name} line {line}: {nces_id}")
            count = _count(get(source, row, "STUDENT_COUNT"), get(source, row, "DMS_FLAG"))
            if indicator == TOTAL:
                school.total = count
            elif program == FREE:
                school.free = count
            else:
                school.reduced = count

    def _read_geocode(self, source: _Source, imported: ImportedFile) -> None:
        report, get = self.report, self._get
        for line, row in source.rows(self.tick):
            imported.rows += 1
            self._year(imported, get(source, row, "SCHOOLYEAR") or get(source, row, "SCHOOL_YEAR"))
            where = f"{source.name} line {line}: {get(source, row, 'NCESSCH').strip()}"
            nces_id = self._school_id(source, get(source, row, "NCESSCH"), where)
            if nces_id is None:
                continue
            if nces_id in self.geocode:
                report.skip("geocode: NCESSCH listed twice (first row kept)", where)
                continue
            notes: list[str] = []  # reported only if the school is written
            latitude = _decimal(get(source, row, "LAT"), -90, 90)
            longitude = _decimal(get(source, row, "LON"), -180, 180)
            if latitude is None or longitude is None:
                latitude = longitude = None
                notes.append("geocode: coordinates missing or out of range")
            raw_locale = _text(get(source, row, "LOCALE"))
            locale_code = _locale_code(raw_locale)
            if locale_code is None and raw_locale.upper() not in ("", "M", "N"):
                notes.append("geocode: locale code not recognized")
            fips = _county_fips(get(source, row, "CNTY"))
            county_id, county_state_id = self.counties.get(fips, (None, None))
            if county_id is None and _text(get(source, row, "CNTY")):
                notes.append("geocode: county FIPS not in the geography: county from the ZIP")
            self.geocode[nces_id] = _Geocode(
                where, latitude, longitude, county_id, county_state_id, locale_code, notes
            )


# -- writing -------------------------------------------------------------------------------


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(model, nces_ids: Iterable[str]) -> dict:
    found = {}
    for chunk in _chunks(sorted(set(nces_ids)), 900):
        found.update({obj.nces_id: obj for obj in model.objects.filter(nces_id__in=chunk)})
    return found


def _valid(obj, report: ImportReport, where: str, noun: str) -> bool:
    """Model validation without a query per row: the keys come from our own lookups and
    uniqueness from matching on the NCES id; the database enforces the constraints too."""
    try:
        obj.full_clean(exclude=FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fields = ", ".join(sorted(exc.message_dict)) if hasattr(exc, "error_dict") else "values"
        report.skip(f"{noun}: invalid {fields}", where)
        return False
    return True


def _write_districts(reader: _Reader, report: ImportReport) -> dict[str, District]:
    wanted: dict[str, _DirectoryRow] = {}
    for row in reader.directory.values():
        wanted.setdefault(row.district_id, row)
    existing = _existing(District, wanted)
    new, changed = [], []
    now = timezone.now()
    for nces_id, row in sorted(wanted.items()):
        district = existing.get(nces_id)
        values = {"name": row.district_name[:200], "state_id": row.state_id}
        if district is None:
            district = District(nces_id=nces_id, **values)
            if _valid(district, report, row.where, "district"):
                new.append(district)
                existing[nces_id] = district
        elif any(getattr(district, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(district, k, v)
            district.updated_at = now
            if _valid(district, report, row.where, "district"):
                changed.append(district)
        else:
            report.unchanged["districts"] += 1
    for chunk in _chunks(new):
        District.objects.bulk_create(chunk)
    for chunk in _chunks(changed):
        District.objects.bulk_update(chunk, ["name", "state", "updated_at"])
    report.created["districts"] += len(new)
    report.updated["districts"] += len(changed)
    return {k: v for k, v in existing.items() if v.pk is not None}


def _school_values(reader: _Reader, report: ImportReport, school: School | None, nces_id: str):
    """The new values for one school from every file that mentions it."""
    values: dict = {}
    row = reader.directory.get(nces_id)
    geocode = reader.geocode.get(nces_id)
    state_id = row.state_id if row else school.state_id
    if row:
        values.update(
            name=row.name[:200],
            state_id=row.state_id,
            zip_code_id=row.zip_code_id,
            street=row.street[:200],
            city=row.city[:100],
            phone=row.phone,
            lowest_grade=row.lowest_grade,
            highest_grade=row.highest_grade,
            is_active=row.is_active,
        )
    if geocode:
        values.update(
            latitude=geocode.latitude,
            longitude=geocode.longitude,
            locale_code=geocode.locale_code,
            locale=locale_for_code(geocode.locale_code),
        )
    # The county: EDGE's when it has one in the school's state, else the ZIP's (but a
    # county EDGE gave before stays until the ZIP changes).
    if geocode and geocode.county_id:
        if geocode.county_state_id == state_id:
            values["county_id"] = geocode.county_id
        else:
            report.warn("geocode: county in another state than the school: not used", geocode.where)
    moved = row is not None and (
        school is None or school.county_id is None or school.zip_code_id != row.zip_code_id
    )
    if "county_id" not in values and moved:
        values["county_id"] = row.zip_county_id

    membership = reader.membership.get(nces_id)
    if membership:
        values["enrollment"] = membership.enrollment
        if membership.enrollment is None:
            report.warn("membership: enrollment not reported", membership.where)
        if membership.missing_cells:
            report.warn(
                "membership: counts by race/ethnicity and sex suppressed or missing: "
                "URM and female shares not stored",
                membership.where,
            )
            values["urm_share"] = values["female_share"] = None
        else:
            values["urm_share"] = _share(membership.urm, membership.counted)
            values["female_share"] = _share(membership.female, membership.counted)
    lunch = reader.lunch.get(nces_id)
    if lunch:
        enrollment = values["enrollment"] if membership else getattr(school, "enrollment", None)
        qualified = lunch.qualified
        if qualified is None:
            report.warn("lunch: free/reduced-price count suppressed or missing", lunch.where)
        elif not enrollment:
            report.warn("lunch: no enrollment to divide the lunch count by", lunch.where)
        elif qualified > enrollment:
            report.warn("lunch: more qualified than enrolled: share not stored", lunch.where)
        values["frl_share"] = _share(qualified, enrollment) if qualified is not None else None
    return values


def _write_schools(
    reader: _Reader,
    report: ImportReport,
    districts: dict[str, District],
    existing: dict[str, School],
    mentioned: set[str],
) -> None:
    new, changed = [], []
    now = timezone.now()
    for nces_id in sorted(mentioned):
        school = existing.get(nces_id)
        row = reader.directory.get(nces_id)
        if row is None and school is None:
            for kind, data in (
                (FileKind.MEMBERSHIP, reader.membership),
                (FileKind.LUNCH, reader.lunch),
                (FileKind.GEOCODE, reader.geocode),
            ):
                if nces_id in data:
                    report.skip(
                        f"{kind.value}: school not imported (not in the directory file, "
                        "or skipped there)",
                        data[nces_id].where,
                    )
            continue
        district = districts.get(row.district_id) if row else None
        if row is not None and district is None:
            continue  # its district was invalid: reported there
        for record in (row, reader.geocode.get(nces_id)):
            for note in record.notes if record else ():
                report.warn(note, record.where)
        values = _school_values(reader, report, school, nces_id)
        if district is not None:
            values["district_id"] = district.pk
        where = row.where if row else nces_id
        if school is None:
            school = School(nces_id=nces_id, **values)
            if _valid(school, report, where, "school"):
                new.append(school)
        elif any(getattr(school, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(school, k, v)
            school.updated_at = now
            if _valid(school, report, where, "school"):
                changed.append(school)
        else:
            report.unchanged["schools"] += 1
    for chunk in _chunks(new):
        School.objects.bulk_create(chunk)
    for chunk in _chunks(changed):
        School.objects.bulk_update(chunk, [*SCHOOL_FIELDS, "updated_at"])
    report.created["schools"] += len(new)
    report.updated["schools"] += len(changed)


def schools_import(
    *,
    paths: Iterable[str | Path],
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update districts and schools from CCD and EDGE files; twice changes nothing.

    Every file is checked before anything is read: a file of unknown kind, or two files of
    the same kind, raise ImportFileError. `progress` is called with the bytes read since the
    last call, `on_total` once with the bytes about to be read. All writes are one transaction.
    """
    sources: list[_Source] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        sources.append(_inspect(path))
    if not sources:
        raise ImportFileError("No file to import.")
    by_kind: dict[FileKind, list[str]] = defaultdict(list)
    for source in sources:
        by_kind[source.kind].append(source.name)
    for kind, names in by_kind.items():
        if len(names) > 1:
            raise ImportFileError(
                f"Two {kind.label} files ({', '.join(names)}): import one school year at a time."
            )

    if on_total:
        on_total(sum(s.size for s in sources))
    report = ImportReport()
    reader = _Reader(report, progress or (lambda n: None))
    for source in sources:
        imported = ImportedFile(source.name, source.kind)
        report.files.append(imported)
        reader.read(source, imported)

    with transaction.atomic():
        mentioned = set(reader.directory) | set(reader.membership) | set(reader.lunch)
        mentioned |= set(reader.geocode)
        existing = _existing(School, mentioned)
        # A closed school is worth recording only to close one we have: a new one is skipped
        # before its district is made.
        for nces_id, row in list(reader.directory.items()):
            if not row.is_active and nces_id not in existing:
                report.skip("directory: closed or not yet open, and never imported", row.where)
                del reader.directory[nces_id]
        districts = _write_districts(reader, report)
        _write_schools(reader, report, districts, existing, mentioned)
    return report
