"""Tenant accounts: staff invitations (single use, expiring) and activation by code."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from housing.models import Role
from portal.models import User
from tenants.errors import TenantError
from tenants.models import ActivationCode, Person, TenantInvitation
from tenants.services.accounts import (
    ACTIVATION_MAX_FAILURES,
    account_activate,
    activation_code_generate,
    tenant_invite,
)
from tests.factories import PASSWORD, PersonFactory, make_staff

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Un-mot-de-passe-solide-2026"


@pytest.fixture
def person(actis_household):
    return Person.objects.get(household=actis_household)


def invite(person, by, django_capture_on_commit_callbacks, email="jeanne.martin@exemple.fr"):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_invite(person=person, email=email, invited_by=by)
    return re.search(r"https://portail\.example(/espace/invitation/\S+/)", mail.outbox[-1].body)[1]


def test_invitation_email_link_opens_an_account_once(
    client, alice, person, django_capture_on_commit_callbacks
):
    path = invite(person, alice, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["jeanne.martin@exemple.fr"]
    assert "Actis" in mail.outbox[0].subject

    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("tenant_home")
    person.refresh_from_db()
    assert person.user.email == "jeanne.martin@exemple.fr"
    assert client.get(reverse("tenant_home")).status_code == 200

    client.logout()
    again = client.post(
        path, {"password1": "Autre-mot-2026-xyz", "password2": "Autre-mot-2026-xyz"}
    )
    assert again.status_code == 404
    assert "n'est plus valable" in again.content.decode()
    assert User.objects.filter(email="jeanne.martin@exemple.fr").count() == 1


def test_invitation_link_expires_after_seven_days(
    client, alice, person, django_capture_on_commit_callbacks
):
    path = invite(person, alice, django_capture_on_commit_callbacks)
    TenantInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(path)
    assert response.status_code == 404
    assert "n'est plus valable" in response.content.decode()


def test_a_new_invitation_cancels_the_previous_link(
    client, alice, person, django_capture_on_commit_callbacks
):
    first = invite(person, alice, django_capture_on_commit_callbacks)
    second = invite(person, alice, django_capture_on_commit_callbacks, email="j.martin@exemple.fr")
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_forged_invitation_token_is_refused(client):
    response = client.get(reverse("tenant_invitation", args=["abc:def:ghi"]))
    assert response.status_code == 404


def test_staff_of_another_landlord_cannot_invite(charlie, person):
    with pytest.raises(TenantError):
        tenant_invite(person=person, email="x@exemple.fr", invited_by=charlie)
    assert not TenantInvitation.objects.exists()


def test_invite_page_of_another_landlords_household_answers_404(client, charlie, person):
    client.force_login(charlie)
    url = reverse("tenants:tenant_invite", args=[person.household_id, person.pk])
    assert client.post(url, {"email": "x@exemple.fr"}).status_code == 404


def test_staff_invites_from_the_household_page(client, alice, person):
    client.force_login(alice)
    page = client.get(reverse("tenants:household_detail", args=[person.household_id]))
    assert "Inviter" in page.content.decode()
    url = reverse("tenants:tenant_invite", args=[person.household_id, person.pk])
    response = client.post(url, {"email": "jeanne.martin@exemple.fr"}, follow=True)
    assert "Invitation envoyée" in response.content.decode()
    assert TenantInvitation.objects.filter(person=person).count() == 1


def activate(client, reference, code, email="jeanne@exemple.fr"):
    return client.post(
        reverse("tenant_activation"),
        {
            "reference": reference,
            "code": code,
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def test_activation_code_opens_an_account_and_works_once(client, alice, person):
    code = activation_code_generate(person=person, created_by=alice)
    assert code not in ActivationCode.objects.get().code_hash
    response = activate(client, person.household.reference, code.lower())
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user.email == "jeanne@exemple.fr"

    client.logout()
    again = activate(client, person.household.reference, code, email="autre@exemple.fr")
    assert again.status_code == 200
    assert not User.objects.filter(email="autre@exemple.fr").exists()


def test_activation_never_tells_whether_a_reference_exists(client, alice, person):
    activation_code_generate(person=person, created_by=alice)
    known = activate(client, person.household.reference, "AAAA-BBBB-CCCC")
    unknown = activate(client, "MEN-INCONNU", "AAAA-BBBB-CCCC")
    known_errors = known.context["form"].non_field_errors()
    unknown_errors = unknown.context["form"].non_field_errors()
    assert known_errors == unknown_errors
    assert "La référence ou le code ne correspond pas" in known_errors[0]


def test_activation_is_rate_limited_even_with_the_right_code(alice, person):
    code = activation_code_generate(person=person, created_by=alice)
    reference = person.household.reference
    for _ in range(ACTIVATION_MAX_FAILURES):
        with pytest.raises(TenantError):
            account_activate(
                reference=reference,
                code="ZZZZ",
                email="j@exemple.fr",
                password=NEW_PASSWORD,
                client="203.0.113.9",
            )
    with pytest.raises(TenantError, match="Trop d'essais"):
        account_activate(
            reference=reference,
            code=code,
            email="j@exemple.fr",
            password=NEW_PASSWORD,
            client="198.51.100.7",
        )
    assert not User.objects.filter(email="j@exemple.fr").exists()


def test_unknown_references_count_against_the_client_too(person):
    for attempt in range(ACTIVATION_MAX_FAILURES):
        with pytest.raises(TenantError):
            account_activate(
                reference=f"MEN-{attempt}",
                code="ZZZZ",
                email="j@exemple.fr",
                password=NEW_PASSWORD,
                client="203.0.113.9",
            )
    with pytest.raises(TenantError, match="Trop d'essais"):
        account_activate(
            reference="MEN-X",
            code="ZZZZ",
            email="j@exemple.fr",
            password=NEW_PASSWORD,
            client="203.0.113.9",
        )


def test_a_new_code_replaces_the_old_one(client, alice, person):
    old = activation_code_generate(person=person, created_by=alice)
    new = activation_code_generate(person=person, created_by=alice)
    assert activate(client, person.household.reference, old).status_code == 200
    assert activate(client, person.household.reference, new).status_code == 302


def test_staff_prints_a_code_from_the_household_page(client, alice, person):
    client.force_login(alice)
    url = reverse("tenants:activation_code", args=[person.household_id, person.pk])
    response = client.post(url)
    assert response.status_code == 200
    code = response.context["code"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert person.household.reference in response.content.decode()


def test_technician_cannot_manage_accounts(client, actis, person):
    technician = make_staff(actis, Role.TECHNICIAN)
    client.force_login(technician)
    url = reverse("tenants:activation_code", args=[person.household_id, person.pk])
    assert client.post(url).status_code == 403


def test_a_person_with_an_account_gets_no_new_code(alice, actis_household):
    other = PersonFactory(household=actis_household)
    other.user = User.objects.create_user(email="deja@exemple.fr", password=PASSWORD)
    other.save()
    with pytest.raises(TenantError, match="déjà un compte"):
        activation_code_generate(person=other, created_by=alice)


def test_dead_invitation_links_are_rate_limited(client):
    for attempt in range(ACTIVATION_MAX_FAILURES):
        url = reverse("tenant_invitation", args=[f"faux-{attempt}"])
        assert client.get(url).status_code == 404
    blocked = client.get(reverse("tenant_invitation", args=["faux-encore"]))
    assert blocked.status_code == 429
    assert "Trop d'essais" in blocked.content.decode()
