"""Second factor (django-otp): required from sensitive roles and superusers, optional for others
unless their landlord asks for it; enrolment with a QR code and recovery codes shown once."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from housing.models import Role
from tests.factories import PASSWORD, UserFactory, make_staff, make_tenant

pytestmark = pytest.mark.django_db

STAFF_HOME = "/personnel/"
ENROL = "/comptes/double-authentification/activer/"
VERIFY = "/comptes/double-authentification/code/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.TWO_FACTOR_REQUIRED = True


def _code(device) -> str:
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{token:0{device.digits}d}"


def _login(client, user):
    response = client.post("/comptes/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="application", confirmed=True)


def test_a_supervisor_without_a_device_is_sent_to_enrolment_everywhere(client, bob):
    _login(client, bob)
    for url in (STAFF_HOME, "/personnel/menages/", "/personnel/campagnes/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL)


def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes_once(client, bob):
    _login(client, bob)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")
    response = client.post(ENROL, {"code": _code(device), "next": "/personnel/menages/"})
    page = response.content.decode()
    assert "La double authentification est activée" in page
    codes = list(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in page for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(STAFF_HOME).status_code == 200
    # Shown once: the enrolment page no longer lists them.
    assert codes[0] not in client.get(ENROL).content.decode()


def test_a_wrong_code_at_enrolment_is_refused_in_french(client, bob):
    _login(client, bob)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert "Ce code ne correspond pas" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=bob, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=bob).exists()
    assert client.get(STAFF_HOME)["Location"].startswith(ENROL)


def test_an_enrolled_user_gives_the_code_after_the_password(client, bob):
    device = _enrolled(bob)
    _login(client, bob)
    response = client.get("/personnel/menages/")
    assert response["Location"].startswith(VERIFY)
    refused = client.post(VERIFY, {"code": "123456"})
    assert "Code incorrect ou déjà utilisé" in refused.content.decode()
    # django-otp makes each failure wait a little longer before the next try.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        response = client.post(VERIFY, {"code": _code(device), "next": "/personnel/menages/"})
        assert response["Location"] == "/personnel/menages/"
        assert client.get("/personnel/menages/").status_code == 200


def test_a_recovery_code_works_once(client, bob):
    _enrolled(bob)
    recovery = StaticDevice.objects.create(user=bob, name="codes de secours")
    StaticToken.objects.create(device=recovery, token="secours1")
    _login(client, bob)
    assert client.post(VERIFY, {"code": "secours1"}).status_code == 302
    assert client.get(STAFF_HOME).status_code == 200
    client.logout()
    _login(client, bob)
    assert "Code incorrect" in client.post(VERIFY, {"code": "secours1"}).content.decode()


def test_the_code_page_never_redirects_off_site(client, bob):
    device = _enrolled(bob)
    _login(client, bob)
    response = client.post(VERIFY, {"code": _code(device), "next": "https://pirate.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("role", [Role.LANDLORD_ADMIN, Role.SUPERVISOR, Role.COMMITTEE_SECRETARY])
def test_sensitive_roles_must_use_it(client, actis, role):
    user = make_staff(actis, role, email=f"{role}@actis.example")
    _login(client, user)
    assert client.get(STAFF_HOME)["Location"].startswith(ENROL)


def test_superusers_must_use_it_and_admin_is_closed_until_then(client):
    root = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    _login(client, root)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_it_is_optional_for_other_roles(client, alice):
    _login(client, alice)
    assert client.get(STAFF_HOME).status_code == 200
    assert client.get(ENROL).status_code == 200  # they may enrol if they wish


def test_a_landlord_can_require_it_from_all_its_staff(client, alice, actis):
    actis.two_factor_for_all_staff = True
    actis.save()
    _login(client, alice)
    assert client.get(STAFF_HOME)["Location"].startswith(ENROL)


def test_an_optional_user_who_enrolled_is_asked_for_the_code(client, alice):
    _enrolled(alice)
    _login(client, alice)
    assert client.get(STAFF_HOME)["Location"].startswith(VERIFY)


def test_tenants_are_not_concerned(client, actis_household):
    tenant = make_tenant(actis_household, email="locataire@exemple.fr")
    _login(client, tenant)
    assert client.get("/espace/").status_code == 200
    assert client.get(ENROL).status_code == 403


def test_enrolment_makes_a_fast_second_try_wait_and_says_so(client, bob):
    _login(client, bob)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    client.post(ENROL, {"code": "000000"})
    response = client.post(ENROL, {"code": _code(device)})
    assert "attendez quelques secondes" in response.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        response = client.post(ENROL, {"code": _code(device)})
    assert "La double authentification est activée" in response.content.decode()
