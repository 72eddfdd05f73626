"""Accessibility checks with axe-core, as shipped inside the axe-playwright-python package.

The script is injected into the page under test: nothing is fetched from the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Violations of these impacts fail the test; "moderate" and "minor" ones are left to review.
BLOCKING_IMPACTS = ("critical", "serious")
# Elements listed per rule: past a few, the same fault repeats (one colour used everywhere).
MAX_NODES = 10

# Lists the stylesheets that did not load (or loaded empty): axe judges contrast on the computed
# styles, so a page without its stylesheet would be checked against the browser's defaults.
_UNLOADED_STYLESHEETS_JS = """
() => Array.from(document.querySelectorAll('link[rel="stylesheet"]'))
  .filter((link) => { try { return !link.sheet || link.sheet.cssRules.length === 0; }
                      catch (error) { return true; } })
  .map((link) => link.href)
"""


def blocking_violations(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The violations of an axe result whose impact is serious or critical, worst first."""
    violations = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    return sorted(violations, key=lambda v: (BLOCKING_IMPACTS.index(v["impact"]), v["id"]))


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    """A readable list: rule id, impact, help and link, then each offending element and why."""
    lines = [f"axe-core: {len(violations)} serious or critical violation(s) on {url}"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        nodes = violation["nodes"]
        for node in nodes[:MAX_NODES]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    * {target}")
            # The summary reads "Fix any of the following:" then one reason per line: the first
            # reason is enough to see the problem (the contrast ratio and colours, the missing name).
            reasons = [line.strip() for line in (node.get("failureSummary") or "").splitlines()]
            reasons = [line for line in reasons if line and not line.startswith("Fix ")]
            if reasons:
                lines.append(f"        {reasons[0]}")
        if len(nodes) > MAX_NODES:
            lines.append(f"    * … and {len(nodes) - MAX_NODES} more element(s)")
    return "\n".join(lines)


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page as it is now; fail listing every serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    # A click that navigates returns once the new document is parsed, not once its stylesheets
    # have arrived: wait for the load event so the check below judges the finished page.
    page.wait_for_load_state("load")
    unloaded = page.evaluate(_UNLOADED_STYLESHEETS_JS)
    if unloaded:
        pytest.fail(f"stylesheet(s) not loaded on {page.url}, axe cannot judge: {unloaded}")
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    violations = blocking_violations(results.response)
    if violations:
        pytest.fail(format_violations(page.url, violations))
