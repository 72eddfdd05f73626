"""Admin of the retention policies and their nightly reports: scoped to the user's landlords."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from housing.models import RetentionPolicy, RetentionRun, Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def _admin(landlord, email):
    user = make_staff(landlord, Role.LANDLORD_ADMIN, email=email, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__contains="retention", content_type__app_label="housing")
    )
    return user


def test_a_landlord_admin_sets_its_policy_and_reads_its_reports_only(client, actis, sdh):
    actis_policy = RetentionPolicy.objects.create(landlord=actis)
    sdh_policy = RetentionPolicy.objects.create(landlord=sdh, call_notes_months=12)
    RetentionRun.objects.create(
        landlord=sdh,
        ran_at=timezone.now(),
        call_logs_anonymised=7,
        photos_deleted=0,
        accounts_deactivated=0,
    )
    client.force_login(_admin(actis, "admin@actis.example"))
    url = reverse("admin:housing_retentionpolicy_change", args=[actis_policy.pk])
    response = client.post(
        url,
        {
            "landlord": actis.pk,
            "call_notes_months": "36",
            "request_photos_months": "12",
            "tenant_accounts_months": "3",
        },
    )
    assert response.status_code == 302
    actis_policy.refresh_from_db()
    assert actis_policy.call_notes_months == 36
    other = reverse("admin:housing_retentionpolicy_change", args=[sdh_policy.pk])
    assert client.get(other).status_code == 404
    runs = client.get(reverse("admin:housing_retentionrun_changelist"))
    assert runs.status_code == 200
    assert runs.context["cl"].result_count == 0


def test_a_policy_of_zero_months_is_refused_with_a_french_message(client, actis):
    client.force_login(_admin(actis, "admin@actis.example"))
    response = client.post(
        reverse("admin:housing_retentionpolicy_add"),
        {
            "landlord": actis.pk,
            "call_notes_months": "0",
            "request_photos_months": "12",
            "tenant_accounts_months": "3",
        },
    )
    assert response.status_code == 200
    assert "Chaque durée de conservation doit être d&#x27;au moins un mois." in (
        response.content.decode()
    )
    assert not RetentionPolicy.objects.exists()
