"""Demo data for the Villeneuves of Grenoble and Échirolles (``manage.py seed_demo``).

The data is a pure function of ``(seed, households)``, and prefix-stable: each landlord has its own
random streams (buildings, dwellings, households), consumed in order, so the first households of a
run with 100 households are exactly those of a run with 2,000. Writes only insert rows that are
missing (natural keys: slugs, references, e-mails): running twice changes nothing, and a bigger run
on top of a smaller one only adds. People, leases and flags have no natural key; they are created
only with the household that owns them.

Contacts of the landlords are the public ones given in the article; agencies, addresses and staff
are plausible inventions. Landline numbers lie in the range ARCEP keeps for fiction (04 65 71).
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.formats import number_format
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from faker import Faker

from housing.models import (
    Agency,
    Building,
    BuildingStatus,
    Dwelling,
    DwellingStatus,
    Estate,
    Landlord,
    Role,
    StaffMembership,
)
from tenants.models import Household, Lease, Person, PersonRole, VulnerabilityFlag

DEFAULT_HOUSEHOLDS = 2000
DEFAULT_SEED = 2020
DEMO_PASSWORD = "villeneuves2026"
SUPERUSER_EMAIL = "admin@villeneuves.demo"
ADMIN_GROUP_NAME = "Administration bailleur"
# Roles whose work happens in Django admin: staff status and the admin group.
ADMIN_ROLES = (Role.LANDLORD_ADMIN, Role.COMMITTEE_SECRETARY)
ADMIN_GROUP_APPS = ("housing", "tenants", "allocations")
TENANT_LOGINS_PER_LANDLORD = 3
# Every date (births, leases, flags) is relative to this day, never to the clock.
REFERENCE_DATE = datetime.date(2026, 1, 1)
DATE_JOINED = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)
BATCH_SIZE = 2000
DO_NOT_CALL_REASON = "A demandé à ne plus recevoir d'appels de courtoisie."
INSERT_BATCH_SIZE = 1000


# --- What exists: landlords, agencies, estates, named buildings ------------------------------


@dataclass(frozen=True)
class EstateSpec:
    slug: str
    name: str
    city: str
    postal_code: str


GRENOBLE = EstateSpec("villeneuve-grenoble", "Villeneuve de Grenoble", "Grenoble", "38100")
ECHIROLLES = EstateSpec("villeneuve-echirolles", "Villeneuve d'Échirolles", "Échirolles", "38130")
ESTATES = (GRENOBLE, ECHIROLLES)

WEEKDAY_HOURS = "Du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h"


@dataclass(frozen=True)
class AgencySpec:
    name: str
    estate: EstateSpec
    address: str
    email: str
    phone: str
    opening_hours: str


@dataclass(frozen=True)
class BuildingSpec:
    estate: EstateSpec
    name: str
    address: str
    floors: int
    per_floor: int
    status: str = BuildingStatus.IN_SERVICE


@dataclass(frozen=True)
class LandlordSpec:
    slug: str
    code: str
    domain: str
    name: str
    kind: str
    email: str
    phone: str
    website: str
    share: Decimal
    agencies: tuple[AgencySpec, ...]
    buildings: tuple[BuildingSpec, ...]
    # Addresses for the buildings a large run adds once the named ones are full.
    extra_streets: tuple[tuple[EstateSpec, str, int], ...]


def _arlequin(number: int, floors: int, per_floor: int, status=BuildingStatus.IN_SERVICE):
    return BuildingSpec(
        GRENOBLE,
        f"{number} galerie de l'Arlequin",
        f"{number} galerie de l'Arlequin",
        floors,
        per_floor,
        status,
    )


LANDLORDS = (
    LandlordSpec(
        slug="actis",
        code="ACT",
        domain="actis.demo",
        name="Actis",
        kind=Landlord.Kind.OPH,
        email="agence-vovn@actis.fr",
        phone="",
        website="https://www.actis.fr/",
        share=Decimal("0.45"),
        agencies=(
            AgencySpec(
                "Agence Villeneuve / Village Olympique",
                GRENOBLE,
                "97 galerie de l'Arlequin",
                "agence-vovn@actis.fr",
                "+33465710101",
                WEEKDAY_HOURS + " ; fermée le jeudi après-midi.",
            ),
        ),
        buildings=(
            _arlequin(40, 14, 8),
            _arlequin(50, 15, 8),
            _arlequin(60, 15, 8, BuildingStatus.REHABILITATION),
            _arlequin(110, 12, 7),
            _arlequin(120, 10, 7),
            BuildingSpec(GRENOBLE, "Les Géants 3", "3 place des Géants", 9, 6),
            BuildingSpec(GRENOBLE, "Les Géants 7", "7 place des Géants", 9, 6),
            BuildingSpec(GRENOBLE, "Baladins 5", "5 place des Baladins", 8, 6),
            BuildingSpec(GRENOBLE, "Baladins 9", "9 place des Baladins", 8, 6),
        ),
        extra_streets=(
            (GRENOBLE, "galerie de l'Arlequin", 130),
            (GRENOBLE, "place des Géants", 11),
            (GRENOBLE, "place des Baladins", 13),
        ),
    ),
    LandlordSpec(
        slug="sdh",
        code="SDH",
        domain="sdh.demo",
        name="SDH – Société Dauphinoise pour l'Habitat",
        kind=Landlord.Kind.ESH,
        email="information@sdh.fr",
        phone="+33476683939",
        website="https://www.sdh.fr/",
        share=Decimal("0.25"),
        agencies=(
            AgencySpec(
                "Agence Grenoble Villeneuve",
                GRENOBLE,
                "22 galerie de l'Arlequin",
                "information@sdh.fr",
                "+33476683939",
                WEEKDAY_HOURS + " ; sur rendez-vous le vendredi après-midi.",
            ),
            AgencySpec(
                "Agence Échirolles Village 2",
                ECHIROLLES,
                "4 allée de Belledonne",
                "information@sdh.fr",
                "+33476683939",
                "Lundi, mardi et jeudi, 9 h – 12 h et 14 h – 16 h 30",
            ),
        ),
        buildings=(
            _arlequin(20, 12, 7),
            _arlequin(30, 12, 7),
            BuildingSpec(GRENOBLE, "Baladins 15", "15 place des Baladins", 7, 5),
            BuildingSpec(ECHIROLLES, "Village 2 – Belledonne 6", "6 allée de Belledonne", 8, 5),
            BuildingSpec(ECHIROLLES, "Village 2 – Belledonne 8", "8 allée de Belledonne", 8, 5),
        ),
        extra_streets=(
            (GRENOBLE, "galerie de l'Arlequin", 131),
            (ECHIROLLES, "allée de Belledonne", 10),
        ),
    ),
    LandlordSpec(
        slug="alpes-isere-habitat",
        code="AIH",
        domain="alpeshabitat.demo",
        name="Alpes Isère Habitat",
        kind=Landlord.Kind.OPH,
        email="contact.echirolles@alpeshabitat.fr",
        phone="",
        website="https://www.alpeshabitat.fr/",
        share=Decimal("0.30"),
        agencies=(
            AgencySpec(
                "Agence d'Échirolles",
                ECHIROLLES,
                "20 avenue de Grugliasco",
                "contact.echirolles@alpeshabitat.fr",
                "+33465710303",
                WEEKDAY_HOURS,
            ),
        ),
        buildings=(
            BuildingSpec(
                ECHIROLLES,
                "7-9 Limousin",
                "7-9 rue du Limousin",
                15,
                6,
                BuildingStatus.BEING_DEMOLISHED,
            ),
            BuildingSpec(ECHIROLLES, "11-13 Limousin", "11-13 rue du Limousin", 12, 6),
            BuildingSpec(ECHIROLLES, "1-3 Limousin", "1-3 rue du Limousin", 10, 6),
            BuildingSpec(ECHIROLLES, "Village 2 – Chartreuse 2", "2 rue de la Chartreuse", 9, 6),
            BuildingSpec(ECHIROLLES, "Village 2 – Chartreuse 4", "4 rue de la Chartreuse", 9, 6),
            BuildingSpec(ECHIROLLES, "Village 2 – Vercors 1", "1 allée du Vercors", 6, 5),
        ),
        extra_streets=(
            (ECHIROLLES, "rue du Limousin", 15),
            (ECHIROLLES, "rue de la Chartreuse", 6),
            (ECHIROLLES, "allée du Vercors", 3),
        ),
    ),
)


def households_per_landlord(total: int) -> list[int]:
    """Split ``total`` households between the landlords by their share (sums to ``total``)."""
    counts = [int(total * spec.share) for spec in LANDLORDS]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


# --- Plans: what one row will hold, drawn from the seeded streams -----------------------------


@dataclass
class BuildingPlan:
    reference: str
    estate: EstateSpec
    name: str
    address: str
    floors: int
    per_floor: int
    status: str

    @property
    def capacity(self) -> int:
        return (self.floors + 1) * self.per_floor


@dataclass
class DwellingPlan:
    reference: str
    building: BuildingPlan
    typology: str
    floor: int
    door: str
    surface: Decimal
    rent: Decimal
    charges: Decimal
    status: str
    adapted: bool

    @property
    def lettable(self) -> bool:
        return self.status == DwellingStatus.OCCUPIED


@dataclass
class HouseholdPlan:
    reference: str
    dwelling: DwellingPlan
    name: str
    phone: str
    mobile_phone: str
    email: str
    language: str
    contact_preference: str
    do_not_call_since: datetime.date | None
    lease_start: datetime.date
    # (first name, last name, birth date, role)
    people: list[tuple[str, str, datetime.date, str]] = field(default_factory=list)
    # (kind, arrears amount, source, start date, note)
    flags: list[tuple[str, Decimal | None, str, datetime.date, str]] = field(default_factory=list)


def _stream(seed: int, spec: LandlordSpec, what: str) -> random.Random:
    return random.Random(f"{seed}:{spec.slug}:{what}")


def _faker(seed: int, spec: LandlordSpec, what: str) -> Faker:
    fake = Faker("fr_FR")
    fake.seed_instance(f"{seed}:{spec.slug}:{what}")
    return fake


class _Placer:
    """Places dwellings in buildings: round robin over the named buildings, then new ones."""

    def __init__(self, spec: LandlordSpec, seed: int):
        self.spec = spec
        self.rng = _stream(seed, spec, "buildings")
        self.named = [
            BuildingPlan(
                f"{spec.code}-B{i:04d}",
                b.estate,
                b.name,
                b.address,
                b.floors,
                b.per_floor,
                b.status,
            )
            for i, b in enumerate(spec.buildings, start=1)
        ]
        self.fill = [0] * len(self.named)
        self.cursor = 0
        self.extra: BuildingPlan | None = None
        self.extra_fill = 0
        self.extra_count = 0
        self.new_buildings: list[BuildingPlan] = list(self.named)

    def next_slot(self) -> tuple[BuildingPlan, int]:
        for _attempt in range(len(self.named)):
            i = self.cursor
            self.cursor = (self.cursor + 1) % len(self.named)
            if self.fill[i] < self.named[i].capacity:
                self.fill[i] += 1
                return self.named[i], self.fill[i] - 1
        if self.extra is None or self.extra_fill >= self.extra.capacity:
            self.extra = self._new_building()
            self.extra_fill = 0
            self.new_buildings.append(self.extra)
        self.extra_fill += 1
        return self.extra, self.extra_fill - 1

    def _new_building(self) -> BuildingPlan:
        streets = self.spec.extra_streets
        estate, street, first_number = streets[self.extra_count % len(streets)]
        number = first_number + 2 * (self.extra_count // len(streets))
        self.extra_count += 1
        name = f"{number} {street}"
        reference = f"{self.spec.code}-B{len(self.named) + self.extra_count:04d}"
        floors = self.rng.randint(4, 12)
        per_floor = self.rng.randint(4, 8)
        return BuildingPlan(
            reference, estate, name, name, floors, per_floor, BuildingStatus.IN_SERVICE
        )

    def take_new_buildings(self) -> list[BuildingPlan]:
        new, self.new_buildings = self.new_buildings, []
        return new


TYPOLOGIES = ("T1", "T2", "T3", "T4", "T5", "T6")
TYPOLOGY_WEIGHTS = (8, 20, 35, 25, 10, 2)
SURFACES = {"T1": (18, 34), "T2": (40, 55), "T3": (56, 74), "T4": (72, 90), "T5": (86, 108)}
SURFACES["T6"] = (102, 130)
CENT = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _dwellings(spec: LandlordSpec, seed: int, placer: _Placer) -> Iterator[DwellingPlan]:
    rng = _stream(seed, spec, "dwellings")
    for number in itertools.count(1):
        building, slot = placer.next_slot()
        typology = rng.choices(TYPOLOGIES, TYPOLOGY_WEIGHTS)[0]
        low, high = SURFACES[typology]
        surface = round(rng.uniform(low, high), 1)
        floor = slot // building.per_floor
        if building.status in (BuildingStatus.BEING_DEMOLISHED, BuildingStatus.DEMOLISHED):
            status = DwellingStatus.WITHDRAWN
        else:
            works = 0.25 if building.status == BuildingStatus.REHABILITATION else 0.02
            draw = rng.random()
            status = (
                DwellingStatus.UNDER_WORKS
                if draw < works
                else DwellingStatus.VACANT
                if draw < works + 0.05
                else DwellingStatus.OCCUPIED
            )
        reachable = floor == 0 or building.floors >= 5  # buildings of five floors have a lift
        yield DwellingPlan(
            reference=f"{spec.code}-L{number:06d}",
            building=building,
            typology=typology,
            floor=floor,
            door=f"{floor}{chr(ord('A') + slot % building.per_floor)}",
            surface=Decimal(str(surface)).quantize(CENT),
            rent=_money(surface * rng.uniform(5.4, 7.6)),
            charges=_money(surface * rng.uniform(1.3, 2.6)),
            status=status,
            adapted=reachable and rng.random() < 0.06,
        )


# Share of households whose lease holder is 70 or more, by typology (small flats more often).
SENIOR_SHARE = {"T1": 0.35, "T2": 0.30, "T3": 0.18, "T4": 0.10, "T5": 0.06, "T6": 0.06}
COUPLE_SHARE = {"T1": 0.1, "T2": 0.35, "T3": 0.5, "T4": 0.6, "T5": 0.65, "T6": 0.7}
CHILDREN = {"T1": (0, 0), "T2": (0, 1), "T3": (0, 2), "T4": (1, 3), "T5": (2, 4), "T6": (3, 5)}


def _birth_date(rng, age: int) -> datetime.date:
    """A birth date making someone ``age`` years old on the reference date."""
    return REFERENCE_DATE - datetime.timedelta(days=round(age * 365.25) + rng.randrange(1, 365))


def _date_between(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _person(fake: Faker, female: bool) -> str:
    return fake.first_name_female() if female else fake.first_name_male()


def _household(rng, fake: Faker, spec: LandlordSpec, number: int, dwelling: DwellingPlan):
    typology = dwelling.typology
    senior = rng.random() < SENIOR_SHARE[typology]
    if senior:
        age = 70 + int(rng.triangular(0, 26, 4))
        couple = rng.random() < 0.35
        children = [rng.randint(35, age - 22)] if rng.random() < 0.05 else []
    else:
        age = int(rng.triangular(19, 70, 40))
        couple = rng.random() < COUPLE_SHARE[typology]
        low, high = CHILDREN[typology]
        count = rng.randint(low, high) if age >= 22 else 0
        children = [rng.randint(0, min(25, age - 19)) for _ in range(count)]
    # Most single parents are mothers.
    female = rng.random() < (0.85 if children and not couple else 0.55)
    first, last = _person(fake, female), fake.last_name()
    people = [(first, last, _birth_date(rng, age), PersonRole.LEASE_HOLDER)]
    title = "Mme" if female else "M."
    name = f"{title} {last}"
    if couple:
        spouse_last = last if rng.random() < 0.8 else fake.last_name()
        spouse_age = max(19, age + rng.randint(-6, 6))
        role = PersonRole.CO_HOLDER if rng.random() < 0.6 else PersonRole.SPOUSE
        people.append((_person(fake, not female), spouse_last, _birth_date(rng, spouse_age), role))
        spouse_title = "M." if female else "Mme"
        name = (
            "M. et Mme " + last
            if spouse_last == last
            else f"{title} {last} et {spouse_title} {spouse_last}"
        )
    for child_age in children:
        people.append(
            (_person(fake, rng.random() < 0.5), last, _birth_date(rng, child_age), PersonRole.CHILD)
        )
    if not senior and age >= 40 and rng.random() < 0.04:
        elder_age = rng.randint(max(age + 18, 72), 96)
        people.append((_person(fake, True), last, _birth_date(rng, elder_age), PersonRole.RELATIVE))

    has_email = rng.random() < (0.2 if senior else 0.6)
    email = f"{slugify(first)}.{slugify(last)}{number % 97}@exemple.demo" if has_email else ""
    mobile = f"+336{rng.choice('0124578')}{rng.randrange(10**7):07d}"
    mobile = mobile if rng.random() < (0.5 if senior else 0.9) else ""
    phone = (
        f"+3346571{rng.randrange(10**4):04d}" if rng.random() < (0.7 if senior else 0.25) else ""
    )
    if senior:
        preferences = (("phone", 8), ("post", 2))
    elif email:
        preferences = (("phone", 5), ("email", 3), ("sms", 1), ("post", 1))
    else:
        preferences = (("phone", 7), ("sms", 2), ("post", 1))
    preference = rng.choices([p for p, _w in preferences], [w for _p, w in preferences])[0]

    def since() -> datetime.date:
        return REFERENCE_DATE - datetime.timedelta(days=rng.randrange(30, 1100))

    # Leases start once the holder is of age, at the earliest when the estates opened (1972).
    latest = REFERENCE_DATE - datetime.timedelta(days=61)
    of_age = people[0][2] + datetime.timedelta(days=round(18 * 365.25))
    earliest = min(max(datetime.date(1972, 9, 1), of_age), latest)
    lease_start = _date_between(rng, earliest, latest)
    plan = HouseholdPlan(
        reference=f"{spec.code}-M{number:06d}",
        dwelling=dwelling,
        name=name,
        phone=phone,
        mobile_phone=mobile,
        email=email,
        language="en" if rng.random() < 0.03 else "fr",
        contact_preference=preference,
        do_not_call_since=since() if rng.random() < 0.03 else None,
        lease_start=lease_start,
        people=people,
    )

    kinds = VulnerabilityFlag.Kind
    sources = VulnerabilityFlag.Source
    if rng.random() < (0.06 if senior else 0.11):
        months = rng.uniform(0.3, 6)
        amount = max(Decimal("1.00"), _money(float(dwelling.rent + dwelling.charges) * months))
        plan.flags.append((kinds.PAYMENT_DIFFICULTY, amount, sources.ACCOUNTING, since(), ""))
    if len(people) == 1 and rng.random() < (0.55 if senior else 0.2):
        note = "Repéré(e) lors d'un appel de courtoisie." if senior else ""
        plan.flags.append((kinds.ISOLATED, None, sources.CALL_CAMPAIGN, since(), note))
    if rng.random() < (0.08 if senior else 0.03):
        plan.flags.append((kinds.DISABILITY, None, sources.STAFF, since(), ""))
    overcrowded = len(people) > TYPOLOGIES.index(typology) + 2
    if rng.random() < (0.3 if overcrowded else 0.02):
        plan.flags.append((kinds.PRIORITY_TRANSFER, None, sources.ALLOCATIONS, since(), ""))
    return plan


# --- Writing: insert what is missing, batch by batch ------------------------------------------


@dataclass
class SeedReport:
    seed: int
    households_requested: int
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, model, count: int, *, label: str = "") -> None:
        label = label or str(capfirst(model._meta.verbose_name_plural))
        self.created[label] = self.created.get(label, 0) + count

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        lines = [
            ngettext(
                "Données de démonstration (graine %(seed)s, %(count)s ménage demandé) :",
                "Données de démonstration (graine %(seed)s, %(count)s ménages demandés) :",
                self.households_requested,
            )
            % {"seed": self.seed, "count": self.households_requested}
        ]
        if not self.total:
            lines.append(_("  rien à créer : les données de démonstration sont déjà en place."))
        else:
            lines += [
                _("  %(label)s : %(count)s créé(s)") % {"label": label, "count": count}
                for label, count in self.created.items()
            ]
        seconds = number_format(self.seconds, decimal_pos=1)
        lines.append(_("Terminé en %(seconds)s s.") % {"seconds": seconds})
        lines.append(
            _("Mot de passe de tous les comptes de démonstration : %(password)s")
            % {"password": DEMO_PASSWORD}
        )
        return "\n".join(lines)


def _insert_missing(model, rows: list, existing: set, key, report: SeedReport) -> list:
    """Insert the rows whose natural key is not in ``existing``; return them."""
    missing = [row for row in rows if key(row) not in existing]
    model.objects.bulk_create(missing, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True)
    report.add(model, len(missing))
    return missing


def seed_demo(*, households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED) -> SeedReport:
    """Create whatever demo data is missing for ``(households, seed)``; never change a row."""
    started = time.perf_counter()
    report = SeedReport(seed=seed, households_requested=households)
    User = get_user_model()
    for model in (Landlord, Agency, Estate, Building, Dwelling, Household, Person, Lease):
        report.add(model, 0)
    for model in (VulnerabilityFlag, User, StaffMembership, Group):
        report.add(model, 0)
    with transaction.atomic():
        landlords = _seed_landlords(report)
        estates = _seed_estates(report)
        agencies = _seed_agencies(landlords, report)
        for spec, count in zip(LANDLORDS, households_per_landlord(households), strict=True):
            _seed_housing(spec, landlords[spec.slug], estates, agencies, count, seed, report)
        _seed_accounts(landlords, agencies, seed, report)
    report.seconds = time.perf_counter() - started
    return report


def _seed_landlords(report: SeedReport) -> dict[str, int]:
    existing = set(Landlord.objects.values_list("slug", flat=True))
    rows = [
        Landlord(
            slug=s.slug,
            name=s.name,
            kind=s.kind,
            email=s.email,
            phone=s.phone,
            website=s.website,
        )
        for s in LANDLORDS
    ]
    _insert_missing(Landlord, rows, existing, lambda row: row.slug, report)
    return dict(
        Landlord.objects.filter(slug__in=[s.slug for s in LANDLORDS]).values_list("slug", "id")
    )


def _seed_estates(report: SeedReport) -> dict[str, int]:
    slugs = [e.slug for e in ESTATES]
    existing = set(Estate.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    rows = [Estate(slug=e.slug, name=e.name, city=e.city) for e in ESTATES]
    _insert_missing(Estate, rows, existing, lambda row: row.slug, report)
    return dict(Estate.objects.filter(slug__in=slugs).values_list("slug", "id"))


def _seed_agencies(landlords: dict[str, int], report: SeedReport) -> dict[tuple[str, str], int]:
    """Agency ids by (landlord slug, estate slug): the agency that serves each estate."""

    def current_ids() -> dict[tuple[int, str], int]:
        rows = Agency.objects.filter(landlord_id__in=landlords.values())
        return {(lid, name): pk for lid, name, pk in rows.values_list("landlord_id", "name", "id")}

    ids = current_ids()
    rows = [
        Agency(
            landlord_id=landlords[s.slug],
            name=a.name,
            address=a.address,
            postal_code=a.estate.postal_code,
            city=a.estate.city,
            email=a.email,
            phone=a.phone,
            opening_hours=a.opening_hours,
        )
        for s in LANDLORDS
        for a in s.agencies
    ]
    _insert_missing(Agency, rows, set(ids), lambda row: (row.landlord_id, row.name), report)
    ids = current_ids()
    by_estate = {}
    for s in LANDLORDS:
        for estate in ESTATES:
            serving = [a for a in s.agencies if a.estate == estate] or list(s.agencies)
            by_estate[s.slug, estate.slug] = ids[landlords[s.slug], serving[0].name]
    return by_estate


def _seed_housing(
    spec: LandlordSpec,
    landlord_id: int,
    estates: dict[str, int],
    agencies: dict[tuple[str, str], int],
    count: int,
    seed: int,
    report: SeedReport,
) -> None:
    placer = _Placer(spec, seed)
    dwellings = _dwellings(spec, seed, placer)
    rng = _stream(seed, spec, "households")
    fake = _faker(seed, spec, "households")
    building_ids: dict[str, int] = {}

    def write_buildings() -> None:
        plans = placer.take_new_buildings()
        if not plans:
            return
        references = [plan.reference for plan in plans]
        rows = [
            Building(
                landlord_id=landlord_id,
                estate_id=estates[plan.estate.slug],
                agency_id=agencies[spec.slug, plan.estate.slug],
                reference=plan.reference,
                name=plan.name,
                address=plan.address,
                postal_code=plan.estate.postal_code,
                city=plan.estate.city,
                floors=plan.floors,
                has_lift=plan.floors >= 5,
                status=plan.status,
            )
            for plan in plans
        ]
        in_db = Building.objects.filter(landlord_id=landlord_id, reference__in=references)
        existing = set(in_db.values_list("reference", flat=True))
        _insert_missing(Building, rows, existing, lambda row: row.reference, report)
        building_ids.update(in_db.values_list("reference", "id"))

    write_buildings()  # the named buildings exist even when the landlord has no household
    for start in range(1, count + 1, BATCH_SIZE):
        batch_dwellings: list[DwellingPlan] = []
        plans: list[HouseholdPlan] = []
        for number in range(start, min(start + BATCH_SIZE, count + 1)):
            dwelling = next(dwellings)
            batch_dwellings.append(dwelling)
            while not dwelling.lettable:
                dwelling = next(dwellings)
                batch_dwellings.append(dwelling)
            plans.append(_household(rng, fake, spec, number, dwelling))
        write_buildings()
        dwelling_ids = _write_dwellings(landlord_id, batch_dwellings, building_ids, report)
        _write_households(landlord_id, plans, dwelling_ids, report)


def _write_dwellings(
    landlord_id: int, plans: list[DwellingPlan], building_ids: dict[str, int], report: SeedReport
) -> dict[str, int]:
    # References are zero-padded and consecutive: one range query finds the batch's rows.
    in_db = Dwelling.objects.filter(
        landlord_id=landlord_id, reference__range=(plans[0].reference, plans[-1].reference)
    )
    existing = set(in_db.values_list("reference", flat=True))
    rows = [
        Dwelling(
            landlord_id=landlord_id,
            building_id=building_ids[plan.building.reference],
            reference=plan.reference,
            typology=plan.typology,
            floor=plan.floor,
            door=plan.door,
            surface=plan.surface,
            rent=plan.rent,
            charges=plan.charges,
            status=plan.status,
            adapted_reduced_mobility=plan.adapted,
        )
        for plan in plans
        if plan.reference not in existing
    ]
    _insert_missing(Dwelling, rows, existing, lambda row: row.reference, report)
    return dict(in_db.values_list("reference", "id"))


def _write_households(
    landlord_id: int, plans: list[HouseholdPlan], dwelling_ids: dict[str, int], report: SeedReport
) -> None:
    in_db = Household.objects.filter(
        landlord_id=landlord_id, reference__range=(plans[0].reference, plans[-1].reference)
    )
    existing = set(in_db.values_list("reference", flat=True))
    new = [plan for plan in plans if plan.reference not in existing]
    rows = [
        Household(
            landlord_id=landlord_id,
            reference=plan.reference,
            name=plan.name,
            phone=plan.phone,
            mobile_phone=plan.mobile_phone,
            email=plan.email,
            preferred_language=plan.language,
            contact_preference=plan.contact_preference,
            do_not_call=plan.do_not_call_since is not None,
            do_not_call_since=plan.do_not_call_since,
            do_not_call_reason=DO_NOT_CALL_REASON if plan.do_not_call_since else "",
        )
        for plan in new
    ]
    _insert_missing(Household, rows, existing, lambda row: row.reference, report)
    if not new:
        return
    household_ids = dict(in_db.values_list("reference", "id"))
    # A dwelling let by somebody else (data entered by hand, an import) is left alone.
    let = set(
        Lease.objects.filter(
            end_date__isnull=True,
            dwelling__landlord_id=landlord_id,
            dwelling__reference__range=(new[0].dwelling.reference, new[-1].dwelling.reference),
        ).values_list("dwelling_id", flat=True)
    )
    people, leases, flags = [], [], []
    for plan in new:
        household_id = household_ids[plan.reference]
        people += [
            Person(
                household_id=household_id,
                first_name=first,
                last_name=last,
                birth_date=birth,
                role=role,
            )
            for first, last, birth, role in plan.people
        ]
        dwelling_id = dwelling_ids[plan.dwelling.reference]
        if dwelling_id not in let:
            let.add(dwelling_id)
            leases.append(
                Lease(
                    household_id=household_id, dwelling_id=dwelling_id, start_date=plan.lease_start
                )
            )
        flags += [
            VulnerabilityFlag(
                household_id=household_id,
                kind=kind,
                arrears_amount=amount,
                source=source,
                start_date=start,
                note=note,
            )
            for kind, amount, source, start, note in plan.flags
        ]
    for model, rows in ((Person, people), (Lease, leases), (VulnerabilityFlag, flags)):
        model.objects.bulk_create(rows, batch_size=INSERT_BATCH_SIZE)
        report.add(model, len(rows))


# --- Accounts: a superuser, staff for every role at each landlord, a few tenants --------------


def staff_email(spec: LandlordSpec, role: str) -> str:
    return f"{role.replace('_', '-')}@{spec.domain}"


def tenant_email(spec: LandlordSpec, number: int) -> str:
    return f"locataire{number}@{spec.domain}"


def tenant_household_reference(spec: LandlordSpec, number: int) -> str:
    return f"{spec.code}-M{number:06d}"


def _seed_accounts(
    landlords: dict[str, int],
    agencies: dict[tuple[str, str], int],
    seed: int,
    report: SeedReport,
) -> None:
    User = get_user_model()
    # email -> (first name, last name, is staff, is superuser)
    wanted: dict[str, tuple[str, str, bool, bool]] = {
        SUPERUSER_EMAIL: ("Camille", "Administratrice", True, True)
    }
    memberships: list[tuple[str, str, str]] = []  # (email, landlord slug, role)
    for spec in LANDLORDS:
        fake = _faker(seed, spec, "staff")
        for role in Role:
            female = fake.random.random() < 0.6
            first = fake.first_name_female() if female else fake.first_name_male()
            email = staff_email(spec, role)
            wanted[email] = (first, fake.last_name(), role in ADMIN_ROLES, False)
            memberships.append((email, spec.slug, role))

    # Tenant logins: the lease holders of each landlord's first households.
    tenants: dict[str, tuple[int, int | None]] = {}  # email -> (person id, its user id)
    references = {
        tenant_household_reference(spec, n): (spec, n)
        for spec in LANDLORDS
        for n in range(1, TENANT_LOGINS_PER_LANDLORD + 1)
    }
    holders = (
        Person.objects.filter(
            role=PersonRole.LEASE_HOLDER,
            household__landlord_id__in=landlords.values(),
            household__reference__in=references,
        )
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "user_id", "household__reference")
    )
    for pk, first, last, user_id, reference in holders:
        email = tenant_email(*references[reference])
        if email not in tenants:
            tenants[email] = (pk, user_id)
            wanted[email] = (first, last, False, False)

    existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    missing = [email for email in wanted if email not in existing]
    if missing:
        password = make_password(DEMO_PASSWORD)  # hashed once for every demo account
        rows = [
            User(
                email=email,
                first_name=wanted[email][0],
                last_name=wanted[email][1],
                is_staff=wanted[email][2],
                is_superuser=wanted[email][3],
                password=password,
                date_joined=DATE_JOINED,
            )
            for email in missing
        ]
        _insert_missing(User, rows, existing, lambda row: row.email, report)
    user_ids = dict(User.objects.filter(email__in=wanted).values_list("email", "id"))

    staff_ids = [user_ids[email] for email, _slug, _role in memberships]
    existing_memberships = set(
        StaffMembership.objects.filter(user_id__in=staff_ids).values_list(
            "user_id", "landlord_id", "role"
        )
    )
    rows = [
        StaffMembership(
            user_id=user_ids[email],
            landlord_id=landlords[slug],
            role=role,
            agency_id=agencies[slug, _spec(slug).agencies[0].estate.slug],
        )
        for email, slug, role in memberships
    ]
    _insert_missing(
        StaffMembership,
        rows,
        existing_memberships,
        lambda row: (row.user_id, row.landlord_id, row.role),
        report,
    )

    _seed_admin_group(
        [user_ids[email] for email, _slug, role in memberships if role in ADMIN_ROLES], report
    )

    linked = set(
        Person.objects.filter(user_id__in=[user_ids[e] for e in tenants]).values_list(
            "user_id", flat=True
        )
    )
    links = 0
    for email, (person_id, person_user_id) in tenants.items():
        if person_user_id is None and user_ids[email] not in linked:
            # At most TENANT_LOGINS_PER_LANDLORD updates per landlord, and only on a first run.
            links += Person.objects.filter(pk=person_id, user__isnull=True).update(
                user_id=user_ids[email]
            )
    report.add(None, links, label=_("Comptes locataires reliés à un ménage"))


def _spec(slug: str) -> LandlordSpec:
    return next(spec for spec in LANDLORDS if spec.slug == slug)


def _seed_admin_group(user_ids: list[int], report: SeedReport) -> None:
    """The group giving Django admin's model permissions to staff who work in the admin."""
    group, created = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    report.add(Group, int(created))
    missing = Permission.objects.filter(content_type__app_label__in=ADMIN_GROUP_APPS).exclude(
        group=group
    )
    missing = list(missing)
    if missing:
        group.permissions.add(*missing)
    Through = get_user_model().groups.through
    existing = set(
        Through.objects.filter(group=group, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    Through.objects.bulk_create(
        [Through(user_id=pk, group_id=group.pk) for pk in user_ids if pk not in existing],
        ignore_conflicts=True,
    )


# --- Reading the logins back (manage.py demo_logins) ------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    landlord: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts present in the database: the superuser, staff, then tenants."""
    User = get_user_model()
    logins = []
    if User.objects.filter(email=SUPERUSER_EMAIL, is_superuser=True).exists():
        logins.append(DemoLogin(SUPERUSER_EMAIL, _("super-utilisateur"), _("tous les bailleurs")))
    order = {
        staff_email(spec, role): i
        for i, (spec, role) in enumerate(itertools.product(LANDLORDS, Role))
    }
    memberships = StaffMembership.objects.filter(user__email__in=order).select_related(
        "user", "landlord"
    )
    for membership in sorted(memberships, key=lambda m: (order[m.user.email], m.landlord.name)):
        logins.append(
            DemoLogin(
                membership.user.email, membership.get_role_display(), membership.landlord.name
            )
        )
    tenant_order = {
        tenant_email(spec, n): (i, n)
        for i, spec in enumerate(LANDLORDS)
        for n in range(1, TENANT_LOGINS_PER_LANDLORD + 1)
    }
    people = Person.objects.filter(user__email__in=tenant_order).select_related(
        "user", "household__landlord"
    )
    for person in sorted(people, key=lambda p: tenant_order[p.user.email]):
        logins.append(
            DemoLogin(
                person.user.email,
                _("locataire (%(household)s)") % {"household": person.household.name},
                person.household.landlord.name,
            )
        )
    return logins
