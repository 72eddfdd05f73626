"""Committee members without a staff role: their committee's agendas, read-only, nothing else."""

import pytest
from django.urls import reverse

from allocations.models import CommitteeMember
from tests.allocations.conftest import (
    add_item,
    make_application,
    make_committee,
    make_sitting,
    make_vacancy,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(committee):
    user = UserFactory(email="elu@grenoble.example")
    CommitteeMember.objects.filter(committee=committee, name="Membre 1").update(user=user)
    return user


@pytest.fixture
def agenda(actis, committee):
    sitting = make_sitting(committee)
    item = add_item(
        sitting, make_vacancy(actis), [make_application(actis, applicant_name="Mme Roux")]
    )
    item.internal_notes = "Note interne : dossier signalé par l'agence."
    item.save()
    return sitting


def test_a_member_reads_the_agenda_of_their_committee_without_internal_notes(
    client, member, agenda, django_assert_max_num_queries
):
    client.force_login(member)
    listing = client.get(reverse("allocations:member_sitting_list")).content.decode()
    assert reverse("allocations:member_agenda", args=[agenda.pk]) in listing
    with django_assert_max_num_queries(10):
        page = client.get(reverse("allocations:member_agenda", args=[agenda.pk]))
    text = page.content.decode()
    assert "Mme Roux" in text
    assert "Note interne" not in text
    assert "<form" not in text.split('id="contenu"')[-1]


def test_a_member_sees_no_other_committee_and_no_staff_page(client, sdh, member):
    other = make_sitting(make_committee(sdh))
    client.force_login(member)
    assert client.get(reverse("allocations:member_agenda", args=[other.pk])).status_code == 404
    assert client.get(reverse("allocations:vacancy_list")).status_code == 403
    assert client.get(reverse("housing:building_list")).status_code == 403


def test_people_without_a_seat_are_refused(client, alice):
    client.force_login(alice)
    assert client.get(reverse("allocations:member_sitting_list")).status_code == 403


def test_navigation_flags_follow_roles_and_seats(rf, actis, member, alice):
    from django.contrib.auth.models import AnonymousUser

    from allocations.context_processors import allocations_nav
    from housing.models import Role
    from tests.factories import make_staff

    def flags(user):
        request = rf.get("/")
        request.user = user
        values = allocations_nav(request)
        return (
            bool(values["allocations_can_let"]),
            bool(values["allocations_can_committee"]),
            bool(values["allocations_is_member"]),
        )

    secretary = make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example")
    agent = make_staff(actis, Role.LETTING_AGENT, email="agent@actis.example")
    assert flags(secretary) == (True, True, False)
    assert flags(agent) == (True, False, False)
    assert flags(alice) == (False, False, False)
    assert flags(member) == (False, False, True)
    assert flags(AnonymousUser()) == (False, False, False)
