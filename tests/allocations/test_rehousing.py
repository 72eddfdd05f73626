"""Rehousing before a demolition: files opened set-based, progress counted, scoped pages."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocations.errors import AllocationError
from allocations.models import Decision, Offer, RehousingFile
from allocations.rehousing import rehousing_file_update, rehousing_open_for_site
from housing.models import Building, Dwelling, Role
from tests.allocations.conftest import (
    add_item,
    make_application,
    make_committee,
    make_sitting,
    make_vacancy,
)
from tests.factories import (
    BuildingFactory,
    DwellingFactory,
    HouseholdFactory,
    LeaseFactory,
    WorksEventFactory,
    WorksSiteFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 7, 1)


def _demolition(landlord, *, households=3, vacant=2, started=True):
    building = BuildingFactory(landlord=landlord, name="7-9 Limousin")
    for _number in range(households):
        LeaseFactory(household=HouseholdFactory(landlord=landlord), dwelling__building=building)
    for _number in range(vacant):
        DwellingFactory(building=building, status=Dwelling.Status.VACANT)
    site = WorksSiteFactory(
        landlord=landlord,
        kind="demolition",
        name="Démolition du 7-9 Limousin",
        buildings=[building],
    )
    if started:
        WorksEventFactory(site=site, kind="started", date=datetime.date(2020, 6, 2))
    return site, building


@pytest.fixture
def letting_agent(actis):
    return make_staff(actis, Role.LETTING_AGENT, email="loc@actis.example")


def test_opening_creates_one_file_per_current_household_and_withdraws_vacant_dwellings(actis):
    site, building = _demolition(actis, households=3, vacant=2)
    LeaseFactory(  # gone before the demolition: no file
        household=HouseholdFactory(landlord=actis),
        dwelling__building=building,
        end_date=datetime.date(2019, 12, 31),
    )
    result = rehousing_open_for_site(site=site, today=TODAY)
    assert (result.created, result.withdrawn) == (3, 2)
    assert RehousingFile.objects.filter(site=site, status="to_meet").count() == 3
    building.refresh_from_db()
    assert building.status == Building.Status.BEING_DEMOLISHED
    statuses = sorted(building.dwellings.values_list("status", flat=True))
    assert statuses.count("withdrawn") == 2  # the vacant ones; occupied ones wait for the move

    again = rehousing_open_for_site(site=site, today=TODAY)  # idempotent
    assert (again.created, again.withdrawn) == (0, 0)
    assert RehousingFile.objects.count() == 3


def test_opening_runs_the_same_number_of_queries_for_10_and_200_households(actis, sdh):
    small, _ = _demolition(actis, households=10, vacant=1)
    big, _ = _demolition(sdh, households=200, vacant=1)
    with CaptureQueriesContext(connection) as few:
        rehousing_open_for_site(site=small, today=TODAY)
    with CaptureQueriesContext(connection) as many:
        rehousing_open_for_site(site=big, today=TODAY)
    assert RehousingFile.objects.filter(site=big).count() == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(("kind", "started"), [("rehabilitation", True), ("demolition", False)])
def test_only_an_announced_or_started_demolition_opens_files(actis, kind, started):
    site, _ = _demolition(actis, started=started)
    site.kind = kind
    site.save()
    with pytest.raises(AllocationError):
        rehousing_open_for_site(site=site, today=TODAY)
    assert not RehousingFile.objects.exists()


def test_the_database_refuses_a_second_file_for_a_household_and_building(actis):
    site, _ = _demolition(actis, households=1)
    rehousing_open_for_site(site=site, today=TODAY)
    file = RehousingFile.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RehousingFile.objects.create(
            landlord=actis,
            site=site,
            building=file.building,
            dwelling=file.dwelling,
            household=file.household,
            opened_on=TODAY,
        )


def test_the_database_refuses_a_move_without_a_date(actis):
    site, _ = _demolition(actis, households=1)
    rehousing_open_for_site(site=site, today=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        RehousingFile.objects.update(status="moved")


def test_a_file_goes_to_moved_and_its_dwelling_leaves_letting(actis, letting_agent):
    site, _ = _demolition(actis, households=1, vacant=0)
    rehousing_open_for_site(site=site, today=TODAY)
    file = RehousingFile.objects.get()
    rehousing_file_update(
        file=file,
        status="wishes_recorded",
        wished_typology="T3",
        met_on=TODAY,
        followed_by=letting_agent,
    )
    with pytest.raises(AllocationError, match="ne peut pas passer"):
        rehousing_file_update(file=file, status="moved", moved_on=TODAY)
    rehousing_file_update(file=file, status="offer_made", note="T3 au 10 galerie de l'Arlequin")
    rehousing_file_update(file=file, status="offer_accepted", note="acceptée")
    with pytest.raises(AllocationError, match="date du déménagement"):
        rehousing_file_update(file=file, status="moved")
    assert Dwelling.objects.get(pk=file.dwelling_id).status == "occupied"
    rehousing_file_update(file=file, status="moved", moved_on=datetime.date(2020, 9, 1))
    assert Dwelling.objects.get(pk=file.dwelling_id).status == "withdrawn"
    with pytest.raises(AllocationError):
        rehousing_file_update(file=file, status="to_meet")


def _offer(landlord, household) -> Offer:
    """An offer of ``landlord``'s allocation module to ``household`` (a transfer application)."""
    application = make_application(landlord, current_household=household)
    item = add_item(make_sitting(make_committee(landlord)), make_vacancy(landlord), [application])
    decision = Decision.objects.create(
        candidacy=item.candidacies.get(), agenda_item=item, kind="allocation", rank=1
    )
    return Offer.objects.create(
        decision=decision, vacancy=item.vacancy, application=application, deadline=TODAY
    )


