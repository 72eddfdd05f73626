"""A landlord admin's first login with the second factor, then the access log; a tenant sees who
opened their file. Real browser, CSP enforced, axe-core on every page."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from housing.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import expect, fill_login_form
from tests.factories import make_staff, make_tenant


def _code(device) -> str:
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{token:0{device.digits}d}"


@pytest.mark.slow
def test_an_admin_enrols_then_reads_the_access_log_and_the_tenant_sees_it(
    journey, live_server, settings, actis, actis_household, browser
):
    settings.TWO_FACTOR_REQUIRED = True
    admin = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", first_name="Anne")
    page = journey.page

    page.goto("/comptes/login/")
    fill_login_form(page, admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    expect(
        page.get_by_role("img", name="Code QR à scanner avec l’application d’authentification")
    ).to_be_visible()
    journey.step("activation")
    check_accessibility(page)

    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    page.get_by_label("Code", exact=True).fill(_code(device))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    journey.step("codes-de-secours")
    check_accessibility(page)

    page.get_by_role("link", name="Continuer").click()
    page.goto(f"/personnel/menages/{actis_household.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("M. et Mme Martin")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("link", name="Journal des consultations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal des consultations")
    expect(page.get_by_role("rowheader", name="M. et Mme Martin")).to_be_visible()
    journey.step("journal")
    check_accessibility(page)

    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    tenant_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        tenant_page = tenant_context.new_page()
        tenant_page.goto("/comptes/login/")
        fill_login_form(tenant_page, tenant.email)
        tenant_page.goto("/espace/mes-donnees/")
        tenant_page.get_by_role("link", name="Qui a consulté mon dossier").click()
        expect(tenant_page.get_by_role("heading", level=1)).to_have_text(
            "Qui a consulté mon dossier"
        )
        expect(tenant_page.get_by_role("cell", name=admin.get_full_name())).to_be_visible()
        check_accessibility(tenant_page)
    finally:
        tenant_context.close()
