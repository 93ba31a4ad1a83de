import pytest
from django.core.management import call_command

from geography.models import ZipCode


@pytest.mark.django_db
def test_command_loads_selected_states_and_skips_when_asked(capsys):
    call_command("load_geography", states="HI", verbosity=0)
    out = capsys.readouterr().out
    assert "ZIP codes created" in out
    hawaii = ZipCode.objects.count()
    assert hawaii > 50
    assert set(ZipCode.objects.values_list("state__code", flat=True)) == {"HI"}

    call_command("load_geography", if_empty=True, verbosity=0)
    assert "already loaded" in capsys.readouterr().out
    assert ZipCode.objects.count() == hawaii
