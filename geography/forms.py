"""Forms of the region workspace: a region and its members, and a ZIP list to import."""

import csv
import io
import re

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from core.forms import ModelMultipleChoiceField
from partners.models import Partner

from .models import County, Region, RegionCounty, RegionState, State
from .services import MAX_ZIP_ROWS, region_validate

MAX_UPLOAD_BYTES = 1_000_000
ZIP_COLUMN_NAMES = frozenset({"zip", "zip_code", "zipcode", "zip5", "postal_code", "postalcode"})
NOT_TEXT = (
    "This file is not a CSV text file (it looks like a spreadsheet, an image or other binary "
    "data). Save it as “CSV (comma-separated)” and upload that, or paste the ZIP codes."
)
# A ZIP+4 may be written with a space ("98101 1234"); otherwise commas, semicolons and
# whitespace separate the entries of a pasted line.
_PASTED_ENTRY = re.compile(r"\d{5}[ -]\d{4}(?!\d)|[^\s,;]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _ids(values) -> set[int]:
    ids = set()
    for value in values or ():
        value = getattr(value, "pk", value)
        if str(value).isdigit():
            ids.add(int(value))
    return ids


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        if obj.status == Partner.Status.ACTIVE:
            return obj.name
        return f"{obj.name} ({obj.get_status_display().lower()})"


class CheckboxGrid(forms.CheckboxSelectMultiple):
    """Checkboxes in columns, each naming the other region that already has it (`owners`):
    the person sees the conflict before saving, and the form explains it after."""

    option_template_name = "geography/widgets/check_option.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners: dict[int, str] = {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"].pop("class", None)  # the grid is the container's class
        key = str(getattr(value, "value", value))
        option["owner"] = self.owners.get(int(key)) if key.isdigit() else None
        return option


class CountyPicker(CheckboxGrid):
    """Counties as checkboxes, one fieldset per state, only for the states being worked on.

    The form sets `choices` to the counties of those states, grouped by state: the whole list
    (3,000+ counties) is never rendered. geography/urls.py serves the same widget for htmx
    when the chosen states change.
    """

    template_name = "geography/widgets/county_picker.html"


class RegionForm(forms.Form):
    name = forms.CharField(max_length=120)
    status = forms.ChoiceField(
        choices=Region.Status.choices, widget=forms.RadioSelect, initial=Region.Status.OPEN
    )
    partner = PartnerChoiceField(
        queryset=Partner.objects.order_by("name"),
        required=False,
        label="Regional Partner",
        empty_label="No partner",
        help_text="Served and onboarding regions have their partner; "
        "open and closed regions have none.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    states = ModelMultipleChoiceField(
        queryset=State.objects.all(),
        required=False,
        label="Whole states",
        widget=CheckboxGrid(attrs={"class": "check-grid"}),
        help_text="All of each state, except counties and ZIP codes that another region "
        "claims more specifically.",
    )
    county_states = ModelMultipleChoiceField(
        queryset=State.objects.all(),
        required=False,
        label="Pick counties in",
        widget=CheckboxGrid(attrs={"class": "check-grid"}),
        help_text="Choose the states whose counties belong to the region; their counties are "
        "listed below. A state stays listed while any of its counties is chosen.",
    )
    counties = ModelMultipleChoiceField(
        queryset=County.objects.select_related("state"),
        required=False,
        label="Counties",
        widget=CountyPicker(attrs={"class": "check-grid"}),
    )

    def __init__(self, *args, region: Region | None = None, counties_url: str = "", **kwargs):
        self.region = region
        if region is not None and not kwargs.get("initial") and not (args or kwargs.get("data")):
            kwargs["initial"] = self.initial_for(region)
        super().__init__(*args, **kwargs)
        others = RegionState.objects.all()
        if region is not None:
            others = others.exclude(region=region)
        self.fields["states"].widget.owners = dict(others.values_list("state_id", "region__name"))
        if counties_url:
            # htmx: when the states to pick counties in change, fetch their counties.
            self.fields["county_states"].widget.attrs.update(
                {
                    "hx-get": counties_url,
                    "hx-trigger": "change",
                    "hx-target": "#county-picker",
                    "hx-swap": "outerHTML",
                    "hx-include": "[name='county_states'], [name='counties']",
                    "hx-indicator": "#county-picker-status",
                }
            )
        self._set_county_choices()

    @staticmethod
    def initial_for(region: Region) -> dict:
        counties = list(region.county_links.values_list("county_id", "county__state_id"))
        return {
            "name": region.name,
            "status": region.status,
            "partner": region.partner_id,
            "description": region.description,
            "states": list(region.state_links.values_list("state_id", flat=True)),
            "counties": [county_id for county_id, _ in counties],
            "county_states": sorted({state_id for _, state_id in counties}),
        }

    def _raw(self, name: str):
        if self.is_bound:
            widget = self.fields[name].widget
            return widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return self.initial.get(name) or ()

    def picking_state_ids(self) -> set[int]:
        """The states whose counties are listed: those chosen, and those of chosen counties."""
        chosen = _ids(self._raw("counties"))
        in_use = set()
        if chosen:
            in_use = set(
                County.objects.filter(pk__in=chosen).values_list("state_id", flat=True).distinct()
            )
        return _ids(self._raw("county_states")) | in_use

    def _set_county_choices(self) -> None:
        state_ids = self.picking_state_ids()
        # Keep the state checkboxes in step with the counties listed.
        if self.is_bound:
            values = [str(state_id) for state_id in sorted(state_ids)]
            self.data = self.data.copy()
            if hasattr(self.data, "setlist"):
                self.data.setlist(self.add_prefix("county_states"), values)
            else:
                self.data[self.add_prefix("county_states")] = values
        else:
            self.initial["county_states"] = sorted(state_ids)
        field = self.fields["counties"]
        owners = RegionCounty.objects.filter(county__state_id__in=state_ids)
        if self.region is not None:
            owners = owners.exclude(region=self.region)
        field.widget.owners = dict(owners.values_list("county_id", "region__name"))
        groups: dict[str, list[tuple[int, str]]] = {}
        counties = County.objects.filter(state_id__in=state_ids).select_related("state")
        for county in counties.order_by("state__name", "name"):
            groups.setdefault(county.state.name, []).append((county.pk, county.name))
        field.widget.choices = list(groups.items())

    def clean(self):
        cleaned = super().clean()
        if "status" not in cleaned:
            return cleaned
        try:
            region_validate(
                region=self.region,
                name=cleaned.get("name"),
                status=cleaned["status"],
                partner=cleaned.get("partner"),
                states=cleaned.get("states") or (),
                counties=cleaned.get("counties") or (),
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                # One explanation per field: a field already refused needs no second one.
                if name not in self.errors:
                    self.add_error(name, messages)
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "status": data["status"],
            "partner": data["partner"],
            "description": data["description"],
            "states": data["states"],
            "counties": data["counties"],
        }


