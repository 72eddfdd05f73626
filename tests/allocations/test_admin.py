"""The committee secretary's Django admin: scoped, calling the services, frozen once closed."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from allocations.models import Candidacy, CommitteeMember, Decision, Sitting, Vacancy
from allocations.services import decision_record, sitting_close, sitting_open
from housing.models import Role
from tests.allocations.conftest import (
    add_item,
    make_application,
    make_committee,
    make_sitting,
    make_vacancy,
)
from tests.factories import DwellingFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def _with_admin_permissions(user):
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="allocations"))
    return user


@pytest.fixture
def secretary(actis):
    user = make_staff(
        actis, Role.COMMITTEE_SECRETARY, email="secretariat@actis.example", is_staff=True
    )
    return _with_admin_permissions(user)


@pytest.fixture
def sitting(actis, committee):
    return make_sitting(committee)


def _change_url(obj):
    return reverse(f"admin:allocations_{obj._meta.model_name}_change", args=[obj.pk])


def test_another_landlords_sitting_is_invisible_and_answers_404(client, sdh, secretary, sitting):
    other = make_sitting(make_committee(sdh))
    client.force_login(secretary)
    listing = client.get(reverse("admin:allocations_sitting_changelist")).content.decode()
    assert _change_url(sitting) in listing
    assert _change_url(other) not in listing
    assert client.get(_change_url(other)).status_code == 404


def test_the_propose_action_fills_the_agenda_from_scored_applications(
    client, actis, secretary, sitting
):
    item = add_item(sitting, make_vacancy(actis))
    for dalo in (True, False, False, False):
        make_application(actis, dalo=dalo, registered_on=timezone.localdate())
    client.force_login(secretary)
    response = client.post(
        reverse("admin:allocations_sitting_changelist"),
        {"action": "propose_candidates", "_selected_action": [sitting.pk]},
        follow=True,
    )
    assert "3 candidat(s) proposé(s) d&#x27;après la cotation." in response.content.decode()
    assert item.candidacies.count() == 3
    assert item.candidacies.order_by("-score").first().application.dalo


def test_opening_without_quorum_is_refused_with_the_reason(client, secretary, committee):
    sitting = make_sitting(committee, present=committee.members.filter(name="Membre 1"))
    client.force_login(secretary)
    response = client.post(
        reverse("admin:allocations_sitting_changelist"),
        {"action": "open_sittings", "_selected_action": [sitting.pk]},
        follow=True,
    )
    assert "Le quorum n&#x27;est pas atteint" in response.content.decode()
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.PLANNED


def _decision_data(candidacy, **fields):
    data = {
        "candidacy": candidacy.pk,
        "kind": "non_allocation",
        "rank": "",
        "votes_for": 3,
        "votes_against": 0,
        "reason": "",
        "missing_document": "",
        "document_deadline": "",
    }
    data.update(fields)
    return data


def test_decisions_are_recorded_through_the_service_with_its_errors(
    client, actis, secretary, sitting
):
    item = add_item(sitting, make_vacancy(actis), [make_application(actis)])
    sitting_open(sitting_id=sitting.pk)
    candidacy = item.candidacies.get()
    client.force_login(secretary)
    url = reverse("admin:allocations_decision_add")

    refused = client.post(url, _decision_data(candidacy))
    assert refused.status_code == 200
    assert "Le motif est obligatoire" in refused.content.decode()
    assert not Decision.objects.exists()

    client.post(url, _decision_data(candidacy, reason="Hors plafond de ressources."))
    decision = Decision.objects.get()
    assert decision.reason == "Hors plafond de ressources."
    assert decision.recorded_by == secretary


def test_closing_is_blocked_until_the_missing_reason_is_recorded(client, actis, secretary, sitting):
    item = add_item(sitting, make_vacancy(actis), [make_application(actis)])
    sitting_open(sitting_id=sitting.pk)
    decision_record(candidacy_id=item.candidacies.get().pk, kind="allocation", votes_for=3)
    client.force_login(secretary)
    close = {"action": "close_sittings", "_selected_action": [sitting.pk]}
    response = client.post(reverse("admin:allocations_sitting_changelist"), close, follow=True)
    assert "au moins trois" in response.content.decode()

    item.fewer_candidates_reason = "not_enough"
    item.save()
    client.post(reverse("admin:allocations_sitting_changelist"), close)
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.CLOSED


@pytest.fixture
def closed(actis, sitting):
    item = add_item(sitting, make_vacancy(actis), [make_application(actis)])
    item.fewer_candidates_reason = "not_enough"
    item.save()
    sitting_open(sitting_id=sitting.pk)
    decision = decision_record(
        candidacy_id=item.candidacies.get().pk, kind="allocation", votes_for=3
    )
    sitting_close(sitting_id=sitting.pk)
    sitting.refresh_from_db()
    return sitting, item, decision


def test_a_closed_sitting_is_read_only_in_admin(client, actis, secretary, closed):
    sitting, item, decision = closed
    client.force_login(secretary)
    page = client.get(_change_url(sitting)).content.decode()
    assert 'name="_save"' not in page
    assert reverse("allocations:sitting_minutes", args=[sitting.pk]) in page

    response = client.post(_change_url(sitting), {"place": "Ailleurs", "mode": "in_person"})
    assert response.status_code == 403
    response = client.post(
        _change_url(decision), _decision_data(decision.candidacy, kind="inadmissible", reason="x")
    )
    assert response.status_code == 403
    assert not client.get(_change_url(item)).content.decode().count('name="_save"')
    decision.refresh_from_db()
    assert decision.kind == "allocation"
    assert Candidacy.objects.filter(agenda_item=item).count() == 1


def test_even_a_superuser_cannot_change_a_frozen_decision(client, closed):
    _sitting, _item, decision = closed
    admin = UserFactory(email="root@example.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        _change_url(decision),
        _decision_data(decision.candidacy, kind="inadmissible", reason="Erreur."),
    )
    assert "La séance est close" in response.content.decode()
    decision.refresh_from_db()
    assert decision.kind == "allocation"


def test_members_who_are_not_staff_see_nothing_in_admin(client, committee, sitting):
    member_user = UserFactory(email="elu@grenoble.example")
    CommitteeMember.objects.filter(committee=committee, name="Membre 1").update(user=member_user)
    client.force_login(member_user)
    response = client.get(_change_url(sitting))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_pages_of_a_sitting_render_for_the_secretary(client, actis, secretary, sitting):
    item = add_item(sitting, make_vacancy(actis), [make_application(actis)])
    candidacy = item.candidacies.get()
    client.force_login(secretary)
    sitting_page = client.get(_change_url(sitting)).content.decode()
    assert "1 candidat(s)" in sitting_page
    assert (
        'value="propose_candidates"'
        in client.get(reverse("admin:allocations_sitting_changelist")).content.decode()
    )
    item_page = client.get(_change_url(item)).content.decode()
    assert "Enregistrer la décision" in item_page
    add_page = client.get(reverse("admin:allocations_decision_add") + f"?candidacy={candidacy.pk}")
    assert add_page.status_code == 200


def _candidacy_formset(item, rows):
    data = {
        "sitting": item.sitting_id,
        "vacancy": item.vacancy_id,
        "fewer_candidates_reason": "",
        "internal_notes": "",
        "candidacies-TOTAL_FORMS": len(rows),
        "candidacies-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "candidacies-MIN_NUM_FORMS": 0,
        "candidacies-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"candidacies-{index}-{key}"] = value
        data[f"candidacies-{index}-agenda_item"] = item.pk
    return data


def test_the_secretary_adds_and_removes_candidates_in_admin_through_the_services(
    client, actis, secretary, sitting
):
    kept = make_application(actis, registered_on=timezone.localdate())
    item = add_item(sitting, make_vacancy(actis), [kept])
    expired = make_application(actis, registered_on=timezone.localdate().replace(year=2020))
    fresh = make_application(actis, registered_on=timezone.localdate())
    client.force_login(secretary)
    kept_row = {"id": item.candidacies.get().pk, "application": kept.pk}

    response = client.post(
        _change_url(item),
        _candidacy_formset(item, [kept_row, {"application": expired.pk}]),
        follow=True,
    )
    assert "n&#x27;a pas été renouvelée depuis un an" in response.content.decode()
    assert list(item.candidacies.values_list("application", flat=True)) == [kept.pk]

    client.post(_change_url(item), _candidacy_formset(item, [kept_row, {"application": fresh.pk}]))
    assert set(item.candidacies.values_list("application", flat=True)) == {kept.pk, fresh.pk}

    fresh_row = {"id": item.candidacies.get(application=fresh).pk, "application": fresh.pk}
    client.post(
        _change_url(item), _candidacy_formset(item, [kept_row, {**fresh_row, "DELETE": "on"}])
    )
    assert list(item.candidacies.values_list("application", flat=True)) == [kept.pk]


def test_a_vacancy_added_in_admin_refuses_a_dwelling_under_works(client, actis, secretary):
    dwelling = DwellingFactory(building__landlord=actis, status="under_works")
    client.force_login(secretary)
    data = {
        "dwelling": dwelling.pk,
        "available_from": "2026-12-01",
        "rent": "400",
        "charges": "90",
        "description": "",
        "virtual_visit_url": "",
        "status": "to_let",
    }
    response = client.post(reverse("admin:allocations_vacancy_add"), data)
    assert "est en travaux : il ne peut pas être loué" in response.content.decode()
    assert not Vacancy.objects.exists()

    dwelling.status = "vacant"
    dwelling.save()
    client.post(reverse("admin:allocations_vacancy_add"), data)
    assert Vacancy.objects.get().landlord == actis


@pytest.mark.parametrize(
    "model", ["sitting", "agendaitem", "decision", "offer", "vacancy", "housingapplication"]
)
def test_admin_lists_run_a_constant_number_of_queries(
    client, actis, secretary, committee, model, django_assert_max_num_queries
):
    def grow(count):
        for _ in range(count):
            sitting = make_sitting(committee)
            item = add_item(sitting, make_vacancy(actis), [make_application(actis)])
            sitting_open(sitting_id=sitting.pk)
            decision_record(candidacy_id=item.candidacies.get().pk, kind="allocation", votes_for=3)
            item.fewer_candidates_reason = "not_enough"
            item.save()
            sitting_close(sitting_id=sitting.pk)

    grow(2)
    client.force_login(secretary)
    url = reverse(f"admin:allocations_{model}_changelist")
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    grow(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
