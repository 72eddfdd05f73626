"""Staff pages of letting and the committee's minutes: scoping, roles, constant queries."""

import datetime
import re
import zlib

import pytest
from django.urls import reverse

from allocations.models import Decision, Offer
from allocations.services import decision_record, sitting_close, sitting_open
from housing.models import Role
from tests.allocations.conftest import (
    add_item,
    make_application,
    make_committee,
    make_sitting,
    make_vacancy,
)
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(actis):
    return make_staff(actis, Role.LETTING_AGENT, email="commercialisation@actis.example")


@pytest.fixture
def sdh_agent(sdh):
    """Charlie's colleague at SDH: a letting agent of another landlord."""
    return make_staff(sdh, Role.LETTING_AGENT, email="commercialisation@sdh.example")


def test_vacancy_list_and_detail_show_the_virtual_visit(client, agent, actis, sdh):
    vacancy = make_vacancy(actis)
    vacancy.virtual_visit_url = "https://www.youtube.com/watch?v=abc123"
    vacancy.description = "Traversant, balcon plein sud."
    vacancy.save()
    hidden = make_vacancy(sdh)
    client.force_login(agent)

    listing = client.get(reverse("allocations:vacancy_list")).content.decode()
    assert vacancy.dwelling.reference in listing
    assert hidden.dwelling.reference not in listing

    page = client.get(reverse("allocations:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "Traversant, balcon plein sud." in page
    assert 'src="https://www.youtube-nocookie.com/embed/abc123"' in page
    assert 'href="https://www.youtube.com/watch?v=abc123"' in page


def test_another_landlords_vacancy_answers_404(client, sdh_agent, charlie, actis):
    vacancy = make_vacancy(actis)
    client.force_login(sdh_agent)
    assert client.get(reverse("allocations:vacancy_detail", args=[vacancy.pk])).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["allocations:vacancy_list", "allocations:application_list", "allocations:priority_quota"],
)
def test_roles_without_letting_work_are_refused(client, alice, name):
    client.force_login(alice)  # a caller
    response = client.get(reverse(name))
    assert response.status_code == 403


def test_applications_show_their_score_and_breakdown(client, agent, actis, sdh):
    make_application(
        actis,
        applicant_name="Mme Diallo",
        registered_on=datetime.date(2025, 1, 1),
        dalo=True,
    )
    make_application(sdh, applicant_name="M. Caché")
    client.force_login(agent)
    page = client.get(reverse("allocations:application_list")).content.decode()
    assert "Mme Diallo" in page
    assert "M. Caché" not in page
    assert "DALO désigné par le préfet : 100" in page
    assert "Ancienneté" in page


@pytest.mark.parametrize("name", ["allocations:vacancy_list", "allocations:application_list"])
def test_lists_run_a_constant_number_of_queries(
    client, agent, actis, estate, name, django_assert_max_num_queries
):
    def grow(count):
        for _ in range(count):
            make_vacancy(actis)
            make_application(actis, wished_typologies=["T3"]).wished_estates.add(estate)

    grow(2)
    client.force_login(agent)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse(name)).status_code == 200
    grow(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


@pytest.fixture
def closed_sitting(actis):
    committee = make_committee(actis)
    sitting = make_sitting(committee, place="Agence Villeneuve", mode="hybrid")
    applications = [
        make_application(actis, applicant_name=name, registered_on=datetime.date(2026, 1, 5))
        for name in ["Mme Roux", "M. Blanc", "Mme Noir"]
    ]
    item = add_item(sitting, make_vacancy(actis), applications)
    lone = make_application(actis, applicant_name="M. Seul", dalo=True)
    small = add_item(sitting, make_vacancy(actis), [lone])
    small.fewer_candidates_reason = "dalo"
    small.save()
    sitting_open(sitting_id=sitting.pk)
    first, second, third = item.candidacies.order_by("pk")
    decision_record(candidacy_id=first.pk, kind="allocation", votes_for=3)
    decision_record(
        candidacy_id=second.pk,
        kind="conditional",
        rank=2,
        votes_for=3,
        missing_document="Avis d'imposition",
        document_deadline=datetime.date(2026, 4, 1),
    )
    decision_record(
        candidacy_id=third.pk,
        kind="non_allocation",
        reason="Taux d'effort trop élevé.",
        votes_for=3,
    )
    decision_record(candidacy_id=small.candidacies.get().pk, kind="allocation", votes_for=4)
    sitting_close(sitting_id=sitting.pk)
    return sitting


def test_minutes_list_members_vacancies_candidates_and_decisions(
    client, actis, closed_sitting, django_assert_max_num_queries
):
    secretary = make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example")
    client.force_login(secretary)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("allocations:sitting_minutes", args=[closed_sitting.pk]))
    page = response.content.decode()
    assert "Mme la maire adjointe" in page
    assert "Mixte – Agence Villeneuve" in page
    for text in ["Mme Roux", "M. Blanc", "Mme Noir", "M. Seul", "Taux d&#x27;effort trop élevé."]:
        assert text in page
    assert "Avis d&#x27;imposition à fournir avant le 01/04/2026" in page
    assert "Moins de trois candidats : ménage DALO désigné par le préfet." in page
    assert "provisoire" not in page
    assert Decision.objects.filter(agenda_item__sitting=closed_sitting).count() == 4