def test_an_offer_of_the_allocation_module_links_to_the_file_of_its_household(actis):
    site, _ = _demolition(actis, households=2, vacant=0)
    rehousing_open_for_site(site=site, today=TODAY)
    mine, other = RehousingFile.objects.order_by("pk")
    offer = _offer(actis, mine.household)
    rehousing_file_update(file=mine, status="wishes_recorded")
    rehousing_file_update(file=mine, status="offer_made", offer=offer)
    assert RehousingFile.objects.get(pk=mine.pk).offer == offer
    rehousing_file_update(file=other, status="wishes_recorded")
    with pytest.raises(AllocationError, match="ne concerne pas"):
        rehousing_file_update(file=other, status="offer_made", offer=offer)


def test_the_file_form_offers_only_the_users_landlords_offers_and_staff(
    client, actis, sdh, letting_agent
):
    site, _ = _demolition(actis, households=1, vacant=0)
    rehousing_open_for_site(site=site, today=TODAY)
    file = RehousingFile.objects.get()
    rehousing_file_update(file=file, status="wishes_recorded")
    ours = _offer(actis, file.household)
    # The household also applied for a transfer at SDH, which made it an offer: SDH's business.
    theirs = _offer(sdh, file.household)
    sdh_agent = make_staff(sdh, Role.LETTING_AGENT, email="loc@sdh.example")
    url = reverse("allocations:rehousing_file", args=[file.pk])
    client.force_login(letting_agent)

    form = client.get(url).context["form"]
    assert list(form.fields["offer"].queryset) == [ours]
    assert list(form.fields["followed_by"].queryset) == [letting_agent]
    assert str(theirs.vacancy.dwelling.reference) not in client.get(url).content.decode()

    response = client.post(
        url, {"status": "offer_made", "offer": theirs.pk, "followed_by": sdh_agent.pk}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "n'a pas été faite à ce ménage par votre bailleur" in errors["offer"][0]
    assert "seul le personnel du bailleur de ce dossier" in errors["followed_by"][0]
    file.refresh_from_db()
    assert (file.status, file.offer, file.followed_by) == ("wishes_recorded", None, None)

    response = client.post(url, {"status": "offer_made", "offer": ours.pk})
    assert response.status_code == 302
    file.refresh_from_db()
    assert (file.status, file.offer) == ("offer_made", ours)


def test_progress_counts_households_left_to_rehouse(client, actis, letting_agent):
    site, building = _demolition(actis, households=4, vacant=0)
    rehousing_open_for_site(site=site, today=TODAY)
    first, second, *_ = RehousingFile.objects.order_by("pk")
    for status in ["wishes_recorded", "offer_made", "offer_accepted"]:
        rehousing_file_update(file=first, status=status, note="T4")
    rehousing_file_update(file=first, status="moved", moved_on=TODAY, note="T4")
    rehousing_file_update(file=second, status="other_solution", note="Accession à la propriété")

    client.force_login(letting_agent)
    listing = client.get(reverse("allocations:rehousing_list"))
    row = listing.context["sites"].get(pk=site.pk)
    assert (row.total, row.left, row.done) == (4, 2, 2)
    page = client.get(reverse("allocations:rehousing_site", args=[site.pk]))
    assert page.context["buildings"][0]["left"] == 2
    assert "2 ménages à reloger sur 4" in page.content.decode()
    building_page = client.get(reverse("housing:building_detail", args=[building.pk]))
    assert "2 ménages à reloger sur 4" in building_page.content.decode()


def test_rehousing_pages_answer_404_for_another_landlord(client, actis, sdh, letting_agent):
    site, building = _demolition(sdh, households=1)
    rehousing_open_for_site(site=site, today=TODAY)
    file = RehousingFile.objects.get()
    client.force_login(letting_agent)
    assert client.get(reverse("allocations:rehousing_site", args=[site.pk])).status_code == 404
    assert client.get(reverse("allocations:rehousing_file", args=[file.pk])).status_code == 404
    assert client.post(reverse("allocations:rehousing_open", args=[site.pk])).status_code == 404
    assert list(client.get(reverse("allocations:rehousing_list")).context["sites"]) == []
    page = client.get(reverse("housing:building_detail", args=[building.pk]))
    assert page.status_code == 404


def test_rehousing_pages_need_a_rehousing_role(client, alice, actis):
    site, _ = _demolition(actis)
    client.force_login(alice)  # a caller
    assert client.get(reverse("allocations:rehousing_list")).status_code == 403
    assert client.post(reverse("allocations:rehousing_open", args=[site.pk])).status_code == 403


def test_staff_open_the_files_and_update_one_from_the_pages(client, actis, letting_agent):
    site, _ = _demolition(actis, households=2, vacant=1)
    client.force_login(letting_agent)
    response = client.post(reverse("allocations:rehousing_open", args=[site.pk]), follow=True)
    assert "2 dossier(s) ouvert(s), 1 logement(s) vacant(s)" in response.content.decode()
    file = RehousingFile.objects.order_by("pk").first()
    url = reverse("allocations:rehousing_file", args=[file.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "moved", "moved_on": "2020-09-01"})
    assert response.status_code == 200  # refused: a file is not moved before its wishes
    assert "ne peut pas passer" in response.content.decode()
    response = client.post(
        url,
        {
            "status": "wishes_recorded",
            "wished_typology": "T2",
            "wished_areas": "Échirolles centre",
            "met_on": "2020-07-02",
            "followed_by": letting_agent.pk,
        },
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert (file.status, file.wished_typology, file.followed_by) == (
        "wishes_recorded",
        "T2",
        letting_agent,
    )


def test_the_site_page_runs_the_same_number_of_queries_for_10_and_200_files(
    client, actis, letting_agent
):
    small, _ = _demolition(actis, households=10, vacant=0)
    big, _ = _demolition(actis, households=200, vacant=0)
    rehousing_open_for_site(site=small, today=TODAY)
    rehousing_open_for_site(site=big, today=TODAY)
    client.force_login(letting_agent)
    client.get(reverse("allocations:rehousing_site", args=[small.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("allocations:rehousing_site", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("allocations:rehousing_site", args=[big.pk]))
    assert len(response.context["files"]) == 200
    assert len(many) == len(few)


def test_rehousing_admin_is_scoped_and_read_only(client, actis, sdh):
    from django.contrib.auth.models import Permission

    mine_site, _ = _demolition(actis, households=1)
    theirs_site, _ = _demolition(sdh, households=1)
    rehousing_open_for_site(site=mine_site, today=TODAY)
    rehousing_open_for_site(site=theirs_site, today=TODAY)
    mine, theirs = (
        RehousingFile.objects.get(site=mine_site),
        RehousingFile.objects.get(site=theirs_site),
    )
    admin = make_staff(actis, Role.LANDLORD_ADMIN, email="admin@actis.example", is_staff=True)
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="allocations"))
    client.force_login(admin)
    listing = client.get(reverse("admin:allocations_rehousingfile_changelist"))
    assert list(listing.context["cl"].result_list) == [mine]
    assert (
        client.get(reverse("admin:allocations_rehousingfile_change", args=[mine.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:allocations_rehousingfile_change", args=[theirs.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("admin:allocations_rehousingfile_change", args=[mine.pk]), {"status": "moved"}
    )
    assert response.status_code == 403
    assert RehousingFile.objects.get(pk=mine.pk).status == "to_meet"
