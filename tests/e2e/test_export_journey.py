"""A caller exports the households: a large export is built, then offered; axe-core on the page."""

import pytest

from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect


@pytest.mark.slow
def test_caller_exports_households_and_downloads_the_file(
    journey, log_in, live_server, alice, actis_household, settings, tmp_path
):
    settings.EXPORT_SYNC_MAX_ROWS = 0  # every export goes through the worker (eager in tests)
    settings.MEDIA_ROOT = tmp_path / "media"
    page = journey.page
    log_in(alice)

    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Exports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    journey.step("exports")
    check_accessibility(page)

    page.get_by_label("Données").select_option(label="Ménages")
    page.get_by_label("Format").select_option(label="Excel (XLSX)")
    page.get_by_role("button", name="Exporter").click()
    expect(page.get_by_text("L'export est en préparation")).to_be_visible()
    link = page.get_by_role("link", name="Télécharger (Excel (XLSX))")
    expect(link).to_be_visible()
    journey.step("export-pret")
    check_accessibility(page)

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
