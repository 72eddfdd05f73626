"""Retention (GDPR): each landlord's policy applied nightly, set-based, idempotent, reported."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from housing.models import RetentionPolicy, RetentionRun
from outreach.models import CallLog, Campaign, Need
from outreach.services.retention import retention_apply
from outreach.tasks import apply_retention
from portal.dates import months_ago
from tenants.models import RequestPhoto, TechnicalRequest
from tests.factories import HouseholdFactory, LeaseFactory, PersonFactory, make_tenant
from tests.outreach.test_campaign_pages import make_log
from tests.tenants.conftest import file_request

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 27, 4, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def calls(actis, sdh, alice, charlie, actis_household, sdh_household):
    """At each landlord: a call of 25 months ago with notes, answers and a need; one of last month."""
    logs = {}
    for landlord, household, caller in (
        (actis, actis_household, alice),
        (sdh, sdh_household, charlie),
    ):
        campaign = Campaign.objects.create(landlord=landlord, name="Appels")
        old = make_log(
            campaign,
            household,
            caller,
            "reached_needs_help",
            months_ago(25, NOW),
            notes="Vit seule, inquiète pour sa santé.",
            answers={"1": True},
        )
        old.notes = "Vit seule, très inquiète pour sa santé."
        old.save()  # a second version in the history
        Need.objects.create(call_log=old, household=household, kind="health", note="diabète")
        recent = make_log(
            campaign, household, caller, "reached_well", months_ago(1, NOW), notes="Tout va bien."
        )
        logs[landlord.slug] = (old, recent)
    return logs


def test_call_notes_answers_and_their_history_are_anonymised_after_24_months(calls):
    runs = retention_apply(now=NOW)
    assert [run.call_logs_anonymised for run in runs] == [1, 1]
    for old, recent in calls.values():
        old.refresh_from_db()
        assert (old.notes, old.answers, old.anonymised_at) == ("", {}, NOW)
        assert old.outcome == "reached_needs_help"  # the call itself is kept
        assert set(old.history.values_list("notes", flat=True)) == {""}
        assert list(old.needs.values_list("kind", "note")) == [("health", "")]
        recent.refresh_from_db()
        assert (recent.notes, recent.anonymised_at) == ("Tout va bien.", None)


def test_a_second_run_changes_nothing_and_reports_zero(calls):
    apply_retention.apply()
    second = retention_apply(now=NOW)
    assert {(r.call_logs_anonymised, r.photos_deleted, r.accounts_deactivated) for r in second} == {
        (0, 0, 0)
    }
    assert RetentionRun.objects.count() == 4


def test_each_landlord_keeps_its_own_durations(calls, actis):
    RetentionPolicy.objects.create(landlord=actis, call_notes_months=36)
    retention_apply(now=NOW)
    actis_old, _ = calls["actis"]
    sdh_old, _ = calls["sdh"]
    actis_old.refresh_from_db()
    sdh_old.refresh_from_db()
    assert actis_old.notes != ""
    assert sdh_old.notes == ""


def test_the_database_refuses_a_duration_of_zero_months(actis):
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionPolicy.objects.create(landlord=actis, request_photos_months=0)


def _photo(request) -> RequestPhoto:
    photo = RequestPhoto(request=request, content_type="image/png", size=3)
    photo.image.save("photo.png", ContentFile(b"png"), save=False)
    photo.save()
    return photo


def test_photos_of_requests_closed_13_months_ago_are_deleted_with_their_files(
    actis_household, django_capture_on_commit_callbacks
):
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    old = file_request(actis_household, tenant)
    still_open = file_request(actis_household, tenant, category="lift")
    TechnicalRequest.objects.filter(pk=old.pk).update(status="done", closed_at=months_ago(13, NOW))
    old_photo, open_photo = _photo(old), _photo(still_open)
    with django_capture_on_commit_callbacks(execute=True):
        runs = retention_apply(now=NOW)
    assert sum(run.photos_deleted for run in runs) == 1
    assert list(RequestPhoto.objects.all()) == [open_photo]
    assert not default_storage.exists(old_photo.image.name)
    assert default_storage.exists(open_photo.image.name)
    assert TechnicalRequest.objects.filter(pk=old.pk).exists()  # the request itself stays


def test_tenant_accounts_are_deactivated_3_months_after_the_last_lease_ended(actis, alice):
    gone = HouseholdFactory(landlord=actis)
    LeaseFactory(household=gone, end_date=(NOW - datetime.timedelta(days=100)).date())
    left_recently = HouseholdFactory(landlord=actis)
    LeaseFactory(household=left_recently, end_date=(NOW - datetime.timedelta(days=30)).date())
    moved_within = HouseholdFactory(landlord=actis)
    LeaseFactory(household=moved_within, end_date=(NOW - datetime.timedelta(days=400)).date())
    LeaseFactory(household=moved_within)
    gone_user = make_tenant(gone, email="parti@exemple.fr")
    recent_user = make_tenant(left_recently, email="recent@exemple.fr")
    staying_user = make_tenant(moved_within, email="reste@exemple.fr")
    PersonFactory(household=gone, user=alice)  # staff who also lived there: never deactivated
    [run] = [r for r in retention_apply(now=NOW) if r.landlord_id == actis.pk]
    assert run.accounts_deactivated == 1
    for user, active in ((gone_user, False), (recent_user, True), (staying_user, True)):
        user.refresh_from_db()
        assert user.is_active is active
    alice.refresh_from_db()
    assert alice.is_active


def test_retention_runs_in_constant_queries_whatever_the_number_of_calls(
    actis, alice, actis_household, django_assert_max_num_queries
):
    campaign = Campaign.objects.create(landlord=actis, name="Appels")
    for day in range(30):
        household = HouseholdFactory(landlord=actis)
        make_log(campaign, household, alice, "reached_well", months_ago(30, NOW), notes=f"n{day}")
    with django_assert_max_num_queries(20):
        [run] = retention_apply(now=NOW)
    assert run.call_logs_anonymised == 30
    assert not CallLog.objects.exclude(notes="").exists()


def test_the_retention_job_runs_every_night():
    from portal.schedules import PERIODIC_TASKS

    assert any(entry["task"] == "outreach.apply_retention" for entry in PERIODIC_TASKS)
