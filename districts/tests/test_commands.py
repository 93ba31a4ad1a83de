import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from districts.models import School
from districts.tests.test_importer import ALL, DIRECTORY

pytestmark = pytest.mark.django_db


def test_import_schools_prints_what_it_did(geography, capsys):
    out = StringIO()
    call_command("import_schools", *map(str, ALL), stdout=out)
    text = out.getvalue()
    assert f"Read {DIRECTORY.name}: CCD school directory file, 10 rows, 2022-2023." in text
    assert "Districts: 4 created, 0 updated, 0 unchanged." in text
    assert "Schools: 8 created, 0 updated, 0 unchanged." in text
    assert "Skipped (6):" in text
    assert "  1 x directory: closed or not yet open, and never imported\n" in text
    assert f"      e.g. {DIRECTORY.name} line 10: 369990200002 Hillside Primary School\n" in text
    assert "Warnings (4):" in text
    assert "different school years" not in text
    assert "NCES files" in capsys.readouterr().err  # the progress bar

    out = StringIO()
    call_command("import_schools", *map(str, ALL), stdout=out, verbosity=0)
    assert "Schools: 0 created, 0 updated, 8 unchanged." in out.getvalue()
    assert School.objects.count() == 8


def test_import_schools_refuses_unknown_and_missing_files(geography, tmp_path):
    other = tmp_path / "budget.csv"
    other.write_text("line,amount\nfood,1200\n")
    with pytest.raises(CommandError, match=re.escape("budget.csv is not a file this import knows")):
        call_command("import_schools", str(DIRECTORY), str(other), verbosity=0)
    with pytest.raises(CommandError, match=re.escape("nowhere.csv: no such file")):
        call_command("import_schools", str(tmp_path / "nowhere.csv"), verbosity=0)
    assert not School.objects.exists()
