"""pip-audit over the pinned requirements, for `make lint`.

Fails on a known vulnerability, unless `pip-audit-explained.txt` explains it (its id, the
package, why it does not apply or what is done about it). pip-audit alone reports a package it
could not look up as skipped and still exits 0; here a skipped package fails the check, except
when every package was skipped: then the advisory service could not be reached (no network to
it), which is said plainly and, unless PIP_AUDIT_REQUIRED=1, does not fail lint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPLAINED = ROOT / "pip-audit-explained.txt"
REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "requirements-dev.txt")


def explained_ids(path: Path = EXPLAINED) -> dict[str, str]:
    """`ID package reason...` lines; # starts a comment."""
    ids = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                vuln_id, _, reason = line.partition(" ")
                ids[vuln_id] = reason.strip()
    return ids


def classify(report: dict, explained: dict[str, str]) -> tuple[int, list[str]]:
    """(exit status, lines to print) for pip-audit's JSON report."""
    deps = report["dependencies"]
    skipped = [d for d in deps if d.get("skip_reason")]
    found, accepted = [], []
    for dep in deps:
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            known = sorted(ids & explained.keys())
            line = f"{dep['name']} {dep['version']}: {vuln['id']}"
            if known:
                accepted.append(f"{line} (explained: {explained[known[0]]})")
            else:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                found.append(f"{line}, fixed in {fixes}")
    lines = [f"pip-audit: known vulnerability explained in {EXPLAINED.name}: {a}" for a in accepted]
    if deps and len(skipped) == len(deps):
        lines.append(
            f"pip-audit: NOT CHECKED: the vulnerability service could not be reached, so none "
            f"of the {len(deps)} pinned packages was checked for known vulnerabilities."
        )
        required = os.environ.get("PIP_AUDIT_REQUIRED") == "1"
        if not required:
            lines.append("pip-audit: not failing lint for that (set PIP_AUDIT_REQUIRED=1 to).")
        return (1 if required else 0), lines
    lines += [f"pip-audit: could not check {d['name']}: {d['skip_reason']}" for d in skipped]
    lines += [f"pip-audit: VULNERABLE: {f}" for f in found]
    if found or skipped:
        return 1, lines
    lines.append(f"pip-audit: no known vulnerabilities in {len(deps)} pinned packages.")
    return 0, lines


def main() -> int:
    command = [
        str(Path(sys.executable).with_name("pip-audit")),
        *(arg for path in REQUIREMENTS for arg in ("--requirement", str(path))),
        "--no-deps",  # every transitive dependency is pinned in the files
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    # A fixed command line: the tool from this virtualenv, the project's own files.
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout + result.stderr, file=sys.stderr)
        print("pip-audit: failed to run (see above).", file=sys.stderr)
        return 1
    status, lines = classify(report, explained_ids())
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