def test_minutes_of_another_landlord_answer_404_and_letting_agents_403(
    client, sdh, agent, closed_sitting
):
    url = reverse("allocations:sitting_minutes", args=[closed_sitting.pk])
    client.force_login(make_staff(sdh, Role.COMMITTEE_SECRETARY, email="sec@sdh.example"))
    assert client.get(url).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 403


def test_minutes_download_as_pdf(client, actis, closed_sitting):
    pytest.importorskip("fpdf")
    client.force_login(make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example"))
    page = client.get(reverse("allocations:sitting_minutes", args=[closed_sitting.pk]))
    pdf_url = reverse("allocations:sitting_minutes_pdf", args=[closed_sitting.pk])
    assert pdf_url in page.content.decode()
    response = client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(
        zlib.decompress(stream)
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", response.content, re.S)
    ).decode("latin-1")
    for expected in ["Mme Roux", "M. Seul", "Taux d'effort trop", "Mme la maire adjointe"]:
        assert expected in text


def _let(landlord, committee, *, year: int, **criteria):
    """A dwelling let in ``year`` to an application with ``criteria``."""
    application = make_application(landlord, **criteria)
    sitting = make_sitting(committee)
    item = add_item(sitting, make_vacancy(landlord), [application])
    decision = Decision.objects.create(
        candidacy=item.candidacies.get(), agenda_item=item, kind="allocation", rank=1
    )
    answered = datetime.datetime(year, 6, 1, 10, tzinfo=datetime.UTC)
    Offer.objects.create(
        decision=decision,
        vacancy=item.vacancy,
        application=application,
        deadline=datetime.date(year, 6, 15),
        status="accepted",
        answered_at=answered,
    )


def test_priority_quota_shows_the_share_of_priority_households_per_landlord(
    client, actis, sdh, django_assert_max_num_queries
):
    actis_committee, sdh_committee = make_committee(actis), make_committee(sdh)
    _let(actis, actis_committee, year=2026, dalo=True)
    for _ in range(3):
        _let(actis, actis_committee, year=2026)
    _let(actis, actis_committee, year=2025, violence=True)
    _let(sdh, sdh_committee, year=2026, dalo=True)
    client.force_login(make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example"))

    with django_assert_max_num_queries(8):
        response = client.get(reverse("allocations:priority_quota"), {"annee": "2026"})
    rows = [
        (row["landlord"].name, row["total"], row["priority"], row["share"], row["reached"])
        for row in response.context["rows"]
    ]
    assert rows == [("Actis", 4, 1, 25, True)]
    assert "25 %" in response.content.decode()
    previous = client.get(reverse("allocations:priority_quota"), {"annee": "2025"})
    assert [(row["total"], row["share"]) for row in previous.context["rows"]] == [(1, 100)]
