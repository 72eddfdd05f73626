"""Prints the isolation sweep's figures in pytest's terminal summary."""

from tests.security.summary import SWEEP_FIGURES


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures = config.stash.get(SWEEP_FIGURES, None)
    if not figures:
        return
    terminalreporter.section("isolation sweep")
    terminalreporter.write_line(
        f"{figures['routes']} routes walked, {figures['total']} cases checked:"
    )
    for kind, count in sorted(figures["cases"].items()):
        terminalreporter.write_line(f"  {kind}: {count}")