def rows_from_text(text: str) -> list[tuple[int, str]]:
    """(line number, entry) for every entry pasted: one or more per line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        rows.extend((number, entry) for entry in _PASTED_ENTRY.findall(line))
    return rows


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # "Unicode text" from a spreadsheet: UTF-16 with its byte-order mark.
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ValidationError(NOT_TEXT) from error
    if b"\x00" in raw:
        raise ValidationError(NOT_TEXT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if _CONTROL.search(text):
        raise ValidationError(NOT_TEXT)
    return text


def rows_from_csv(raw: bytes) -> list[tuple[int, str]]:
    """(line number, cell) from the ZIP column: a column named zip/zip_code/zipcode, else the
    first; the header row is optional and is recognized by its name or by having no digit."""
    text = _decode(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, str]] = []
    column, first = 0, True
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if first:
                first = False
                names = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in row]
                found = next((i for i, name in enumerate(names) if name in ZIP_COLUMN_NAMES), None)
                if found is not None:
                    column = found
                    continue
                if not any(char.isdigit() for char in row[0]):
                    continue
            rows.append((reader.line_num, row[column] if column < len(row) else ""))
    except csv.Error as error:
        raise ValidationError(
            f"This CSV file cannot be read near line {reader.line_num}: {error}."
        ) from error
    return rows


class ZipImportForm(forms.Form):
    zips = forms.CharField(
        label="Paste ZIP codes",
        required=False,
        strip=False,  # leading blank lines count: the report gives line numbers
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text="One per line, or separated by commas or spaces: "
        "98101, 98101-1234 or 98101 1234.",
    )
    csv_file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        help_text="ZIP codes in the first column, or in a column named zip, zip_code or "
        "zipcode; the header row is optional. Up to 1 MB.",
    )
    mode = forms.ChoiceField(
        label="What to do with them",
        choices=[
            ("add", "Add them to the region's ZIP codes"),
            ("replace", "Replace the region's ZIP codes with them"),
        ],
        initial="add",
        widget=forms.RadioSelect,
    )

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if not upload:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"This file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(MAX_UPLOAD_BYTES)}. Split it into smaller files."
            )
        rows = rows_from_csv(upload.read())
        if not rows:
            raise ValidationError("This file has no ZIP codes in it.")
        return rows

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        pasted = rows_from_text(cleaned.get("zips") or "")
        uploaded = cleaned.get("csv_file")
        if pasted and uploaded:
            raise ValidationError("Paste ZIP codes or upload a file, not both.")
        rows = pasted or uploaded
        if not rows:
            self.add_error("zips", "Paste some ZIP codes, or upload a CSV file.")
            return cleaned
        if len(rows) > MAX_ZIP_ROWS:
            raise ValidationError(
                f"This list has {len(rows):,} entries; at most {MAX_ZIP_ROWS:,} can be "
                "imported at once. Split it into smaller lists."
            )
        cleaned["rows"] = rows
        cleaned["source"] = "file" if uploaded else "pasted list"
        return cleaned
