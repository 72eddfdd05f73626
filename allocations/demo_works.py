"""Demo data of works sites and of the rehousing before the 7-9 Limousin demolition.

Idempotent and deterministic: each site is created once (looked up by landlord and name) with its
timeline and notices; the rehousing files go through the real services. The story follows the
article: the demolition of 7-9 Limousin started after the first lockdown (June 2020); the
rehabilitation of 60 galerie de l'Arlequin stopped on 17 March 2020 and resumed in May.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from allocations.models import RehousingFile
from allocations.rehousing import rehousing_file_update, rehousing_open_for_site
from housing.models import Building, Dwelling, Landlord, WorksNotice, WorksSite
from housing.works import works_event_add
from tenants.models import Lease, Person

D = datetime.date
DEMOLITION_STARTED = D(2020, 6, 2)
REHOUSED_FILES = 12

SITES = [
    {
        "landlord": "alpes-isere-habitat",
        "name": "Démolition du 7-9 Limousin",
        "kind": "demolition",
        "buildings": ["7-9 Limousin"],
        "contractor": "Démolitions du Dauphiné (désamiantage puis grignotage)",
        "description": (
            "Déconstruction de la tour de 15 étages dans le cadre du renouvellement urbain de la "
            "Villeneuve d'Échirolles. Tous les ménages sont relogés avant le début des travaux."
        ),
        "planned_start": D(2020, 3, 2),
        "planned_end": D(2021, 12, 17),
        "budget": "4200000",
        "events": [
            ("announced", D(2019, 10, 14), ""),
            ("started", DEMOLITION_STARTED, ""),
        ],
        "notices": [
            (
                D(2020, 6, 2),
                "Démarrage de la démolition",
                "Après le report dû au confinement, le chantier de démolition du 7-9 Limousin "
                "commence aujourd'hui par le désamiantage. Les accès au parking Limousin sont "
                "modifiés : suivez le fléchage.",
            ),
            (
                D(2020, 9, 14),
                "Grignotage de la tour",
                "La pelle de grande hauteur commence le grignotage de la tour. Le chantier est "
                "arrosé en continu pour limiter la poussière ; horaires : 7 h 30 – 17 h en semaine.",
            ),
        ],
    },
    {
        "landlord": "actis",
        "name": "Réhabilitation du 60 galerie de l'Arlequin",
        "kind": "rehabilitation",
        "buildings": ["60 galerie de l'Arlequin"],
        "contractor": "Groupement Isère Rénovation",
        "description": (
            "Isolation des façades, remplacement des menuiseries et de la ventilation, "
            "rénovation des halls."
        ),
        "planned_start": D(2020, 1, 6),
        "planned_end": D(2021, 3, 31),
        "budget": "6800000",
        "events": [
            ("announced", D(2019, 9, 2), ""),
            ("started", D(2020, 1, 6), ""),
            ("suspended", D(2020, 3, 17), "Confinement (covid-19)"),
            ("resumed", D(2020, 5, 11), ""),
        ],
        "notices": [
            (
                D(2020, 3, 17),
                "Chantier suspendu pendant le confinement",
                "Le chantier de réhabilitation est suspendu à partir d'aujourd'hui. Les "
                "échafaudages restent en place et sont sécurisés. Nous vous préviendrons de la "
                "reprise.",
            ),
            (
                D(2020, 5, 7),
                "Reprise du chantier le 11 mai",
                "Les travaux reprennent lundi 11 mai, avec des règles sanitaires renforcées. "
                "Les interventions dans les logements sont reprogrammées : l'entreprise vous "
                "appellera pour fixer un rendez-vous.",
            ),
        ],
    },
]


def seed_works_demo() -> dict[str, int]:
    """The two sites of the article, a lift replacement at the first demo tenant's building,
    and the rehousing files of 7-9 Limousin. A second run changes nothing."""
    counts = {"sites": 0, "files": 0}
    with transaction.atomic():
        for spec in SITES:
            if _site(spec) is not None:
                counts["sites"] += 1
        if _lift_site() is not None:
            counts["sites"] += 1
        counts["files"] = _rehousing()
    return counts


def _site(spec) -> WorksSite | None:
    landlord = Landlord.objects.filter(slug=spec["landlord"]).first()
    buildings = Building.objects.filter(landlord=landlord, name__in=spec["buildings"])
    if landlord is None or not buildings.exists():
        return None
    if WorksSite.objects.filter(landlord=landlord, name=spec["name"]).exists():
        return None
    site = WorksSite.objects.create(
        landlord=landlord,
        name=spec["name"],
        kind=spec["kind"],
        contractor=spec["contractor"],
        description=spec["description"],
        planned_start=spec["planned_start"],
        planned_end=spec["planned_end"],
        budget=spec.get("budget"),
    )
    site.buildings.set(buildings)
    for kind, day, reason in spec["events"]:
        works_event_add(site=site, kind=kind, date=day, reason=reason)
    WorksNotice.objects.bulk_create(
        [
            WorksNotice(site=site, title=title, body=body, published_on=day)
            for day, title, body in spec["notices"]
        ]
    )
    return site


def _lift_site() -> WorksSite | None:
    """Where locataire1@actis.demo lives, so that the demo tenant sees a notice at home."""
    lease = (
        Lease.objects.current(D(2026, 1, 1))
        .filter(household__reference="ACT-M000001")
        .select_related("dwelling__building")
        .first()
    )
    if lease is None:
        return None
    building = lease.dwelling.building
    return _site(
        {
            "landlord": "actis",
            "name": f"Remplacement des ascenseurs – {building.name}",
            "kind": "maintenance",
            "buildings": [building.name],
            "contractor": "Ascenseurs des Alpes",
            "description": "Remplacement des deux ascenseurs, l'un après l'autre.",
            "planned_start": D(2026, 1, 12),
            "planned_end": D(2026, 4, 30),
            "events": [("announced", D(2025, 12, 1), ""), ("started", D(2026, 1, 12), "")],
            "notices": [
                (
                    D(2025, 12, 1),
                    "Remplacement des ascenseurs à partir du 12 janvier",
                    "Un ascenseur sur deux est arrêté pendant les travaux. Les personnes qui ont "
                    "besoin d'aide pour monter leurs courses peuvent appeler l'agence : le gardien "
                    "passera.",
                ),
            ],
        }
    )


def _rehousing() -> int:
    """Files of households that left 7-9 Limousin for another home of the landlord.

    The demo's households all live elsewhere today; those who moved into their current home
    between July 2020 and 2022 are given their former lease at 7-9 Limousin, the files are opened
    as the demolition started (on that date's leases) and followed until the move.
    """
    site = WorksSite.objects.filter(name="Démolition du 7-9 Limousin").first()
    if site is None or RehousingFile.objects.filter(site=site).exists():
        return 0
    building = site.buildings.get()
    free_dwellings = list(
        Dwelling.objects.filter(building=building)
        .exclude(leases__isnull=False)
        .order_by("reference")
    )
    movers = list(
        Lease.objects.current(D(2026, 1, 1))
        .filter(
            household__landlord_id=site.landlord_id,
            start_date__range=(D(2020, 7, 1), D(2022, 12, 31)),
        )
        .select_related("household", "dwelling__building__estate")
        .order_by("start_date", "household__reference")[: min(REHOUSED_FILES, len(free_dwellings))]
    )
    holders = dict(
        Person.objects.filter(
            household__in=[lease.household for lease in movers], role="lease_holder"
        ).values_list("household_id", "birth_date")
    )
    former = []
    for lease, dwelling in zip(movers, free_dwellings, strict=False):
        born = holders.get(lease.household_id)
        start = D(2004, 9, 1)
        if born is not None and born.replace(year=born.year + 18) > start:
            continue  # too young to have held the former lease
        former.append(
            Lease(
                household=lease.household,
                dwelling=dwelling,
                start_date=start,
                end_date=lease.start_date - datetime.timedelta(days=1),
            )
        )
    if not former:
        return 0
    Lease.objects.bulk_create(former)
    rehousing_open_for_site(site=site, today=DEMOLITION_STARTED)
    new_homes = {lease.household_id: lease for lease in movers}
    for number, file in enumerate(
        RehousingFile.objects.filter(site=site).select_related("household").order_by("pk")
    ):
        home = new_homes[file.household_id]
        met = DEMOLITION_STARTED + datetime.timedelta(days=7 + number)
        rehousing_file_update(
            file=file,
            status="wishes_recorded",
            met_on=met,
            wished_estates=[home.dwelling.building.estate],
            wished_typology=home.dwelling.typology,
        )
        for status in ("offer_made", "offer_accepted", "moved"):
            rehousing_file_update(
                file=file,
                status=status,
                met_on=met,
                wished_estates=[home.dwelling.building.estate],
                wished_typology=home.dwelling.typology,
                moved_on=home.start_date if status == "moved" else None,
                note=f"{home.dwelling.typology} – {home.dwelling.building.name}",
            )
    return RehousingFile.objects.filter(site=site).count()
