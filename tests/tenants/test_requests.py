"""Technical requests: filing, photos, transitions, e-mails, duplicates, closing and staleness."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from tenants.errors import TenantError
from tenants.models import RequestEvent, RequestPhoto, RequestStatus, TechnicalRequest
from tenants.selectors import stale_requests
from tenants.services.requests import (
    request_add_message,
    request_add_note,
    request_assign,
    request_confirm,
    request_create,
    request_duplicates,
    request_reopen,
    request_set_status,
    working_days_before,
)
from tests.factories import BuildingFactory
from tests.tenants.conftest import file_request, jpeg_with_exif, png_bytes, upload

pytestmark = pytest.mark.django_db


def media_files(settings):
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_tenant_files_a_request_with_reference_target_date_and_one_confirmation_email(
    tenant, actis_household, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = file_request(actis_household, tenant)
    assert created.reference == f"DT-{timezone.now().year}-{created.pk:06d}"
    assert created.status == RequestStatus.NEW
    assert created.dwelling == actis_household.leases.get().dwelling
    assert created.due_at - created.created_at == pytest.approx(
        datetime.timedelta(days=15), abs=datetime.timedelta(seconds=5)
    )
    assert len(mail.outbox) == 1
    assert created.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == ["jeanne@exemple.fr"]


def test_confirmation_email_is_not_sent_twice_when_the_task_runs_again(
    tenant, actis_household, django_capture_on_commit_callbacks
):
    from tenants.tasks import send_request_confirmation

    with django_capture_on_commit_callbacks(execute=True):
        created = file_request(actis_household, tenant)
    send_request_confirmation(created.pk)
    assert len(mail.outbox) == 1


def test_no_email_before_the_commit(tenant, actis_household, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file_request(actis_household, tenant)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_staff_priority_sets_the_target_date(alice, actis_household):
    created = file_request(
        actis_household, alice, priority="urgent", channel=TechnicalRequest.Channel.PHONE
    )
    assert created.due_at - created.created_at == pytest.approx(
        datetime.timedelta(hours=24), abs=datetime.timedelta(seconds=5)
    )
    assert created.channel == "phone"


def test_target_delays_are_configurable(settings, alice, actis_household):
    settings.TECHNICAL_REQUEST_TARGET_HOURS = {"high": 48}
    created = file_request(actis_household, alice, priority="high", channel="phone")
    assert created.due_at - created.created_at == pytest.approx(
        datetime.timedelta(hours=48), abs=datetime.timedelta(seconds=5)
    )


def test_a_tenant_cannot_set_the_priority(tenant, actis_household):
    created = file_request(actis_household, tenant, priority="urgent")
    assert created.priority == "normal"


def test_a_tenant_cannot_file_for_another_household(tenant, sdh_household):
    with pytest.raises(TenantError):
        file_request(sdh_household, tenant)
    assert not TechnicalRequest.objects.exists()


def test_staff_of_another_landlord_cannot_file(charlie, actis_household):
    with pytest.raises(TenantError):
        file_request(actis_household, charlie, channel="phone")


# Photos ----------------------------------------------------------------------------------------


def test_photos_are_reencoded_without_metadata(settings, tenant, actis_household):
    created = file_request(
        actis_household,
        tenant,
        photos=[upload("a.jpg", jpeg_with_exif(), "image/jpeg"), upload("b.png")],
    )
    photos = list(created.photos.order_by("pk"))
    assert [photo.content_type for photo in photos] == ["image/jpeg", "image/png"]
    with photos[0].image.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    # The stored name is a random one, never the uploaded "a.jpg" (a random hex name may itself
    # end in "a.jpg": compare whole file names, not substrings).
    assert photos[0].image.name.rsplit("/", 1)[-1] != "a.jpg"
    assert str(settings.MEDIA_ROOT) in photos[0].image.path


def test_a_file_disguised_as_a_photo_is_refused_and_nothing_is_stored(
    settings, tenant, actis_household
):
    fake = upload("photo.jpg", b"%PDF-1.4 not a picture at all", "image/jpeg")
    with pytest.raises(TenantError, match="n'est pas une photo JPEG, PNG ou HEIC"):
        file_request(actis_household, tenant, photos=[upload("ok.png"), fake])
    assert not TechnicalRequest.objects.exists()
    assert media_files(settings) == []


def test_a_gif_is_refused_even_though_it_is_an_image(tenant, actis_household):
    import io

    output = io.BytesIO()
    Image.new("RGB", (4, 4)).save(output, format="GIF")
    with pytest.raises(TenantError, match="n'est pas une photo"):
        file_request(actis_household, tenant, photos=[upload("x.png", output.getvalue())])


def test_an_oversized_photo_is_refused(settings, tenant, actis_household):
    big = upload("grande.png", png_bytes() + b"\0" * (8 * 1024 * 1024))
    with pytest.raises(TenantError, match="dépasse 8 Mo"):
        file_request(actis_household, tenant, photos=[big])
    assert not TechnicalRequest.objects.exists()
    assert media_files(settings) == []


def test_more_than_three_photos_are_refused(settings, tenant, actis_household):
    with pytest.raises(TenantError, match="Trois photos au plus"):
        file_request(actis_household, tenant, photos=[upload() for _ in range(4)])
    created = file_request(actis_household, tenant, photos=[upload() for _ in range(3)])
    with pytest.raises(TenantError, match="Trois photos au plus"):
        request_add_message(request=created, body="", by=tenant, photos=[upload()])
    assert RequestPhoto.objects.count() == 3
    assert len(media_files(settings)) == 3


def test_photo_files_are_removed_when_the_transaction_fails(
    settings, tenant, actis_household, monkeypatch
):
    def broken(*args, **kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr(RequestPhoto.objects, "bulk_create", broken)
    with pytest.raises(IntegrityError):
        file_request(actis_household, tenant, photos=[upload()])
    assert media_files(settings) == []


# Transitions and e-mails -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("new", "acknowledged", True),
        ("acknowledged", "visit_scheduled", True),
        ("visit_scheduled", "in_progress", True),
        ("in_progress", "done", True),
        ("done", "in_progress", False),
        ("rejected", "acknowledged", False),
        ("in_progress", "rejected", False),
        ("new", "new", False),
    ],
)
def test_status_transitions(bob, actis_household, start, target, allowed):
    created = file_request(actis_household, bob, channel="phone")
    TechnicalRequest.objects.filter(pk=created.pk).update(
        status=start, rejection_reason="doublon" if start == "rejected" else ""
    )
    created.refresh_from_db()
    if allowed:
        request_set_status(request=created, status=target, by=bob)
        created.refresh_from_db()
        assert created.status == target
    else:
        with pytest.raises(TenantError, match="ne peut pas passer"):
            request_set_status(request=created, status=target, by=bob)


def test_rejection_needs_a_reason(bob, actis_household):
    created = file_request(actis_household, bob, channel="phone")
    with pytest.raises(TenantError, match="motif du refus"):
        request_set_status(request=created, status="rejected", by=bob)
    with pytest.raises(IntegrityError):
        TechnicalRequest.objects.filter(pk=created.pk).update(status="rejected")


def test_each_status_change_emails_the_tenant_once_after_commit(
    bob, tenant, actis_household, django_capture_on_commit_callbacks
):
    from tenants.tasks import send_request_update

    created = file_request(actis_household, tenant)
    with django_capture_on_commit_callbacks(execute=True):
        request_set_status(request=created, status="acknowledged", by=bob)
        event = request_set_status(
            request=created, status="visit_scheduled", by=bob, message="Mardi 10 h"
        )
    assert [message.subject for message in mail.outbox] == [
        f"Demande {created.reference} : prise en compte",
        f"Demande {created.reference} : visite programmée",
    ]
    assert "Mardi 10 h" in mail.outbox[1].body
    send_request_update(event.pk)
    assert len(mail.outbox) == 2


def test_notes_and_assignments_stay_internal_and_send_nothing(
    bob, technician, tenant, actis_household, django_capture_on_commit_callbacks
):
    created = file_request(actis_household, tenant)
    with django_capture_on_commit_callbacks(execute=True):
        request_add_note(request=created, body="Voisin du dessous à prévenir", by=bob)
        request_assign(request=created, assignee=technician, by=bob)
    assert mail.outbox == []
    kinds = dict(created.events.values_list("kind", "is_internal"))
    assert kinds == {"created": False, "note": True, "assigned": True}
    created.refresh_from_db()
    assert created.assignee == technician


def test_only_a_technician_of_the_landlord_can_be_assigned(bob, alice, charlie, actis_household):
    created = file_request(actis_household, bob, channel="phone")
    for wrong in (alice, charlie):
        with pytest.raises(TenantError, match="technicien"):
            request_assign(request=created, assignee=wrong, by=bob)


def test_tenant_writes_only_while_the_request_is_open(bob, tenant, actis_household):
    created = file_request(actis_household, tenant)
    request_add_message(request=created, body="Ça coule encore", by=tenant)
    request_set_status(request=created, status="done", by=bob)
    created.refresh_from_db()
    with pytest.raises(TenantError, match="close"):
        request_add_message(request=created, body="Encore ?", by=tenant)


# Duplicates, closing, reopening, staleness -----------------------------------------------------


def test_duplicate_guard_finds_same_category_same_dwelling_within_48_hours(tenant, actis_household):
    first = file_request(actis_household, tenant)
    dwelling = first.dwelling
    assert list(
        request_duplicates(household=actis_household, category="plumbing", dwelling=dwelling)
    ) == [first]
    assert not request_duplicates(household=actis_household, category="heating", dwelling=dwelling)
    TechnicalRequest.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=49)
    )
    assert not request_duplicates(household=actis_household, category="plumbing", dwelling=dwelling)


def test_tenant_confirms_and_rates_a_done_request(bob, tenant, actis_household):
    created = file_request(actis_household, tenant)
    with pytest.raises(TenantError):
        request_confirm(request=created, by=tenant, rating=5)
    request_set_status(request=created, status="done", by=bob)
    created.refresh_from_db()
    with pytest.raises(TenantError, match="1 à 5"):
        request_confirm(request=created, by=tenant, rating=6)
    request_confirm(request=created, by=tenant, rating=4, comment="Rapide")
    created.refresh_from_db()
    assert (created.rating, created.rating_comment) == (4, "Rapide")
    with pytest.raises(TenantError):
        request_reopen(request=created, by=tenant, message="Finalement non")


def test_tenant_reopens_within_15_days_only(
    bob, tenant, actis_household, django_capture_on_commit_callbacks
):
    created = file_request(actis_household, tenant)
    request_set_status(request=created, status="done", by=bob)
    created.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        request_reopen(request=created, by=tenant, message="Ça fuit toujours")
    created.refresh_from_db()
    assert created.status == "acknowledged"
    assert created.events.filter(kind=RequestEvent.Kind.REOPENED).exists()

    request_set_status(request=created, status="done", by=bob)
    TechnicalRequest.objects.filter(pk=created.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=16)
    )
    created.refresh_from_db()
    with pytest.raises(TenantError, match="ne peut plus être rouverte"):
        request_reopen(request=created, by=tenant, message="Encore")


def test_working_days_skip_weekends():
    friday = datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC)
    assert working_days_before(friday, 5) == friday - datetime.timedelta(days=7)
    assert working_days_before(friday, 10) == friday - datetime.timedelta(days=14)


def test_requests_without_news_for_ten_working_days_are_flagged(bob, tenant, actis_household):
    quiet = file_request(actis_household, tenant)
    busy = file_request(actis_household, tenant, category="heating")
    done = file_request(actis_household, tenant, category="lift")
    request_set_status(request=done, status="done", by=bob)
    old = timezone.now() - datetime.timedelta(days=15)
    TechnicalRequest.objects.filter(pk__in=[quiet.pk, done.pk]).update(last_update_at=old)
    assert list(stale_requests()) == [quiet]
    request_add_message(request=quiet, body="Des nouvelles ?", by=tenant)
    assert list(stale_requests()) == [quiet], "a tenant asking for news is not news"
    request_add_message(request=quiet, body="Le plombier passe jeudi", by=bob)
    assert list(stale_requests()) == []
    assert busy not in stale_requests()


def test_supervisors_are_emailed_the_quiet_requests_of_their_landlord(
    bob, alice, charlie, tenant, actis_household
):
    from tenants.tasks import notify_stale_requests

    quiet = file_request(actis_household, tenant)
    TechnicalRequest.objects.filter(pk=quiet.pk).update(
        last_update_at=timezone.now() - datetime.timedelta(days=20)
    )
    assert notify_stale_requests() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bob.email]
    assert quiet.reference in mail.outbox[0].body


def test_heic_photos_are_accepted_and_stored_as_jpeg(tenant, actis_household):
    pytest.importorskip("pillow_heif")
    import io

    output = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 90, 200)).save(output, format="HEIF")
    created = file_request(
        actis_household, tenant, photos=[upload("IMG_0001.HEIC", output.getvalue(), "image/heic")]
    )
    photo = created.photos.get()
    assert photo.content_type == "image/jpeg"
    with photo.image.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"


def test_database_refuses_a_request_without_household_unless_about_common_areas(actis):
    building = BuildingFactory(landlord=actis)
    fields = {
        "landlord": actis,
        "category": "lift",
        "description": "Panne",
        "channel": "on_site",
        "due_at": timezone.now(),
    }
    for bad in ({"location": "dwelling", "building": building}, {"location": "common_area"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            TechnicalRequest.objects.create(**fields, **bad)
    TechnicalRequest.objects.create(**fields, location="common_area", building=building)


def test_staff_files_a_common_area_request_for_no_household_but_not_a_dwelling_one(actis, bob):
    building = BuildingFactory(landlord=actis)
    with pytest.raises(TenantError, match="parties communes"):
        request_create(
            household=None,
            building=building,
            category="plumbing",
            location="dwelling",
            description="Fuite",
            channel="on_site",
            created_by=bob,
        )
    created = request_create(
        household=None,
        building=building,
        category="lift",
        location="common_area",
        description="Panne",
        channel="on_site",
        created_by=bob,
    )
    assert (created.household, created.building) == (None, building)
