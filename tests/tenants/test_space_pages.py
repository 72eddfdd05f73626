"""The tenant's space: own household only, requests, photos, data export, call-back."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from tenants.models import ContactRequest, RequestPhoto, TechnicalRequest
from tests.tenants.conftest import file_request, upload

pytestmark = pytest.mark.django_db


def test_home_shows_dwelling_agency_household_and_open_requests(client, tenant, actis_household):
    open_request = file_request(actis_household, tenant)
    client.force_login(tenant)
    page = client.get(reverse("tenant_home")).content.decode()
    assert "Jeanne" in page
    assert open_request.reference in page
    assert "Signaler un problème" in page
    assert actis_household.landlord.name in page


def test_staff_and_strangers_get_no_tenant_space(client, alice, django_user_model):
    client.force_login(alice)
    assert client.get(reverse("tenant_home")).status_code == 404
    assert client.get(reverse("tenant_my_data_json")).status_code == 404


def test_tenant_files_a_request_with_a_photo_and_sees_it(
    client, tenant, actis_household, django_capture_on_commit_callbacks
):
    client.force_login(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tenant_request_create"),
            {
                "category": "plumbing",
                "location": "dwelling",
                "description": "Fuite sous l'évier",
                "preferred_times": "le matin",
                "photos": [upload("evier.png")],
            },
        )
    created = TechnicalRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tenant_request_detail", args=[created.pk])
    assert created.channel == "extranet"
    assert len(mail.outbox) == 1
    listing = client.get(reverse("tenant_request_list")).content.decode()
    assert created.reference in listing
    photo = created.photos.get()
    image = client.get(reverse("tenant_request_photo", args=[created.pk, photo.pk]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    image.close()


def test_a_disguised_file_gives_a_french_message_and_stores_nothing(client, tenant):
    client.force_login(tenant)
    response = client.post(
        reverse("tenant_request_create"),
        {
            "category": "plumbing",
            "location": "dwelling",
            "description": "Fuite",
            "photos": [upload("evier.jpg", b"MZ\x90\x00 executable", "image/jpeg")],
        },
    )
    assert response.status_code == 200
    assert "n&#x27;est pas une photo JPEG, PNG ou HEIC" in response.content.decode()
    assert not TechnicalRequest.objects.exists()
    assert not RequestPhoto.objects.exists()


def test_duplicate_guard_offers_to_join_the_existing_request(client, tenant, actis_household):
    first = file_request(actis_household, tenant)
    client.force_login(tenant)
    data = {"category": "plumbing", "location": "dwelling", "description": "L'eau coule"}
    response = client.post(reverse("tenant_request_create"), data)
    assert response.status_code == 200
    assert first.reference in response.content.decode()
    assert TechnicalRequest.objects.count() == 1

    join = client.post(
        reverse("tenant_request_join", args=[first.pk]), {"description": "L'eau coule"}
    )
    assert join.url == reverse("tenant_request_detail", args=[first.pk])
    assert first.events.filter(kind="message", body="L'eau coule").exists()

    anyway = client.post(reverse("tenant_request_create"), {**data, "ignore_duplicates": "on"})
    assert anyway.status_code == 302
    assert TechnicalRequest.objects.count() == 2


def test_tenant_timeline_hides_internal_notes(client, bob, tenant, actis_household):
    from tenants.services.requests import request_add_note, request_set_status

    created = file_request(actis_household, tenant)
    request_add_note(request=created, body="Locataire difficile", by=bob)
    request_set_status(request=created, status="acknowledged", by=bob, message="Bien reçu")
    client.force_login(tenant)
    page = client.get(reverse("tenant_request_detail", args=[created.pk])).content.decode()
    assert "Bien reçu" in page
    assert "Locataire difficile" not in page


def test_tenant_adds_a_message_while_open(client, tenant, actis_household):
    created = file_request(actis_household, tenant)
    client.force_login(tenant)
    url = reverse("tenant_request_message", args=[created.pk])
    response = client.post(url, {"body": "Je suis absente lundi"})
    assert response.status_code == 302
    assert created.events.filter(kind="message", body="Je suis absente lundi").exists()


def test_tenant_confirms_and_rates_from_the_page(client, bob, tenant, actis_household):
    from tenants.services.requests import request_set_status

    created = file_request(actis_household, tenant)
    request_set_status(request=created, status="done", by=bob)
    client.force_login(tenant)
    page = client.get(reverse("tenant_request_detail", args=[created.pk])).content.decode()
    assert "Les travaux sont-ils faits ?" in page
    assert "Rouvrir ma demande" in page
    client.post(reverse("tenant_request_confirm", args=[created.pk]), {"rating": "5"})
    created.refresh_from_db()
    assert created.rating == 5


@pytest.mark.parametrize(
    "url_name",
    [
        "tenant_request_detail",
        "tenant_request_message",
        "tenant_request_confirm",
        "tenant_request_reopen",
        "tenant_request_join",
    ],
)
def test_another_households_request_answers_404(
    client, tenant, sdh_tenant, sdh_household, url_name
):
    other = file_request(sdh_household, sdh_tenant)
    client.force_login(tenant)
    url = reverse(url_name, args=[other.pk])
    response = client.post(url, {"body": "x"}) if url_name != "tenant_request_detail" else None
    response = response or client.get(url)
    assert response.status_code == 404
    assert client.get(reverse(url_name, args=[other.pk + 1000])).status_code in (404, 405)


def test_another_households_photo_answers_404_also_by_guessed_ids(
    client, tenant, sdh_tenant, sdh_household, actis_household
):
    other = file_request(sdh_household, sdh_tenant, photos=[upload()])
    mine = file_request(actis_household, tenant, photos=[upload()])
    photo = other.photos.get()
    client.force_login(tenant)
    assert client.get(reverse("tenant_request_photo", args=[other.pk, photo.pk])).status_code == 404
    # My request's id with the other household's photo id: still 404.
    assert client.get(reverse("tenant_request_photo", args=[mine.pk, photo.pk])).status_code == 404
    my_photo = mine.photos.get()
    response = client.get(reverse("tenant_request_photo", args=[mine.pk, my_photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_photos_are_not_under_a_public_url(client, tenant, actis_household):
    mine = file_request(actis_household, tenant, photos=[upload()])
    client.logout()
    path = "/media/" + mine.photos.get().image.name
    assert client.get(path).status_code == 404


def test_my_data_shows_and_downloads_everything_held_flags_and_internal_notes_included(
    client, tenant, actis_household, bob, household_file
):
    """« Mes données » is the right of access (RGPD, article 15): besides what the other pages
    show, it holds the vulnerability flags, staff's internal notes and who opened the file."""
    client.force_login(tenant)
    page = client.get(reverse("tenant_my_data")).content.decode()
    assert actis_household.reference in page
    assert "Isolement signalé par la gardienne" in page
    response = client.get(reverse("tenant_my_data_json"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["ménage"]["référence"] == actis_household.reference
    [flag] = data["fragilités enregistrées"]
    assert flag["note"] == "Isolement signalé par la gardienne"
    [exported] = data["demandes techniques"]
    internal = [m for m in exported["historique"] if m["note interne du bailleur"]]
    assert [m["texte"] for m in internal] == ["Voisin bruyant"]
    [access] = data["consultations du dossier"]
    assert access["personne"] == bob.get_full_name()


def test_my_data_export_is_my_households_only(client, tenant, sdh_household, actis_household):
    client.force_login(tenant)
    data = json.loads(client.get(reverse("tenant_my_data_json")).content)
    assert data["ménage"]["référence"] == actis_household.reference
    assert sdh_household.reference not in json.dumps(data)


def test_tenant_asks_for_a_call_back_and_a_correction(client, tenant, actis_household):
    client.force_login(tenant)
    response = client.post(
        reverse("tenant_callback"),
        {"reason": "Question sur mes charges", "preferred_times": "mardi après-midi"},
    )
    assert response.status_code == 302
    client.post(reverse("tenant_correction"), {"reason": "Mon fils n'habite plus ici"})
    kinds = sorted(ContactRequest.objects.values_list("kind", flat=True))
    assert kinds == ["callback", "correction"]
    assert set(ContactRequest.objects.values_list("household", flat=True)) == {actis_household.pk}


def test_my_requests_page_query_count_does_not_grow(
    client, tenant, bob, technician, actis_household
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.services.requests import request_assign

    client.force_login(tenant)
    url = reverse("tenant_request_list")

    def add(count):
        for index in range(count):
            created = file_request(actis_household, tenant, category=["lift", "pests"][index % 2])
            request_assign(request=created, assignee=technician, by=bob)

    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        client.get(reverse("tenant_home"))
    add(12)
    with CaptureQueriesContext(connection) as many:
        listing = client.get(url)
        client.get(reverse("tenant_home"))
    assert len(listing.context["requests"]) == 14
    assert len(many) == len(few)
