"""Login throttling (django-axes), password rules, staff sessions that expire, security headers."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory, make_tenant

pytestmark = pytest.mark.django_db

LOGIN = "/comptes/login/"


def _login(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def _fail(client, email, times) -> list[int]:
    return [_login(client, email, "mauvais-mot-de-passe").status_code for _ in range(times)]


def test_five_failures_lock_the_account_even_with_the_right_password(client, alice):
    assert _fail(client, alice.email, 5) == [200, 200, 200, 200, 429]
    response = _login(client, alice.email, PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives de connexion ont échoué" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock_and_a_success_resets_them(client, alice):
    _fail(client, alice.email, 4)
    assert _login(client, alice.email, PASSWORD).status_code == 302
    client.logout()
    _fail(client, alice.email, 4)
    assert _login(client, alice.email, PASSWORD).status_code == 302


def test_the_lock_of_one_account_leaves_the_others_alone(client, alice, bob):
    _fail(client, alice.email, 5)
    assert _login(client, bob.email, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off_time(client, alice, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, alice.email, 5)
        assert _login(client, alice.email, PASSWORD).status_code == 429
    later = start + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert _login(client, alice.email, PASSWORD).status_code == 302


def test_a_superuser_unlocks_an_account_in_admin(client, alice):
    from axes.models import AccessAttempt

    _fail(client, alice.email, 5)
    attempt = AccessAttempt.objects.get(username=alice.email)
    admin = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    client.logout()
    assert _login(client, alice.email, PASSWORD).status_code == 302


def test_landlord_staff_cannot_read_the_login_attempts(client, alice):
    _fail(client, "quelquun@sdh.example", 2)
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_a_weak_new_password_is_refused_in_french(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123456", "new_password2": "123456"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in page
    assert "Ce mot de passe est trop courant" in page
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_staff_sessions_end_after_the_idle_time(client, alice, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    start = timezone.now()
    idle = datetime.timedelta(minutes=settings.STAFF_SESSION_IDLE_MINUTES)
    with time_machine.travel(start, tick=False):
        assert _login(client, alice.email, PASSWORD).status_code == 302
        assert client.get(reverse("housing:staff_home")).status_code == 200
    # Activity pushes the end further: still in just before the idle time after the last request.
    with time_machine.travel(start + idle - datetime.timedelta(minutes=1), tick=False):
        assert client.get(reverse("housing:staff_home")).status_code == 200
    with time_machine.travel(start + 2 * idle, tick=False):
        response = client.get(reverse("housing:staff_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_tenant_sessions_outlast_the_staff_idle_time(client, actis_household, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    tenant = make_tenant(actis_household, email="locataire@exemple.fr")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _login(client, tenant.email, PASSWORD).status_code == 302
    later = start + datetime.timedelta(minutes=settings.STAFF_SESSION_IDLE_MINUTES * 3)
    with time_machine.travel(later, tick=False):
        assert client.get(reverse("tenant_home")).status_code == 200


def test_pages_carry_the_security_headers(client):
    response = client.get(LOGIN)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
