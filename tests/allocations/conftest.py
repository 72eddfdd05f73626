"""Builders for the allocation tests: vacancies, applications, a committee with a sitting."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from allocations.models import (
    AgendaItem,
    Candidacy,
    Committee,
    CommitteeMember,
    HousingApplication,
    Sitting,
    Vacancy,
)
from tests.factories import DwellingFactory

TODAY = datetime.date(2026, 3, 2)
_numbers = itertools.count(1)


def make_vacancy(landlord, **dwelling_fields) -> Vacancy:
    dwelling_fields.setdefault("status", "vacant")
    dwelling = DwellingFactory(building__landlord=landlord, **dwelling_fields)
    return Vacancy.objects.create(
        landlord=landlord,
        dwelling=dwelling,
        available_from=TODAY,
        rent=dwelling.rent,
        charges=dwelling.charges,
    )


def make_application(landlord, *, registered_on=None, **fields) -> HousingApplication:
    number = next(_numbers)
    fields.setdefault("applicant_name", f"Demandeur {number}")
    fields.setdefault("monthly_income", Decimal("1450"))
    fields.setdefault("registration_number", f"0382601{number:05d}A")
    return HousingApplication.objects.create(
        landlord=landlord,
        registered_on=registered_on or datetime.date(2025, 9, 1),
        **fields,
    )


def make_committee(landlord, *, voters=3, quorum=3) -> Committee:
    committee = Committee.objects.create(
        landlord=landlord, name=f"CALEOL {landlord.name}", territory="Grenoble", quorum=quorum
    )
    roles = [CommitteeMember.Role.BOARD, CommitteeMember.Role.TENANTS_REPRESENTATIVE]
    for index in range(voters):
        CommitteeMember.objects.create(
            committee=committee,
            name=f"Membre {index + 1}",
            role=roles[index % 2],
            casting_vote=False,
        )
    CommitteeMember.objects.create(
        committee=committee, name="Mme la maire adjointe", role="mayor", casting_vote=True
    )
    CommitteeMember.objects.create(
        committee=committee, name="Conseillère", role="advisory", has_vote=False
    )
    return committee


def make_sitting(committee, *, present=None, **fields) -> Sitting:
    fields.setdefault("date", timezone.now())
    fields.setdefault("mode", Sitting.Mode.REMOTE)
    fields.setdefault("video_link", "https://visio.example.fr/caleol")
    sitting = Sitting.objects.create(committee=committee, **fields)
    members = committee.members.all() if present is None else present
    sitting.members_present.set(members)
    return sitting


def add_item(sitting, vacancy, applications=()) -> AgendaItem:
    item = AgendaItem.objects.create(sitting=sitting, vacancy=vacancy)
    Candidacy.objects.bulk_create(
        [Candidacy(agenda_item=item, application=a, score=10) for a in applications]
    )
    return item


@pytest.fixture
def committee(actis):
    return make_committee(actis)
