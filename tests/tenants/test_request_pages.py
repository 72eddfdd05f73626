"""Staff pages of technical requests and call-backs: scoping, roles, actions, query counts."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from housing.models import Role
from tenants.models import ContactRequest, Household, RequestEvent, TechnicalRequest
from tenants.services.requests import request_assign
from tests.factories import HouseholdFactory, make_staff
from tests.tenants.conftest import file_request, upload

pytestmark = pytest.mark.django_db


def test_triage_list_shows_overdue_first_and_my_landlords_only(
    client, alice, tenant, actis_household, sdh_household, bob
):
    recent = file_request(actis_household, tenant)
    late = file_request(actis_household, tenant, category="heating")
    TechnicalRequest.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=1)
    )
    file_request(sdh_household, make_staff(sdh_household.landlord, Role.CALLER), channel="phone")
    client.force_login(alice)
    response = client.get(reverse("tenants:request_list"))
    assert [item.pk for item in response.context["requests"]] == [late.pk, recent.pk]
    assert "en retard" in response.content.decode()


def test_triage_list_marks_only_late_requests_as_late_every_time(
    client, alice, tenant, actis_household
):
    """The page seen again (its query then runs as a prepared statement, portal.postgresql) marks
    the same requests: a request due later is never « en retard » nor « sans nouvelles »."""
    file_request(actis_household, tenant)
    client.force_login(alice)
    for _ in range(3):
        page = client.get(reverse("tenants:request_list")).content.decode()
        assert 'tag--danger">en retard' not in page
        assert "sans nouvelles</span>" not in page


def test_triage_filters(client, alice, tenant, actis_household, technician, bob):
    plumbing = file_request(actis_household, tenant)
    heating = file_request(actis_household, bob, category="heating", channel="phone")
    request_assign(request=heating, assignee=technician, by=bob)
    client.force_login(alice)
    url = reverse("tenants:request_list")

    def pks(**params):
        return [item.pk for item in client.get(url, params).context["requests"]]

    assert pks(category="heating") == [heating.pk]
    assert pks(channel="extranet") == [plumbing.pk]
    assert pks(assignee=technician.pk) == [heating.pk]
    assert pks(assignee=0) == [plumbing.pk]
    assert sorted(pks(status="open")) == sorted([plumbing.pk, heating.pk])
    assert pks(status="done") == []
    building = plumbing.dwelling.building_id
    assert sorted(pks(building=building)) == sorted([plumbing.pk, heating.pk])
    assert pks(age=7) == []
    TechnicalRequest.objects.filter(pk=plumbing.pk).update(
        last_update_at=timezone.now() - datetime.timedelta(days=20)
    )
    assert pks(stale="on") == [plumbing.pk]


def bulk_requests(landlord, count, *, assignee=None):
    """``count`` requests of ``count`` new households, due around now (some overdue)."""
    existing = set(Household.objects.values_list("pk", flat=True))
    Household.objects.bulk_create([HouseholdFactory.build(landlord=landlord) for _ in range(count)])
    now = timezone.now()
    new_households = Household.objects.exclude(pk__in=existing).order_by("pk")
    TechnicalRequest.objects.bulk_create(
        TechnicalRequest(
            landlord=landlord,
            household=household,
            reference=f"DT-T-{household.pk:06d}",
            category="plumbing",
            description="Fuite",
            channel="phone",
            assignee=assignee,
            due_at=now + datetime.timedelta(days=index % 5 - 2),
        )
        for index, household in enumerate(new_households)
    )


def test_triage_list_query_count_does_not_grow_with_requests(client, alice, actis, technician):
    client.force_login(alice)
    url = reverse("tenants:request_list")
    bulk_requests(actis, 10, assignee=technician)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    bulk_requests(actis, 190, assignee=technician)
    assert TechnicalRequest.objects.count() == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["paginator"].count == 200
    assert len(many) == len(few)


def test_charlie_of_sdh_gets_404_on_actis_requests(
    client, charlie, tenant, actis_household, sdh_household
):
    created = file_request(actis_household, tenant, photos=[upload()])
    photo = created.photos.get()
    client.force_login(charlie)
    assert client.get(reverse("tenants:request_detail", args=[created.pk])).status_code == 404
    for name in ["request_status", "request_assign", "request_note", "request_message"]:
        response = client.post(reverse(f"tenants:{name}", args=[created.pk]), {"body": "x"})
        assert response.status_code == 404, name
    photo_url = reverse("tenants:request_photo", args=[created.pk, photo.pk])
    assert client.get(photo_url).status_code == 404
    create_url = reverse("tenants:request_create", args=[actis_household.pk])
    assert client.get(create_url).status_code == 404
    assert created.reference not in client.get(reverse("tenants:request_list")).content.decode()


def test_staff_without_a_request_role_is_refused(client, actis):
    agent = make_staff(actis, Role.LETTING_AGENT)
    client.force_login(agent)
    assert client.get(reverse("tenants:request_list")).status_code == 403
    assert client.get(reverse("tenants:contact_list")).status_code == 403


def test_tenants_cannot_open_staff_pages(client, tenant, actis_household):
    created = file_request(actis_household, tenant)
    client.force_login(tenant)
    assert client.get(reverse("tenants:request_list")).status_code == 403
    assert client.get(reverse("tenants:request_detail", args=[created.pk])).status_code == 403


def test_staff_moves_a_request_to_visit_scheduled_and_the_tenant_is_emailed_once(
    client, bob, tenant, actis_household, django_capture_on_commit_callbacks
):
    created = file_request(actis_household, tenant)
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tenants:request_status", args=[created.pk]),
            {"status": "visit_scheduled", "message": "Visite jeudi 14 h"},
        )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.status == "visit_scheduled"
    assert len(mail.outbox) == 1
    assert "Visite jeudi 14 h" in mail.outbox[0].body
    client.force_login(tenant)
    page = client.get(reverse("tenant_request_detail", args=[created.pk])).content.decode()
    assert "Visite jeudi 14 h" in page


def test_refused_transition_shows_a_french_message(client, bob, tenant, actis_household):
    created = file_request(actis_household, tenant)
    client.force_login(bob)
    response = client.post(
        reverse("tenants:request_status", args=[created.pk]), {"status": "rejected"}
    )
    assert response.status_code == 400
    assert "Indiquez le motif du refus." in response.content.decode()
    created.refresh_from_db()
    assert created.status == "new"


def test_staff_page_shows_internal_notes_and_assigns(
    client, bob, tenant, technician, actis_household
):
    created = file_request(actis_household, tenant)
    client.force_login(bob)
    client.post(
        reverse("tenants:request_note", args=[created.pk]), {"body": "Clé chez la gardienne"}
    )
    client.post(reverse("tenants:request_assign", args=[created.pk]), {"assignee": technician.pk})
    page = client.get(reverse("tenants:request_detail", args=[created.pk])).content.decode()
    assert "Clé chez la gardienne" in page
    created.refresh_from_db()
    assert created.assignee == technician


def test_staff_files_a_phone_request_for_a_household(client, alice, actis_household):
    client.force_login(alice)
    url = reverse("tenants:request_create", args=[actis_household.pk])
    response = client.post(
        url,
        {
            "channel": "phone",
            "priority": "urgent",
            "category": "lift",
            "location": "common_area",
            "description": "Ascenseur bloqué au 3e",
        },
    )
    created = TechnicalRequest.objects.get()
    assert response.url == reverse("tenants:request_detail", args=[created.pk])
    assert (created.channel, created.priority, created.created_by) == ("phone", "urgent", alice)
    assert RequestEvent.objects.filter(request=created, kind="created").exists()


def test_call_back_list_and_mark_handled(client, alice, charlie, tenant, actis_household):
    contact = ContactRequest.objects.create(
        landlord=actis_household.landlord,
        household=actis_household,
        kind="callback",
        reason="Question sur le loyer",
        created_by=tenant,
    )
    client.force_login(charlie)
    assert (
        "Question sur le loyer" not in client.get(reverse("tenants:contact_list")).content.decode()
    )
    assert client.post(reverse("tenants:contact_handled", args=[contact.pk])).status_code == 404
    client.force_login(alice)
    assert "Question sur le loyer" in client.get(reverse("tenants:contact_list")).content.decode()
    client.post(reverse("tenants:contact_handled", args=[contact.pk]))
    contact.refresh_from_db()
    assert contact.handled_by == alice
    assert (
        "Question sur le loyer" not in client.get(reverse("tenants:contact_list")).content.decode()
    )


def test_supervisors_see_delays_and_satisfaction_per_category_and_technician(
    client, bob, alice, tenant, technician, actis_household
):
    from tenants.services.requests import request_confirm, request_set_status

    done = file_request(actis_household, tenant)
    request_assign(request=done, assignee=technician, by=bob)
    request_set_status(request=done, status="done", by=bob)
    done.refresh_from_db()
    request_confirm(request=done, by=tenant, rating=4)
    late = file_request(actis_household, tenant, category="heating")
    TechnicalRequest.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    client.force_login(bob)
    response = client.get(reverse("tenants:request_statistics"))
    by_category = {row["category"]: row for row in response.context["by_category"]}
    assert by_category["plumbing"]["average_rating"] == 4
    assert by_category["plumbing"]["done"] == 1
    assert by_category["heating"]["overdue"] == 1
    by_assignee = {row["assignee"]: row for row in response.context["by_assignee"]}
    assert by_assignee[technician.pk]["done"] == 1
    assert "4,0/5" in response.content.decode()
    client.force_login(alice)
    assert client.get(reverse("tenants:request_statistics")).status_code == 403
