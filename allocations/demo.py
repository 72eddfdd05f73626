"""Demo data of letting and of the committees: idempotent, deterministic (no clock, no random)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from allocations.models import (
    OPEN_VACANCY_STATUSES,
    AgendaItem,
    Committee,
    CommitteeMember,
    HousingApplication,
    MemberRole,
    ScoringGrid,
    Sitting,
    Vacancy,
)
from allocations.services import application_save
from housing.models import BuildingStatus, Dwelling, DwellingStatus, Landlord
from tenants.models import Household

PARIS = ZoneInfo("Europe/Paris")
REGISTERED_FROM = datetime.date(2025, 6, 2)
RENEWED_ON = datetime.date(2026, 6, 1)
VACANCIES_PER_LANDLORD = 3
APPLICATIONS_PER_LANDLORD = 12
MEMBERS = [
    ("Mme Odile Garnier", MemberRole.BOARD, True, False),
    ("M. Karim Haddad", MemberRole.BOARD, True, False),
    ("Mme Lucie Perrin", MemberRole.TENANTS_REPRESENTATIVE, True, False),
    ("Mme l'adjointe au logement", MemberRole.MAYOR, True, True),
    ("Représentant du préfet de l'Isère", MemberRole.PREFECT, True, False),
    ("Conseillère sociale", MemberRole.ADVISORY, False, False),
]
APPLICANTS = [
    "Mme Amrani",
    "M. Bonnet",
    "Famille Camara",
    "Mme Dupuis",
    "M. et Mme Eyraud",
    "Mme Fofana",
    "M. Garcia",
    "Famille Huynh",
    "Mme Idrissi",
    "M. Jacquet",
    "Mme Khelifi",
    "Famille Lambert",
]


def seed_allocations_demo() -> dict[str, int]:
    """Per landlord: a scoring grid, a committee and its members, a few vacancies, applications
    (one a priority transfer of a current household) and a planned remote sitting. Whatever
    exists is left as it is, so a second run changes nothing."""
    counts = {"vacancies": 0, "applications": 0, "sittings": 0}
    with transaction.atomic():
        for index, landlord in enumerate(Landlord.objects.order_by("slug")):
            ScoringGrid.objects.get_or_create(landlord=landlord)
            committee = _committee(landlord)
            vacancies = _vacancies(landlord)
            counts["vacancies"] += len(vacancies)
            counts["applications"] += _applications(landlord, index)
            if vacancies and not committee.sittings.exists():
                sitting = Sitting.objects.create(
                    committee=committee,
                    date=datetime.datetime(2026, 12, 10, 14, 0, tzinfo=PARIS),
                    mode=Sitting.Mode.REMOTE,
                    video_link=f"https://visio.{landlord.slug}.demo/caleol",
                )
                sitting.members_present.set(committee.members.all())
                AgendaItem.objects.bulk_create(
                    [AgendaItem(sitting=sitting, vacancy=vacancy) for vacancy in vacancies]
                )
                counts["sittings"] += 1
    return counts


def _committee(landlord) -> Committee:
    committee, _created = Committee.objects.get_or_create(
        landlord=landlord,
        name="CALEOL Villeneuves",
        defaults={"territory": "Grenoble et Échirolles", "quorum": 3},
    )
    existing = set(committee.members.values_list("name", flat=True))
    CommitteeMember.objects.bulk_create(
        [
            CommitteeMember(
                committee=committee, name=name, role=role, has_vote=vote, casting_vote=casting
            )
            for name, role, vote, casting in MEMBERS
            if name not in existing
        ]
    )
    return committee


def _vacancies(landlord) -> list[Vacancy]:
    if Vacancy.objects.filter(landlord=landlord).exists():
        return []
    dwellings = (
        Dwelling.objects.filter(landlord=landlord, status=DwellingStatus.VACANT)
        .filter(building__status=BuildingStatus.IN_SERVICE)
        .exclude(vacancies__status__in=OPEN_VACANCY_STATUSES)
        .order_by("reference")[:VACANCIES_PER_LANDLORD]
    )
    return Vacancy.objects.bulk_create(
        [
            Vacancy(
                landlord=landlord,
                dwelling=dwelling,
                available_from=datetime.date(2027, 1, 4),
                rent=dwelling.rent,
                charges=dwelling.charges,
                description="Logement rénové, proche du tram A et des écoles.",
                virtual_visit_url="https://vimeo.com/76979871",
            )
            for dwelling in dwellings
        ]
    )


def _applications(landlord, index: int) -> int:
    numbers = [f"0382506{index + 1:01d}{n:04d}D" for n in range(1, APPLICATIONS_PER_LANDLORD + 1)]
    existing = set(
        HousingApplication.objects.filter(registration_number__in=numbers).values_list(
            "registration_number", flat=True
        )
    )
    created = HousingApplication.objects.bulk_create(
        [
            HousingApplication(
                landlord=landlord,
                registration_number=number,
                applicant_name=APPLICANTS[n],
                registered_on=REGISTERED_FROM + datetime.timedelta(days=17 * n),
                renewed_on=RENEWED_ON,
                adults=1 + n % 2,
                children=n % 4,
                monthly_income=Decimal(1100 + 85 * n),
                wished_typologies=[["T2", "T3"], ["T3", "T4"], ["T4", "T5"]][n % 3],
                dalo=n == 2,
                disability=n == 5,
                over_occupancy=n in (1, 7),
                violence=n == 9,
            )
            for n, number in enumerate(numbers)
            if number not in existing
        ]
    )
    if created:
        # A current tenant asks for a priority transfer: the household gets its flag.
        household = Household.objects.filter(landlord=landlord).order_by("reference").first()
        if household is not None:
            mover = created[-1]
            mover.current_household = household
            mover.priority_transfer = True
            application_save(application=mover, today=RENEWED_ON)
    return len(created)
