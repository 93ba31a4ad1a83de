"""bin/audit_dependencies.py (`make lint`): what fails lint and what only warns."""

import importlib.util
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parents[2] / "bin" / "audit_dependencies.py"
_spec = importlib.util.spec_from_file_location("audit_dependencies", _path)
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

VULN = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fix_versions": ["5.2.99"]}


def report(*deps):
    return {"dependencies": list(deps), "fixes": []}


def dep(name, vulns=(), skip=None):
    d = {"name": name, "version": "1.0", "vulns": list(vulns)}
    if skip:
        d = {"name": name, "version": "1.0", "skip_reason": skip}
    return d


def test_no_known_vulnerability_passes():
    status, lines = audit.classify(report(dep("django"), dep("redis")), {})
    assert status == 0
    assert lines == ["pip-audit: no known vulnerabilities in 2 pinned packages."]


def test_a_known_vulnerability_fails():
    status, lines = audit.classify(report(dep("django", [VULN]), dep("redis")), {})
    assert status == 1
    assert "pip-audit: VULNERABLE: django 1.0: PYSEC-2099-1, fixed in 5.2.99" in lines


def test_an_explained_vulnerability_passes_and_is_shown_by_any_of_its_ids():
    status, lines = audit.classify(
        report(dep("django", [VULN])), {"CVE-2099-1": "django: only the admin, not used"}
    )
    assert status == 0
    assert "explained: django: only the admin, not used" in lines[0]


def test_a_package_that_could_not_be_checked_fails():
    status, lines = audit.classify(report(dep("django"), dep("ours", skip="not on the index")), {})
    assert status == 1
    assert "pip-audit: could not check ours: not on the index" in lines


@pytest.mark.parametrize(("required", "expected"), [("", 0), ("1", 1)])
def test_an_unreachable_service_is_said_plainly(monkeypatch, required, expected):
    monkeypatch.setenv("PIP_AUDIT_REQUIRED", required)
    status, lines = audit.classify(report(dep("a", skip="x"), dep("b", skip="x")), {})
    assert status == expected
    assert lines[0].startswith("pip-audit: NOT CHECKED")


def test_explanations_file_ignores_comments(tmp_path):
    explained = tmp_path / "explained.txt"
    explained.write_text("# header\n\nGHSA-xxxx django  only in the admin  # note\n")
    assert audit.explained_ids(explained) == {"GHSA-xxxx": "django  only in the admin"}
