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


@pytest.fixture
def applicant(actis, actis_household):
    """Jeanne, tenant of the Actis household, whose household asks for a transfer."""
    from tests.factories import make_tenant

    return make_tenant(actis_household, email="jeanne@exemple.fr", first_name="Jeanne")


@pytest.fixture
def letting_sitting(actis, actis_household, applicant, django_capture_on_commit_callbacks):
    """A closed sitting: the applicant's transfer at rank 1 (an offer waits for their answer),
    two other candidates ranked 2 and refused, and a second vacancy where the applicant is
    refused with a reason."""
    from allocations.services import decision_record, sitting_close, sitting_open

    committee = make_committee(actis)
    sitting = make_sitting(committee, date=timezone.now() - datetime.timedelta(hours=2))
    mover = make_application(
        actis,
        applicant_name="Jeanne Martin",
        current_household=actis_household,
        wished_typologies=["T3"],
        registered_on=datetime.date(2024, 6, 1),
        renewed_on=timezone.localdate() - datetime.timedelta(days=30),
        disability=True,
    )
    second = make_application(
        actis, applicant_name="Paul Second", email="paul@exemple.fr", wished_typologies=["T3"]
    )
    third = make_application(
        actis, applicant_name="Rita Troisième", wished_typologies=["T3"]
    )  # no e-mail address: no letter sent to her
    item = add_item(sitting, make_vacancy(actis, typology="T3"), [mover, second, third])
    other = add_item(sitting, make_vacancy(actis, typology="T3"), [mover])
    other.fewer_candidates_reason = "not_enough"
    other.save()
    sitting_open(sitting_id=sitting.pk)
    by_app = {c.application_id: c for c in item.candidacies.all()}
    decision_record(candidacy_id=by_app[mover.pk].pk, kind="allocation", votes_for=3)
    decision_record(candidacy_id=by_app[second.pk].pk, kind="ranked", rank=2, votes_for=3)
    decision_record(
        candidacy_id=by_app[third.pk].pk,
        kind="non_allocation",
        reason="Ressources insuffisantes.",
        votes_for=3,
    )
    decision_record(
        candidacy_id=other.candidacies.get().pk,
        kind="non_allocation",
        reason="Logement attribué à un autre candidat.",
        votes_for=3,
    )
    with django_capture_on_commit_callbacks(execute=True):
        sitting_close(sitting_id=sitting.pk)
    sitting.mover, sitting.second, sitting.third = mover, second, third
    sitting.item = item
    return sitting
