"""Vacancy photos (served through a scoped view) and physical visit slots: booked once, by a
candidate or by staff, cancelled to free the slot."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from allocations.errors import AllocationError
from allocations.models import Offer, VacancyPhoto, VisitBooking, VisitSlot
from allocations.visits import vacancy_photo_add, visit_book, visit_cancel, visit_slot_create
from housing.models import Role
from tests.allocations.conftest import make_application, make_vacancy
from tests.factories import HouseholdFactory, make_staff, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png_upload(name="salon.png") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 90, 30)).save(output, format="PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


@pytest.fixture
def agent(actis):
    return make_staff(actis, Role.LETTING_AGENT, email="agent@actis.example")


@pytest.fixture
def vacancy(letting_sitting):
    return Offer.objects.get().vacancy


def later(hours=48) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def test_staff_add_a_photo_served_only_to_the_landlords_staff_and_candidates(
    client, agent, sdh, actis, vacancy, applicant
):
    client.force_login(agent)
    response = client.post(
        reverse("allocations:vacancy_photo_add", args=[vacancy.pk]),
        {"photo": png_upload(), "caption": "Séjour lumineux"},
    )
    assert response.status_code == 302
    photo = VacancyPhoto.objects.get()
    assert photo.content_type == "image/png"
    assert "salon" not in photo.image.name
    url = reverse("allocations:vacancy_photo", args=[photo.pk])
    served = client.get(url)
    assert served["Content-Type"] == "image/png"
    # Reading the stream to its end closes the file (the test client's wrapper).
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")

    client.force_login(applicant)  # a candidate for this vacancy
    served = client.get(reverse("applicant:photo", args=[photo.pk]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")

    client.force_login(make_staff(sdh, Role.LETTING_AGENT, email="agent@sdh.example"))
    assert client.get(url).status_code == 404
    client.force_login(make_tenant(HouseholdFactory(landlord=actis)))
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)  # anonymous: the login page, like every non-public page
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


def test_a_file_that_is_not_a_photo_or_has_no_caption_is_refused(vacancy, agent):
    with pytest.raises(AllocationError, match="légende"):
        vacancy_photo_add(vacancy=vacancy, upload=png_upload(), caption=" ")
    fake = SimpleUploadedFile("plan.png", b"not an image", content_type="image/png")
    with pytest.raises(AllocationError, match="n'est pas une photo"):
        vacancy_photo_add(vacancy=vacancy, upload=fake, caption="Plan")
    assert not VacancyPhoto.objects.exists()


def test_a_photo_without_file_or_caption_shows_what_to_fix_under_each_field(client, agent, vacancy):
    client.force_login(agent)
    url = reverse("allocations:vacancy_photo_add", args=[vacancy.pk])
    response = client.post(url, {"caption": ""})
    assert response.status_code == 200  # the letting page again, not a redirect
    errors = response.context["photo_form"].errors
    assert errors["photo"] == [
        "Choisissez la photo à ajouter : un fichier JPEG, PNG ou HEIC de 8 Mo au plus."
    ]
    assert "par exemple « Séjour côté balcon »" in errors["caption"][0]
    response = client.post(url, {"caption": "Séjour lumineux"})
    assert list(response.context["photo_form"].errors) == ["photo"]
    assert 'value="Séjour lumineux"' in response.content.decode()  # what was typed is kept
    assert not VacancyPhoto.objects.exists()


def test_a_slot_with_an_unreadable_date_or_too_long_shows_what_to_fix_under_each_field(
    client, agent, vacancy
):
    client.force_login(agent)
    response = client.post(
        reverse("allocations:visit_slot_add", args=[vacancy.pk]),
        {"starts_at": "mardi prochain", "duration_minutes": 300, "meeting_point": "Hall B"},
    )
    assert response.status_code == 200
    errors = response.context["slot_form"].errors
    assert "écrivez-les sous la forme jj/mm/aaaa hh:mm" in errors["starts_at"][0]
    assert errors["duration_minutes"] == [
        "Une visite dure au plus 240 minutes : pour plus long, ouvrez plusieurs créneaux."
    ]
    page = response.content.decode()
    assert "Une visite dure au plus 240 minutes" in page
    assert 'value="Hall B"' in page
    assert not VisitSlot.objects.exists()


def test_a_slot_is_in_the_future_and_once_per_time(vacancy):
    with pytest.raises(AllocationError, match="dans le futur"):
        visit_slot_create(vacancy=vacancy, starts_at=timezone.now() - datetime.timedelta(hours=1))
    start = later()
    visit_slot_create(vacancy=vacancy, starts_at=start)
    with pytest.raises(AllocationError, match="existe déjà"):
        visit_slot_create(vacancy=vacancy, starts_at=start)


def test_a_slot_is_booked_once_and_a_cancellation_frees_it(letting_sitting, vacancy):
    slot = visit_slot_create(vacancy=vacancy, starts_at=later())
    booking = visit_book(slot_id=slot.pk, application=letting_sitting.mover)
    with pytest.raises(AllocationError, match="déjà réservé"):
        visit_book(slot_id=slot.pk, application=letting_sitting.second)
    visit_cancel(booking_id=booking.pk)
    again = visit_book(slot_id=slot.pk, application=letting_sitting.second)
    assert again.status == VisitBooking.Status.BOOKED
    with pytest.raises(AllocationError, match="déjà annulée"):
        visit_cancel(booking_id=booking.pk)


def test_the_database_refuses_a_second_live_booking_of_a_slot(letting_sitting, vacancy):
    slot = visit_slot_create(vacancy=vacancy, starts_at=later())
    visit_book(slot_id=slot.pk, application=letting_sitting.mover)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitBooking.objects.create(slot=slot, application=letting_sitting.second)


def test_only_candidates_book_for_themselves_and_staff_book_for_any_active_application(
    actis, letting_sitting, vacancy
):
    outsider = make_application(actis)
    slot = visit_slot_create(vacancy=vacancy, starts_at=later())
    with pytest.raises(AllocationError, match="pas candidat"):
        visit_book(slot_id=slot.pk, application=outsider)
    assert visit_book(slot_id=slot.pk, application=outsider, as_staff=True)
    other = visit_slot_create(vacancy=vacancy, starts_at=later(72))
    with pytest.raises(AllocationError, match="déjà réservée pour cette demande"):
        visit_book(slot_id=other.pk, application=outsider, as_staff=True)


def test_a_past_slot_cannot_be_booked_nor_cancelled(letting_sitting, vacancy):
    slot = visit_slot_create(vacancy=vacancy, starts_at=later(1))
    booking = visit_book(slot_id=slot.pk, application=letting_sitting.mover)
    after = later(2)
    with pytest.raises(AllocationError, match="déjà eu lieu"):
        visit_cancel(booking_id=booking.pk, now=after)
    with pytest.raises(AllocationError, match="passé"):
        visit_book(slot_id=slot.pk, application=letting_sitting.second, now=after)


def test_staff_open_book_and_cancel_visits_on_the_letting_page(
    client, agent, letting_sitting, vacancy
):
    client.force_login(agent)
    start = timezone.localtime(later()).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("allocations:visit_slot_add", args=[vacancy.pk]),
        {"starts_at": start, "duration_minutes": 30, "meeting_point": "Hall B"},
    )
    slot = VisitSlot.objects.get()
    client.post(
        reverse("allocations:visit_slot_book", args=[vacancy.pk, slot.pk]),
        {"registration_number": letting_sitting.second.registration_number},
    )
    booking = VisitBooking.objects.get()
    assert booking.application == letting_sitting.second
    page = client.get(reverse("allocations:vacancy_letting", args=[vacancy.pk])).content.decode()
    assert "Paul Second" in page
    assert "Hall B" in page
    assert "Proposition envoyée" in page
    client.post(reverse("allocations:visit_booking_cancel", args=[vacancy.pk, booking.pk]))
    booking.refresh_from_db()
    assert booking.status == VisitBooking.Status.CANCELLED


def test_another_landlords_vacancy_letting_page_and_actions_answer_404(client, sdh, vacancy):
    client.force_login(make_staff(sdh, Role.LETTING_AGENT, email="agent@sdh.example"))
    assert client.get(reverse("allocations:vacancy_letting", args=[vacancy.pk])).status_code == 404
    response = client.post(
        reverse("allocations:visit_slot_add", args=[vacancy.pk]),
        {"starts_at": "2030-01-01T10:00", "duration_minutes": 30},
    )
    assert response.status_code == 404
    assert not VisitSlot.objects.exists()


def test_the_letting_page_runs_a_constant_number_of_queries(client, agent, actis, letting_sitting):
    vacancy = make_vacancy(actis)
    applications = [make_application(actis) for _ in range(200)]
    client.force_login(agent)
    url = reverse("allocations:vacancy_letting", args=[vacancy.pk])

    def grow(count):
        existing = VisitSlot.objects.filter(vacancy=vacancy).count()
        for index in range(existing, count):
            slot = VisitSlot.objects.create(vacancy=vacancy, starts_at=later(24 + index))
            VisitBooking.objects.create(slot=slot, application=applications[index])

    grow(10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(200)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
