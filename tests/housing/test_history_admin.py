"""History of households, flags, call logs, requests and committee decisions (django-simple-history):
kept on every change through the ORM, shown in Django admin, scoped like the rest of admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from allocations.models import Decision
from housing.admin_scoping import ScopedHistoryAdmin
from housing.models import Role
from outreach.models import CallLog
from portal.models import User
from tenants.models import Household, TechnicalRequest, VulnerabilityFlag
from tests.factories import make_staff, make_tenant
from tests.tenants.conftest import file_request

pytestmark = pytest.mark.django_db

WITH_HISTORY = [Household, VulnerabilityFlag, CallLog, TechnicalRequest, Decision]
NEVER_DELETED = [CallLog, TechnicalRequest, Decision]


@pytest.fixture
def actis_admin(actis):
    user = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tenants"))
    return user


@pytest.fixture
def sdh_admin(sdh):
    user = make_staff(sdh, Role.LANDLORD_ADMIN, email="admin@sdh.example", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tenants"))
    return user


@pytest.mark.parametrize("model", WITH_HISTORY, ids=lambda m: m.__name__)
def test_each_model_keeps_its_history_and_shows_it_in_scoped_admin(model):
    assert hasattr(model, "history")
    assert isinstance(admin.site._registry[model], ScopedHistoryAdmin)


@pytest.mark.parametrize("model", NEVER_DELETED, ids=lambda m: m.__name__)
def test_call_logs_requests_and_decisions_cannot_be_deleted_even_by_a_superuser(model, rf):
    request = rf.get("/")
    request.user = User(is_superuser=True, is_staff=True)
    assert admin.site._registry[model].has_delete_permission(request) is False


def test_a_change_to_a_household_is_kept(actis_household):
    actis_household.name = "M. et Mme Martin-Durand"
    actis_household.save()
    versions = actis_household.history.order_by("history_date")
    assert [v.name for v in versions] == ["M. et Mme Martin", "M. et Mme Martin-Durand"]
    assert [v.history_type for v in versions] == ["+", "~"]


def test_the_request_author_is_recorded_from_the_web_request(client, bob, actis_household):
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    created = file_request(actis_household, tenant)
    client.force_login(bob)
    client.post(
        reverse("tenants:request_status", args=[created.pk]),
        {"status": "visit_scheduled", "message": "Visite jeudi 14 h"},
    )
    latest = created.history.latest("history_date")
    assert (latest.status, latest.history_user) == ("visit_scheduled", bob)


def test_the_history_page_shows_my_landlords_changes(client, actis_admin, actis_household):
    actis_household.name = "M. et Mme Martin-Durand"
    actis_household.save()
    client.force_login(actis_admin)
    page = client.get(reverse("admin:tenants_household_history", args=[actis_household.pk]))
    assert page.status_code == 200
    assert "M. et Mme Martin-Durand" in page.content.decode()


def test_the_history_pages_of_another_landlord_answer_404(
    client, sdh_admin, actis_household, actis_admin
):
    actis_household.name = "M. et Mme Martin-Durand"
    actis_household.save()
    version = actis_household.history.earliest("history_date")
    client.force_login(sdh_admin)
    history = reverse("admin:tenants_household_history", args=[actis_household.pk])
    assert client.get(history).status_code == 404
    one_version = reverse(
        "admin:tenants_household_simple_history", args=[actis_household.pk, version.pk]
    )
    assert client.get(one_version).status_code == 404
    client.force_login(actis_admin)
    assert client.get(one_version).status_code == 200


def test_old_versions_cannot_be_restored(client, actis_admin, actis_household):
    actis_household.name = "M. et Mme Martin-Durand"
    actis_household.save()
    version = actis_household.history.earliest("history_date")
    client.force_login(actis_admin)
    url = reverse("admin:tenants_household_simple_history", args=[actis_household.pk, version.pk])
    client.post(url, {"name": "M. et Mme Martin"})
    actis_household.refresh_from_db()
    assert actis_household.name == "M. et Mme Martin-Durand"
