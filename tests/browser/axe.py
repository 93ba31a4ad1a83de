"""axe-core in a Playwright page: run it at WCAG 2.1 A and AA, and say what failed, usefully.

axe-core comes from the npm registry (package.json devDependencies, installed by `npm ci`);
it is injected into the page under test, never served by the site.
"""

import contextlib
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


_LOADED = "() => typeof window.axe === 'object'"


def inject_axe(page: Page) -> None:
    """Load axe-core into the page (once per document)."""
    if page.evaluate(_LOADED):
        return
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm ci` (axe-core is a devDependency)")
    with contextlib.suppress(PlaywrightError):  # a Content-Security-Policy may refuse it
        page.add_script_tag(path=str(AXE_JS))
    if not page.evaluate(_LOADED):
        # The site's CSP refused the tag (a context without bypass_csp): evaluate the source
        # through the DevTools protocol instead, which a page's CSP does not govern.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    if not page.evaluate(_LOADED):
        raise RuntimeError(f"axe-core did not load into {page.url}")


def axe_violations(page: Page, tags: list[str] = WCAG_21_AA) -> list[dict]:
    """The page's violations of `tags` (WCAG 2.1 A and AA by default), as axe reports them."""
    inject_axe(page)
    return page.evaluate(_RUN, tags)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(violations: list[dict], where: str = "", max_nodes: int = 5) -> str:
    """One paragraph per violation: id, impact, help, then its failing nodes (target, html)."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}{violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:max_nodes]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {_short(node['html'])}")
            if node.get("summary"):
                lines.append(f"      {_short(node['summary'], 240)}")
        if len(violation["nodes"]) > max_nodes:
            lines.append(f"    … and {len(violation['nodes']) - max_nodes} more")
    return "\n".join(lines)


def assert_no_violations(page: Page, where: str = "") -> None:
    """Fail with every violation of WCAG 2.1 A/AA on the page, each with its failing nodes."""
    violations = axe_violations(page)
    label = where or page.url
    assert not violations, f"axe: {len(violations)} violation(s) on {label}\n" + describe(
        violations
    )
