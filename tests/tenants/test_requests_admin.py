"""Admin of technical requests and tenant accounts: scoped to the staff member's landlords."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from housing.models import Role
from portal.models import User
from tenants.models import ActivationCode, ContactRequest
from tenants.services.accounts import activation_code_generate
from tests.factories import make_staff
from tests.tenants.conftest import file_request, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def actis_admin(actis):
    user = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tenants"))
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@portail.example", "mot-de-passe-2026")


def test_request_admin_lists_my_landlords_requests_only(
    client, actis_admin, tenant, sdh_tenant, actis_household, sdh_household
):
    mine = file_request(actis_household, tenant, photos=[upload()])
    other = file_request(sdh_household, sdh_tenant)
    client.force_login(actis_admin)
    page = client.get(reverse("admin:tenants_technicalrequest_changelist")).content.decode()
    assert mine.reference in page
    assert other.reference not in page
    change = reverse("admin:tenants_technicalrequest_change", args=[mine.pk])
    assert client.get(change).status_code == 200
    other_change = reverse("admin:tenants_technicalrequest_change", args=[other.pk])
    assert client.get(other_change).status_code == 404


def test_every_new_admin_page_opens_for_a_superuser(client, superuser, tenant, actis_household):
    file_request(actis_household, tenant)
    ContactRequest.objects.create(
        landlord=actis_household.landlord, household=actis_household, kind="callback", reason="x"
    )
    client.force_login(superuser)
    for model in ["technicalrequest", "contactrequest", "tenantinvitation", "activationcode"]:
        assert client.get(reverse(f"admin:tenants_{model}_changelist")).status_code == 200, model


def test_activation_code_hash_is_never_shown_in_admin(client, superuser, actis_household):
    person = actis_household.people.get()
    activation_code_generate(person=person, created_by=superuser)
    code = ActivationCode.objects.get()
    client.force_login(superuser)
    page = client.get(reverse("admin:tenants_activationcode_change", args=[code.pk]))
    assert page.status_code == 200
    assert code.code_hash not in page.content.decode()
