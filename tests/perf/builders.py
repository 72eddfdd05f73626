"""Set-based builders for the query-budget tests: N rows in a handful of INSERTs each."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from housing.models import Building, Dwelling, Landlord, Role, StaffMembership
from outreach.models import CallLog, CallTask, Need, Partner, Referral
from tenants.models import Household, Lease, Person, TechnicalRequest, VulnerabilityFlag
from tests.factories import EstateFactory

_serial = itertools.count(1)


def bulk_households(landlord, count: int, *, building=None) -> list[Household]:
    """``count`` households of ``landlord``, each with two people, a current lease on a dwelling
    of its own, and an open isolation flag."""
    batch = next(_serial)
    if building is None:
        building = Building.objects.create(
            landlord=landlord,
            estate=EstateFactory(),
            reference=f"PERF-B{batch}",
            name=f"{batch} galerie de l'Arlequin",
            address=f"{batch} galerie de l'Arlequin",
            postal_code="38100",
            city="Grenoble",
            floors=10,
        )
    dwellings = Dwelling.objects.bulk_create(
        Dwelling(
            landlord=landlord,
            building=building,
            reference=f"PERF-L{batch}-{n}",
            typology=Dwelling.Typology.T3,
            floor=n % 10,
            surface=Decimal("65.50"),
            rent=Decimal("412.30"),
            charges=Decimal("98.00"),
            status=Dwelling.Status.OCCUPIED,
        )
        for n in range(count)
    )
    households = Household.objects.bulk_create(
        Household(
            landlord=landlord,
            reference=f"PERF-M{batch}-{n}",
            name=f"Famille Perf {batch}-{n}",
            mobile_phone="+33612345678",
        )
        for n in range(count)
    )
    Person.objects.bulk_create(
        Person(
            household=household,
            first_name=first,
            last_name=f"Perf{n}",
            birth_date=birth,
            role=role,
        )
        for n, household in enumerate(households)
        for first, birth, role in (
            ("Jeanne", datetime.date(1944, 5, 17), Person.Role.LEASE_HOLDER),
            ("Paul", datetime.date(1980, 1, 2), Person.Role.CHILD),
        )
    )
    Lease.objects.bulk_create(
        Lease(household=household, dwelling=dwelling, start_date=datetime.date(2015, 9, 1))
        for household, dwelling in zip(households, dwellings, strict=True)
    )
    VulnerabilityFlag.objects.bulk_create(
        VulnerabilityFlag(
            household=household,
            kind=VulnerabilityFlag.Kind.ISOLATED,
            start_date=datetime.date(2020, 3, 17),
        )
        for household in households
    )
    return households


def bulk_landlords_for(user, count: int) -> None:
    """``count`` new landlords where ``user`` is staff, each with a small stock."""
    batch = next(_serial)
    landlords = Landlord.objects.bulk_create(
        Landlord(slug=f"perf-{batch}-{n}", name=f"Bailleur {batch}-{n}", kind=Landlord.Kind.OPH)
        for n in range(count)
    )
    StaffMembership.objects.bulk_create(
        StaffMembership(user=user, landlord=landlord, role=Role.SUPERVISOR)
        for landlord in landlords
    )
    estate = EstateFactory()
    Building.objects.bulk_create(
        Building(
            landlord=landlord,
            estate=estate,
            reference=f"PERF-HB{batch}-{n}",
            name=f"{n} place du Marché",
            address=f"{n} place du Marché",
            postal_code="38130",
            city="Échirolles",
            floors=4,
        )
        for n, landlord in enumerate(landlords)
    )


def bulk_calls(task, caller, count: int) -> None:
    """``count`` earlier calls of ``task``'s household, each with a need and a referral."""
    now = timezone.now()
    _logs_with_follow_ups(
        CallLog(
            task=task,
            campaign_id=task.campaign_id,
            household_id=task.household_id,
            landlord_id=task.landlord_id,
            caller=caller,
            outcome="reached_needs_help",
            notes=f"Appel {n}",
            called_at=now - datetime.timedelta(days=n + 1, minutes=n),
            answers={},
        )
        for n in range(count)
    )


def bulk_campaign_calls(campaign, callers, count: int) -> None:
    """``count`` new households called once in ``campaign`` (done tasks, logs, needs, referrals),
    by ``callers`` in turn over twenty days."""
    households = bulk_households(campaign.landlord, count)
    tasks = CallTask.objects.bulk_create(
        CallTask(campaign=campaign, household=household, landlord=campaign.landlord, status="done")
        for household in households
    )
    start = timezone.now() - datetime.timedelta(days=21)
    _logs_with_follow_ups(
        CallLog(
            task=task,
            campaign=campaign,
            household_id=task.household_id,
            landlord=campaign.landlord,
            caller=callers[n % len(callers)],
            outcome=["reached_well", "reached_needs_help", "no_answer"][n % 3],
            called_at=start + datetime.timedelta(days=n % 20, minutes=n),
            answers={},
        )
        for n, task in enumerate(tasks)
    )


def _logs_with_follow_ups(logs) -> None:
    """Insert the call ``logs``, each with a groceries need and a referral to a new partner."""
    partner = Partner.objects.create(name=f"Partenaire perf {next(_serial)}", kind="mutual_aid")
    logs = CallLog.objects.bulk_create(logs)
    Need.objects.bulk_create(
        Need(
            call_log=log,
            campaign_id=log.campaign_id,
            household_id=log.household_id,
            kind="groceries",
        )
        for log in logs
    )
    Referral.objects.bulk_create(
        Referral(
            landlord_id=log.landlord_id,
            household_id=log.household_id,
            partner=partner,
            call_log=log,
            campaign_id=log.campaign_id,
            reason="Courses",
            created_by_id=log.caller_id,
        )
        for log in logs
    )


def bulk_requests(households, *, assignee=None, created_by=None) -> None:
    """One open technical request per household, due around now (some overdue)."""
    now = timezone.now()
    batch = next(_serial)
    TechnicalRequest.objects.bulk_create(
        TechnicalRequest(
            landlord_id=household.landlord_id,
            household=household,
            reference=f"DT-P{batch}-{n:06d}",
            category=["plumbing", "heating", "lift"][n % 3],
            description="Fuite sous l'évier",
            channel="phone",
            assignee=assignee,
            created_by=created_by,
            due_at=now + datetime.timedelta(days=n % 5 - 2),
        )
        for n, household in enumerate(households)
    )
