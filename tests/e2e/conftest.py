"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's live server.

Every test in this folder is marked ``e2e``. Without Chromium (``E2E_CHROMIUM``, default
/usr/bin/chromium) or the playwright package the tests skip with the reason, and fail when
``REQUIRE_SERVICES=1``. A test that takes a ``journey`` records a screenshot at each ``step()``;
when it fails they are written, with one of the page at the failure, to var/e2e/<test name>/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.utils.text import slugify

from tests.conftest import missing_service
from tests.factories import PASSWORD

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # The `browser` fixture reports it: a skip, or a failure in CI.
    sync_playwright = None
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from portal.models import User

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS_DIR = E2E_DIR.parents[1] / "var" / "e2e"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOGIN_PATH = "/comptes/login/"
# Playwright's default is 30 s: a page of the live server answers in well under a second, so a
# shorter wait makes a broken test fail sooner without making a working one flaky.
TIMEOUT_MS = 10_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Runs before the builtin deselection, so that `-m e2e` and `-m "not e2e"` see the marker.
    # This hook receives every collected item, not only this folder's.
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the browser tests.

    Package-scoped rather than session-scoped on purpose: Playwright's sync API leaves its event
    loop marked as running in the test thread between calls, so while it is up Django refuses
    database access from that thread (SynchronousOnlyOperation: the factories, and the flush that
    ends each transactional test). DJANGO_ALLOW_ASYNC_UNSAFE lifts that guard for exactly as long as
    Playwright runs; stopping it after the last test of this folder gives the guard (and a free
    thread for asyncio.run) back to the rest of the suite.
    """
    if sync_playwright is None:
        missing_service("the playwright package is not installed (pip install -e '.[dev]')")
    if not os.access(CHROMIUM, os.X_OK):
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh page in its own context (no cookies from another test), French and Paris time.

    Relative URLs resolve against the live server: ``page.goto("/personnel/")``. The live server
    serves the static files (pytest-django wraps it in staticfiles' handler), so the stylesheet
    loads and axe judges the real colours.
    """
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    violations: list[str] = []
    try:
        page = context.new_page()
        # A script or style the Content Security Policy blocks is a broken page: fail the test.
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        yield page
    finally:
        context.close()
    if violations:
        pytest.fail("CSP violations:\n" + "\n".join(violations), pytrace=False)


def fill_login_form(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill the login form on the current page and submit it; fail if the portal refuses."""
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    try:
        page.wait_for_url(lambda url: urlsplit(url).path != LOGIN_PATH, timeout=5_000)
    except PlaywrightTimeoutError:
        pass
    else:
        return
    alerts = page.get_by_role("alert").all_inner_texts()
    pytest.fail(f"the login form refused {email}: {alerts or 'no message shown'}")


@pytest.fixture
def log_in(page: Page) -> Callable[..., None]:
    """``log_in(user)``: sign in through the real login form, as a person would."""

    def log_in(user: User, password: str = PASSWORD) -> None:
        page.goto(LOGIN_PATH)
        fill_login_form(page, user.email, password)

    return log_in


class Journey:
    """A path through the portal whose steps are kept as screenshots, written only on failure."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.screenshots: list[tuple[str, bytes]] = []

    def step(self, name: str) -> None:
        """Record the page as it is now under ``NN-name``."""
        label = f"{len(self.screenshots) + 1:02d}-{_slug(name)}"
        self.screenshots.append((label, self.page.screenshot(full_page=True)))

    def save(self, folder: Path) -> None:
        """Write the recorded steps, then the page as it is now (the failure), into ``folder``."""
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for label, png in self.screenshots:
            (folder / f"{label}.png").write_bytes(png)
        # A crashed or closed page cannot be captured; the steps before it are still worth keeping.
        with contextlib.suppress(PlaywrightError):
            failure = f"{len(self.screenshots) + 1:02d}-echec.png"
            self.page.screenshot(path=folder / failure, full_page=True)


@pytest.fixture
def journey(page: Page) -> Journey:
    return Journey(page)


def _slug(text: str) -> str:
    return slugify(text) or "etape"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    # The page is still open here (fixtures are torn down later), so the failure can be captured.
    if report.when == "call" and report.failed:
        journey = getattr(item, "funcargs", {}).get("journey")
        if isinstance(journey, Journey):
            folder = SCREENSHOTS_DIR / _slug(item.name)
            journey.save(folder)
            report.sections.append(("e2e screenshots", str(folder)))
    return report
