"""What the applicant sees (article R441-2-17) in the tenant space, and nobody else's data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allocations.applicant import application_standing
from allocations.models import OccupancyReview, Offer
from allocations.visits import visit_book, visit_slot_create
from tenants.models import Lease
from tests.allocations.conftest import make_application, make_committee, make_sitting
from tests.factories import HouseholdFactory, LeaseFactory, PersonFactory, make_tenant

pytestmark = pytest.mark.django_db
HOME = "/espace/demande-de-logement/"


@pytest.fixture
def other_tenant(actis):
    household = HouseholdFactory(landlord=actis, name="Famille Autre")
    PersonFactory(household=household)
    LeaseFactory(household=household)
    return make_tenant(household, email="autre@exemple.fr")


def test_the_applicant_sees_score_rank_priority_decisions_and_the_offer(
    client, applicant, letting_sitting
):
    client.force_login(applicant)
    response = client.get(reverse("applicant:home"))
    assert response.status_code == 200
    page = response.content.decode()
    mover = letting_sitting.mover
    standing = response.context["applications"][0].standing
    assert f"Demande n° {mover.registration_number}" in page
    assert f"{standing.score} points" in page
    assert "Handicap" in page  # a line of the breakdown
    assert sum(points for _label, points in standing.breakdown) == standing.score
    assert f"classée {standing.rank}<sup>e</sup> sur {standing.out_of}" in page
    assert "public prioritaire (article L441-1)" in page
    assert "Logement attribué à un autre candidat." in page  # the reason of a non-allocation
    offer = Offer.objects.get()
    assert "Proposition de logement en attente de votre réponse" in page
    assert offer.deadline.strftime("%Y") in page
    assert reverse("applicant:offer_accept", args=[offer.pk]) in page
    # Nobody else's data: the other candidates and their reasons stay out.
    for other in ["Paul Second", "Rita Troisième", "Ressources insuffisantes."]:
        assert other not in page


def test_the_tenant_space_links_to_the_application_only_for_applicants(
    client, applicant, other_tenant, letting_sitting
):
    client.force_login(applicant)
    assert HOME in client.get(reverse("tenant_home")).content.decode()
    client.force_login(other_tenant)
    assert HOME not in client.get(reverse("tenant_home")).content.decode()
    page = client.get(reverse("applicant:home")).content.decode()
    assert "pas de demande de logement" in page


def test_an_occupancy_finding_alone_shows_the_link_once_its_sitting_is_closed(
    client, actis, other_tenant
):
    """A tenant with no application but an occupancy review: the link appears with the finding."""
    from allocations.occupancy import occupancy_finding_record
    from allocations.services import sitting_close, sitting_open

    household = other_tenant.tenant_person.household
    sitting = make_sitting(make_committee(actis))
    review = OccupancyReview.objects.create(
        sitting=sitting,
        lease=household.leases.get(),
        household=household,
        situations=["under_occupancy"],
    )
    sitting_open(sitting_id=sitting.pk)
    occupancy_finding_record(review_id=review.pk, finding="Proposer un T2.")
    client.force_login(other_tenant)
    assert HOME not in client.get(reverse("tenant_home")).content.decode()
    sitting_close(sitting_id=sitting.pk)
    assert HOME in client.get(reverse("tenant_home")).content.decode()


def test_the_applicant_accepts_the_offer_and_the_lease_is_drafted(
    client, applicant, letting_sitting, actis_household
):
    offer = Offer.objects.get()
    client.force_login(applicant)
    url = reverse("applicant:offer_accept", args=[offer.pk])
    assert "accepte ce logement" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Vous avez accepté le logement" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    lease = Lease.objects.get(status=Lease.Status.DRAFT)
    assert lease.household == actis_household
    # Answering twice changes nothing and says why.
    response = client.post(url, follow=True)
    assert "n&#x27;attend plus de réponse" in response.content.decode()


def test_the_applicant_refuses_and_the_next_rank_is_offered(client, applicant, letting_sitting):
    offer = Offer.objects.get()
    client.force_login(applicant)
    client.post(reverse("applicant:offer_refuse", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == Offer.Status.REFUSED
    assert Offer.objects.get(status="pending").application == letting_sitting.second


def test_another_households_offer_letter_and_booking_answer_404(
    client, other_tenant, applicant, letting_sitting
):
    offer = Offer.objects.get()
    decision = offer.decision
    slot = visit_slot_create(
        vacancy=offer.vacancy, starts_at=timezone.now() + datetime.timedelta(days=2)
    )
    booking = visit_book(slot_id=slot.pk, application=letting_sitting.mover)
    client.force_login(other_tenant)
    for name, args in [
        ("applicant:offer_accept", [offer.pk]),
        ("applicant:offer_refuse", [offer.pk]),
        ("applicant:letter", ["decision", decision.pk]),
        ("applicant:letter", ["proposition", offer.pk]),
        ("applicant:letter_pdf", ["decision", decision.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse("applicant:offer_accept", args=[offer.pk])).status_code == 404
    assert client.post(reverse("applicant:visit_cancel", args=[booking.pk])).status_code == 404
    assert client.post(reverse("applicant:visit_book", args=[slot.pk])).status_code == 404
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


def test_staff_have_no_applicant_page(client, alice):
    client.force_login(alice)
    assert client.get(reverse("applicant:home")).status_code == 404


def test_the_applicant_reads_their_letters_and_books_a_visit(client, applicant, letting_sitting):
    offer = Offer.objects.get()
    client.force_login(applicant)
    letter = client.get(reverse("applicant:letter", args=["proposition", offer.pk]))
    assert "article R441-10" in letter.content.decode()
    pdf = client.get(reverse("applicant:letter_pdf", args=["decision", offer.decision_id]))
    assert pdf.content.startswith(b"%PDF")

    slot = visit_slot_create(
        vacancy=offer.vacancy,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        meeting_point="Loge du gardien",
    )
    page = client.get(reverse("applicant:home")).content.decode()
    assert "Loge du gardien" in page
    client.post(reverse("applicant:visit_book", args=[slot.pk]))
    assert slot.bookings.get().application == letting_sitting.mover
    page = client.get(reverse("applicant:home")).content.decode()
    assert "Mes visites réservées" in page


def test_the_occupancy_finding_is_emailed_once_and_shown_in_the_tenant_space(
    client, actis, sdh, actis_household, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    from allocations.occupancy import occupancy_finding_record
    from allocations.services import sitting_close, sitting_open
    from allocations.tasks import send_sitting_letters

    sitting = make_sitting(make_committee(actis))
    review = OccupancyReview.objects.create(
        sitting=sitting,
        lease=actis_household.leases.get(),
        household=actis_household,
        situations=["under_occupancy"],
    )
    sitting_open(sitting_id=sitting.pk)
    occupancy_finding_record(review_id=review.pk, finding="Proposer un T2 dans le quartier.")
    client.force_login(applicant)
    assert "Proposer un T2" not in client.get(reverse("applicant:home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sitting_close(sitting_id=sitting.pk)
    assert [m.to for m in mailoutbox] == [[actis_household.email]]
    assert "Proposer un T2 dans le quartier." in mailoutbox[0].body
    assert send_sitting_letters(sitting_id=sitting.pk) == 0
    assert len(mailoutbox) == 1
    assert HOME in client.get(reverse("tenant_home")).content.decode()
    page = client.get(reverse("applicant:home")).content.decode()
    assert "Proposer un T2 dans le quartier." in page
    assert "sous-occupation" in page
    # Staff read the same notice from the minutes; another landlord's staff get 404.
    from housing.models import Role
    from tests.factories import make_staff

    letter_url = reverse("allocations:staff_letter", args=["examen", review.pk])
    client.force_login(make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example"))
    minutes = client.get(reverse("allocations:sitting_minutes", args=[sitting.pk]))
    assert letter_url in minutes.content.decode()
    assert "Proposer un T2" in client.get(letter_url).content.decode()
    client.force_login(make_staff(sdh, Role.COMMITTEE_SECRETARY, email="sec@sdh.example"))
    assert client.get(letter_url).status_code == 404


def test_the_standing_ranks_among_comparable_live_applications_only(actis, sdh):
    recent = timezone.localdate() - datetime.timedelta(days=40)

    def make(landlord, **fields):
        return make_application(landlord, registered_on=recent, **fields)

    mine = make(actis, wished_typologies=["T3"], dalo=True)
    make(actis, wished_typologies=["T3"], dalo=True, violence=True)  # better
    make(actis, wished_typologies=["T3"])  # worse
    make(actis, wished_typologies=["T5"], dalo=True, violence=True)  # not the same typology
    make(sdh, wished_typologies=["T3"], dalo=True, violence=True)  # another landlord
    make(actis, wished_typologies=["T3"], dalo=True, violence=True, status="housed")
    make_application(  # expired: not renewed within a year
        actis,
        wished_typologies=["T3"],
        dalo=True,
        violence=True,
        registered_on=recent.replace(year=recent.year - 2),
    )
    standing = application_standing(mine)
    assert (standing.rank, standing.out_of) == (2, 3)
    assert standing.top_percent == 67


def test_the_applicant_page_runs_a_constant_number_of_queries(
    client, actis, applicant, letting_sitting
):
    client.force_login(applicant)
    url = reverse("applicant:home")

    def grow(count):
        for _ in range(count):
            make_application(
                actis,
                wished_typologies=["T3"],
                registered_on=timezone.localdate() - datetime.timedelta(days=10),
            )

    grow(10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(190)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
