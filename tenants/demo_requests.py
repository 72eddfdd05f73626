"""Demo data of the technical requests: a dozen per landlord in every state, and call-backs.

``seed_tenant_requests_demo()`` is idempotent (a landlord that has demo requests is skipped) and
sends no e-mail: rows are written in bulk, their events marked as already announced. Call it after
the tenants demo (which creates the households, the leases and the staff).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from housing.models import Landlord, Role, StaffMembership
from tenants.models import (
    ContactRequest,
    Lease,
    RequestEvent,
    RequestStatus,
    TechnicalRequest,
)
from tenants.services.requests import target_delay

DEMO_PREFIX = "DT-DEMO-"

# (category, location, description, priority, status, age in days, days since last news)
DEMO_REQUESTS = [
    ("plumbing", "dwelling", "Fuite sous l'évier de la cuisine.", "high", "new", 0, 0),
    (
        "heating",
        "dwelling",
        "Radiateur de la chambre froid depuis lundi.",
        "normal",
        "acknowledged",
        4,
        2,
    ),
    ("lift", "common_area", "Ascenseur bloqué au 5e étage.", "urgent", "in_progress", 1, 1),
    (
        "damp",
        "dwelling",
        "Moisissures au plafond de la salle de bains.",
        "normal",
        "acknowledged",
        25,
        20,
    ),
    ("doors_locks", "dwelling", "La porte palière ferme mal.", "normal", "visit_scheduled", 6, 3),
    ("pests", "common_area", "Cafards dans le local poubelles.", "high", "new", 5, 5),
    ("electricity", "dwelling", "Prise du salon qui grésille.", "high", "done", 12, 8),
    ("common_areas", "common_area", "Éclairage du hall en panne.", "normal", "done", 30, 26),
    ("other", "dwelling", "Boîte aux lettres sans nom.", "normal", "rejected", 9, 7),
    ("plumbing", "dwelling", "Chasse d'eau qui coule en continu.", "normal", "in_progress", 18, 16),
]

DEMO_CALLBACKS = [
    ("callback", "Question sur la régularisation des charges.", "mardi après-midi"),
    ("correction", "Notre fils a quitté le logement en septembre.", ""),
]


def seed_tenant_requests_demo() -> dict[str, int]:
    created = {"requests": 0, "events": 0, "contacts": 0}
    now = timezone.now()
    for landlord in Landlord.objects.order_by("pk"):
        if TechnicalRequest.objects.filter(
            landlord=landlord, reference__startswith=DEMO_PREFIX
        ).exists():
            continue
        leases = list(
            Lease.objects.current()
            .filter(household__landlord=landlord)
            .select_related("household")
            .order_by("household_id")[: len(DEMO_REQUESTS)]
        )
        if not leases:
            continue
        technician = (
            StaffMembership.objects.filter(landlord=landlord, role=Role.TECHNICIAN)
            .values_list("user_id", flat=True)
            .first()
        )
        with transaction.atomic():
            rows = []
            for index, (lease, spec) in enumerate(zip(leases, DEMO_REQUESTS, strict=False)):
                category, location, description, priority, status, age, quiet = spec
                filed = now - datetime.timedelta(days=age, hours=index)
                closed = status in (RequestStatus.DONE, RequestStatus.REJECTED)
                rows.append(
                    TechnicalRequest(
                        landlord=landlord,
                        household=lease.household,
                        dwelling_id=lease.dwelling_id,
                        reference=f"{DEMO_PREFIX}{landlord.pk}-{index + 1:03d}",
                        category=category,
                        location=location,
                        description=description,
                        channel="extranet" if index % 3 else "phone",
                        priority=priority,
                        due_at=filed + target_delay(priority),
                        status=status,
                        rejection_reason="Relève de l'assurance du locataire."
                        if status == RequestStatus.REJECTED
                        else "",
                        assignee_id=technician if status != RequestStatus.NEW else None,
                        last_update_at=now - datetime.timedelta(days=quiet),
                        closed_at=now - datetime.timedelta(days=quiet) if closed else None,
                        rating=4 if status == RequestStatus.DONE and index % 2 == 0 else None,
                        confirmed_at=now - datetime.timedelta(days=quiet)
                        if status == RequestStatus.DONE and index % 2 == 0
                        else None,
                    )
                )
            TechnicalRequest.objects.bulk_create(rows)
            saved = TechnicalRequest.objects.filter(
                landlord=landlord, reference__startswith=DEMO_PREFIX
            ).values_list("pk", "status", "last_update_at", "created_at")
            events = []
            for pk, status, last_update, _created in saved:
                events.append(
                    RequestEvent(
                        request_id=pk,
                        kind=RequestEvent.Kind.CREATED,
                        created_at=last_update - datetime.timedelta(days=1),
                        notified_at=now,
                    )
                )
                if status != RequestStatus.NEW:
                    events.append(
                        RequestEvent(
                            request_id=pk,
                            kind=RequestEvent.Kind.STATUS,
                            from_status=RequestStatus.NEW,
                            to_status=status,
                            body="Nous avons bien pris en compte votre demande.",
                            created_at=last_update,
                            notified_at=now,
                        )
                    )
            RequestEvent.objects.bulk_create(events)
            contacts = [
                ContactRequest(
                    landlord=landlord,
                    household=lease.household,
                    kind=kind,
                    reason=reason,
                    preferred_times=times,
                )
                for lease, (kind, reason, times) in zip(leases, DEMO_CALLBACKS, strict=False)
            ]
            ContactRequest.objects.bulk_create(contacts)
        created["requests"] += len(rows)
        created["events"] += len(events)
        created["contacts"] += len(contacts)
    return created
