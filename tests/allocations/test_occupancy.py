"""Occupancy review: households due every three years, put on a sitting, finding recorded."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from allocations.errors import AllocationError
from allocations.occupancy import (
    occupancy_finding_record,
    occupancy_reviews_due,
    occupancy_reviews_schedule,
    situations_of,
)
from allocations.services import sitting_close, sitting_open
from housing.models import Role
from portal.dates import years_ago
from tests.allocations.conftest import make_sitting
from tests.factories import (
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
    VulnerabilityFlagFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db
# The staff page computes against the clock: the households are built around today.
TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("people", "surface", "typology", "adapted", "disabled", "expected"),
    [
        (4, "30", "T2", False, False, ["over_occupancy"]),
        (1, "90", "T5", False, False, ["under_occupancy"]),
        (2, "50", "T3", True, False, ["adapted_not_needed"]),
        (2, "50", "T3", True, True, []),
        (3, "65", "T3", False, False, []),
    ],
)
def test_situations_come_from_household_and_dwelling(
    people, surface, typology, adapted, disabled, expected
):
    found = situations_of(
        people=people,
        surface=Decimal(surface),
        typology=typology,
        adapted=adapted,
        disabled=disabled,
    )
    assert [str(s) for s in found] == expected


def _household(landlord, *, people, start, typology="T3", surface="65", adapted=False, name=""):
    household = HouseholdFactory(landlord=landlord, name=name or "Ménage")
    for _ in range(people):
        PersonFactory(household=household)
    LeaseFactory(
        household=household,
        start_date=start,
        dwelling__typology=typology,
        dwelling__surface=Decimal(surface),
        dwelling__adapted_reduced_mobility=adapted,
    )
    return household


@pytest.fixture
def households(actis, sdh):
    three_years = years_ago(3, TODAY)
    households = {
        "alone_in_t5": _household(actis, people=1, start=three_years, typology="T5", name="Seul"),
        "too_recent": _household(
            actis, people=1, start=years_ago(2, TODAY), typology="T5", name="Récent"
        ),
        "fine": _household(actis, people=3, start=three_years, name="Normal"),
        "adapted": _household(actis, people=2, start=three_years, adapted=True, name="Adapté"),
        "adapted_needed": _household(
            actis, people=2, start=three_years, adapted=True, name="Besoin"
        ),
        "other_landlord": _household(
            sdh, people=1, start=three_years, typology="T5", name="Hors champ"
        ),
    }
    VulnerabilityFlagFactory(
        household=households["adapted_needed"], kind="disability", start_date=three_years
    )
    return households


def test_households_due_are_those_at_a_triennial_anniversary_with_a_situation(actis, households):
    secretary = make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example")
    due = occupancy_reviews_due(secretary, landlord_ids=[actis.pk], today=TODAY)
    assert {review.lease.household.name: review.situations for review in due} == {
        "Adapté": ["adapted_not_needed"],
        "Seul": ["under_occupancy"],
    }


def test_reviews_go_on_a_sitting_and_need_a_finding_before_closing(actis, committee, households):
    secretary = make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example")
    sitting = make_sitting(committee)
    assert occupancy_reviews_schedule(sitting_id=sitting.pk, user=secretary, today=TODAY) == 2
    # Once on an agenda, a household is no longer listed as due.
    assert occupancy_reviews_due(secretary, landlord_ids=[actis.pk], today=TODAY) == []
    review = sitting.occupancy_reviews.get(household=households["alone_in_t5"])
    with pytest.raises(AllocationError, match="séance ouverte"):
        occupancy_finding_record(review_id=review.pk, finding="Proposer une mutation.")

    sitting_open(sitting_id=sitting.pk)
    with pytest.raises(AllocationError, match="constat de la commission est obligatoire"):
        occupancy_finding_record(review_id=review.pk, finding=" ")
    occupancy_finding_record(review_id=review.pk, finding="Proposer une mutation vers un T2.")
    with pytest.raises(AllocationError, match="1 examen\\(s\\) de l'occupation sans constat"):
        sitting_close(sitting_id=sitting.pk)
    other = sitting.occupancy_reviews.exclude(pk=review.pk).get()
    occupancy_finding_record(review_id=other.pk, finding="Occupation conforme après échange.")
    sitting_close(sitting_id=sitting.pk)
    with pytest.raises(AllocationError, match="séance ouverte"):
        occupancy_finding_record(review_id=review.pk, finding="Autre constat.")


def test_occupancy_page_is_for_the_committee_secretariat(client, actis, households):
    client.force_login(make_staff(actis, Role.LETTING_AGENT, email="agent@actis.example"))
    assert client.get(reverse("allocations:occupancy_list")).status_code == 403
    client.force_login(make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example"))
    page = client.get(reverse("allocations:occupancy_list")).content.decode()
    assert "Seul" in page
    assert "Adapté" in page
    for hidden in ("Normal", "Récent", "Besoin", "Hors champ"):
        assert hidden not in page


def test_secretary_schedules_reviews_and_records_findings_in_admin(
    client, actis, committee, households
):
    from django.contrib.auth.models import Permission

    secretary = make_staff(
        actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example", is_staff=True
    )
    secretary.user_permissions.set(Permission.objects.filter(content_type__app_label="allocations"))
    sitting = make_sitting(committee)
    client.force_login(secretary)
    response = client.post(
        reverse("admin:allocations_sitting_changelist"),
        {"action": "schedule_occupancy_reviews", "_selected_action": [sitting.pk]},
        follow=True,
    )
    assert "2 examen(s) d&#x27;occupation inscrit(s)." in response.content.decode()
    review = sitting.occupancy_reviews.get(household=households["alone_in_t5"])
    url = reverse("admin:allocations_occupancyreview_change", args=[review.pk])

    refused = client.post(url, {"finding": "Proposer une mutation."})
    assert "Le constat s&#x27;enregistre pendant la séance ouverte." in refused.content.decode()
    sitting_open(sitting_id=sitting.pk)
    client.post(url, {"finding": "Proposer une mutation."})
    review.refresh_from_db()
    assert review.finding == "Proposer une mutation."
    assert review.finding_recorded_at is not None
    minutes = client.get(reverse("allocations:sitting_minutes", args=[sitting.pk]))
    text = minutes.content.decode()
    assert "Examen de l'occupation des logements" in text
    assert "sous-occupation" in text
    assert "Proposer une mutation." in text


def test_income_over_the_ceiling_of_the_household_size(settings):
    settings.ALLOCATIONS_INCOME_CEILINGS = {1: 30_000, 2: 40_000}
    settings.ALLOCATIONS_INCOME_CEILING_EXTRA_PERSON = 5_000
    common = {"surface": Decimal("65"), "typology": "T3", "adapted": False, "disabled": False}
    over = situations_of(people=2, declared_monthly_income=Decimal("3400"), **common)
    assert [str(s) for s in over] == ["income_over_ceiling"]
    assert not situations_of(people=2, declared_monthly_income=Decimal("3300"), **common)
    # Four people declared: 40 000 + 2 × 5 000.
    assert not situations_of(
        people=2, declared_monthly_income=Decimal("4100"), declared_people=4, **common
    )
    # No income on record: never flagged.
    assert not situations_of(people=2, declared_monthly_income=None, **common)


def test_a_household_declaring_income_over_the_ceiling_in_its_application_is_due(actis, settings):
    from allocations.models import HousingApplication

    settings.ALLOCATIONS_INCOME_CEILINGS = {1: 30_000, 2: 40_000, 3: 50_000}
    household = _household(actis, people=3, start=years_ago(3, TODAY), name="Aisé")
    _household(actis, people=3, start=years_ago(3, TODAY), name="Sans demande")
    HousingApplication.objects.create(
        landlord=actis,
        registration_number="038260199999A",
        applicant_name="Aisé",
        registered_on=TODAY,
        adults=2,
        children=1,
        monthly_income=Decimal("4500"),
        current_household=household,
    )
    secretary = make_staff(actis, Role.COMMITTEE_SECRETARY, email="sec@actis.example")
    due = occupancy_reviews_due(secretary, landlord_ids=[actis.pk], today=TODAY)
    assert [(r.lease.household.name, [str(s) for s in r.situations]) for r in due] == [
        ("Aisé", ["income_over_ceiling"])
    ]
