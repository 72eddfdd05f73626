"""The call-log export carries the callers' free-text notes: only those who supervise get it."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from housing.exports import ExportError, export_request
from housing.models import Export, Role, StaffMembership
from outreach.models import CallLog, CallOutcome, Campaign
from tests.factories import make_staff
from tests.housing.test_exports import read_csv
from tests.outreach.test_campaign_pages import make_log

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC)
EXPORTS = "/personnel/exports/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def logs(actis_household, sdh_household, alice, charlie):
    for household, caller, note in [
        (actis_household, alice, "Mme Martin inquiète pour son fils"),
        (sdh_household, charlie, "Note de SDH"),
    ]:
        campaign = Campaign.objects.create(
            landlord=household.landlord, name="Appels été", status="active"
        )
        make_log(campaign, household, caller, CallOutcome.REACHED_WELL, WHEN, notes=note)


def test_a_caller_is_not_offered_the_call_logs_and_is_refused_them(client, alice, logs, settings):
    client.force_login(alice)
    page = client.get(EXPORTS)
    kinds = [kind for kind, _label in page.context["form"].fields["kind"].choices]
    assert "call_logs" not in kinds
    assert "households" in kinds
    assert "Appels passés" not in page.content.decode()

    response = client.post(EXPORTS, {"kind": "call_logs", "format": "csv"})
    assert response.status_code == 403
    settings.EXPORT_SYNC_MAX_ROWS = 0  # a large export would be recorded for the worker: not this
    assert client.post(EXPORTS, {"kind": "call_logs", "format": "xlsx"}).status_code == 403
    assert not Export.objects.exists()
    with pytest.raises(ExportError, match="Votre rôle ne donne pas accès à cet export"):
        export_request(user=alice, kind="call_logs", format="csv")


def test_a_supervisor_exports_the_call_logs_of_the_landlords_they_supervise(client, bob, sdh, logs):
    # Bob supervises at Actis and only calls for SDH: SDH's notes are not his to export.
    StaffMembership.objects.create(user=bob, landlord=sdh, role=Role.CALLER)
    client.force_login(bob)
    page = client.get(EXPORTS)
    assert "Appels passés" in page.content.decode()

    response = client.post(EXPORTS, {"kind": "call_logs", "format": "csv"})
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0][-1] == "Notes"
    assert [row[-1] for row in rows[1:]] == ["Mme Martin inquiète pour son fils"]


def test_the_admin_action_exports_call_logs_only_for_a_supervising_role(client, actis, logs):
    permissions = Permission.objects.filter(content_type__app_label="outreach")
    secretary = make_staff(actis, Role.COMMITTEE_SECRETARY, is_staff=True, email="sec@a.example")
    admin = make_staff(actis, Role.LANDLORD_ADMIN, is_staff=True, email="admin@a.example")
    for user in (secretary, admin):
        user.user_permissions.set(permissions)
    changelist = reverse("admin:outreach_calllog_changelist")
    selected = {
        "action": "export_csv",
        "_selected_action": list(CallLog.objects.values_list("pk", flat=True)),
    }

    client.force_login(secretary)
    assert client.post(changelist, selected).status_code == 403

    client.force_login(admin)
    response = client.post(changelist, selected)
    assert response.status_code == 200
    assert [row[-1] for row in read_csv(response)[1:]] == ["Mme Martin inquiète pour son fils"]
