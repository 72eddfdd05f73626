"""An accepted offer drafts the lease and lets the vacancy in one transaction; each step of the
letting is recorded."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from allocations.errors import AllocationError
from allocations.letting import lease_start_date, offer_accept_and_let
from allocations.models import ApplicationStatus, LettingEvent, Offer, Vacancy
from allocations.services import offer_expire, offer_refuse
from tenants.models import Household, Lease
from tests.factories import HouseholdFactory, LeaseFactory

pytestmark = pytest.mark.django_db


def steps(vacancy) -> list[str]:
    return list(LettingEvent.objects.filter(vacancy=vacancy).values_list("step", flat=True))


def test_accepting_drafts_the_lease_for_the_tenants_household_and_lets_the_vacancy(
    letting_sitting, actis_household, applicant, settings
):
    settings.ALLOCATIONS_LEASE_START_DAYS = 15
    offer = Offer.objects.get()
    now = timezone.now()
    offer, lease = offer_accept_and_let(offer_id=offer.pk, by=applicant, now=now)

    assert lease.household == actis_household
    assert lease.dwelling_id == offer.vacancy.dwelling_id
    assert lease.status == Lease.Status.DRAFT
    assert lease.end_date is None
    assert lease.start_date == max(
        offer.vacancy.available_from, timezone.localdate(now) + datetime.timedelta(days=15)
    )
    assert Vacancy.objects.get(pk=offer.vacancy_id).status == Vacancy.Status.LET
    letting_sitting.mover.refresh_from_db()
    assert letting_sitting.mover.status == ApplicationStatus.HOUSED
    assert steps(offer.vacancy) == [
        "offer_issued",
        "offer_accepted",
        "vacancy_let",
        "lease_drafted",
    ]
    drafted = LettingEvent.objects.get(step="lease_drafted")
    assert drafted.by == applicant
    # A draft lease is not a current one: the household still lives where it lives.
    assert lease not in Lease.objects.current()


def test_an_applicant_who_is_not_a_tenant_gets_a_household_opened_for_the_lease(
    letting_sitting,
):
    offer = Offer.objects.get()
    following = offer_refuse(offer_id=offer.pk)
    assert following.application == letting_sitting.second
    _offer, lease = offer_accept_and_let(offer_id=following.pk)
    household = lease.household
    assert household.reference == f"DEM-{letting_sitting.second.registration_number}"
    assert household.name == "Paul Second"
    assert household.email == "paul@exemple.fr"
    assert household.landlord_id == following.vacancy.landlord_id


def test_a_running_lease_on_the_dwelling_blocks_the_acceptance_and_changes_nothing(
    letting_sitting, actis
):
    offer = Offer.objects.get()
    LeaseFactory(household=HouseholdFactory(landlord=actis), dwelling=offer.vacancy.dwelling)
    households = Household.objects.count()
    with pytest.raises(AllocationError, match="encore un bail en cours"):
        offer_accept_and_let(offer_id=offer.pk)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert Vacancy.objects.get(pk=offer.vacancy_id).status == Vacancy.Status.OFFERED
    assert Household.objects.count() == households
    assert steps(offer.vacancy) == ["offer_issued"]


def test_an_answered_offer_cannot_be_accepted_again(letting_sitting):
    offer = Offer.objects.get()
    offer_accept_and_let(offer_id=offer.pk)
    with pytest.raises(AllocationError, match="n'attend plus de réponse"):
        offer_accept_and_let(offer_id=offer.pk)
    assert Lease.objects.filter(status="draft").count() == 1


def test_refusal_and_expiry_are_recorded_as_steps(letting_sitting):
    offer = Offer.objects.get()
    following = offer_refuse(offer_id=offer.pk)
    later = timezone.now() + datetime.timedelta(days=40)
    assert offer_expire(offer_id=following.pk, now=later) is True
    assert steps(offer.vacancy) == [
        "offer_issued",
        "offer_refused",
        "offer_issued",
        "offer_expired",
        "back_to_let",
    ]


def test_the_lease_starts_when_the_dwelling_is_available_and_not_before_the_delay(settings):
    settings.ALLOCATIONS_LEASE_START_DAYS = 10
    accepted = datetime.date(2026, 3, 2)
    assert lease_start_date(
        available_from=datetime.date(2026, 4, 1), accepted_on=accepted
    ) == datetime.date(2026, 4, 1)
    assert lease_start_date(
        available_from=datetime.date(2026, 3, 1), accepted_on=accepted
    ) == datetime.date(2026, 3, 12)


def test_the_database_refuses_an_unknown_lease_status(actis_household):
    lease = actis_household.leases.get()
    with pytest.raises(IntegrityError):
        Lease.objects.filter(pk=lease.pk).update(status="perhaps")


def test_the_database_refuses_an_unknown_letting_step(letting_sitting):
    with pytest.raises(IntegrityError):
        LettingEvent.objects.create(vacancy=Vacancy.objects.first(), step="teleported")
