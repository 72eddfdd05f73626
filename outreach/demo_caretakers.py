"""Demo caretakers' duties: each landlord's caretaker looks after a few buildings, has ticked
the last weeks' rounds (with a few missed), and carries groceries for a tenant found by a call.

Idempotent: rows are matched by their natural keys and created only when missing. Dates are
relative to the day the demo is loaded, so the "today" page and the week board always show
something.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housing.models import (
    Building,
    BuildingStatus,
    CaretakerAssignment,
    DutyCompletion,
    DutyRound,
)
from outreach.models import CallLog, CallOutcome, Need, NeedKind, SolidarityTask
from tenants.models import Lease

# kind, weekdays (bit 0 = Monday), time, details
ROUNDS = [
    (
        DutyRound.Kind.CLEANING,
        0b0011111,
        datetime.time(8, 0),
        gettext_lazy("Halls, escaliers et paliers"),
    ),
    (
        DutyRound.Kind.WASTE_OUT,
        0b0001001,
        datetime.time(19, 0),
        gettext_lazy("Bacs gris et jaunes"),
    ),
    (DutyRound.Kind.WASTE_IN, 0b0010010, datetime.time(8, 30), ""),
    (
        DutyRound.Kind.INSPECTION,
        0b0000100,
        datetime.time(14, 0),
        gettext_lazy("Caves, local vélos, toiture"),
    ),
]
BUILDINGS_PER_CARETAKER = 3
PAST_DAYS = 21


def _caretaker_buildings(landlord_id: int, first: Building | None) -> list[Building]:
    """The building of a tenant helped after a call first, then the first buildings in service."""
    others = Building.objects.filter(
        landlord_id=landlord_id, status=BuildingStatus.IN_SERVICE
    ).order_by("name", "pk")
    chosen = [first] if first is not None else []
    for building in others:
        if len(chosen) >= BUILDINGS_PER_CARETAKER:
            break
        if building not in chosen:
            chosen.append(building)
    return chosen


def _helped_call(landlord_id: int):
    """A demo call that reached a household needing help, with a current lease (first by date)."""
    return (
        CallLog.objects.filter(landlord_id=landlord_id, outcome=CallOutcome.REACHED_NEEDS_HELP)
        .filter(Exists(Lease.objects.current().filter(household=OuterRef("household"))))
        .select_related("household")
        .order_by("called_at", "pk")
        .first()
    )


def _completions(rounds: list[DutyRound], caretaker, today: datetime.date) -> list[DutyCompletion]:
    """The last weeks' rounds, done, but for about one in seven left undone (missed)."""
    rows = []
    for duty_round in rounds:
        for back in range(1, PAST_DAYS + 1):
            day = today - datetime.timedelta(days=back)
            if not duty_round.is_due_on(day) or (day.toordinal() + duty_round.pk) % 7 == 0:
                continue
            done_at = timezone.make_aware(
                datetime.datetime.combine(day, duty_round.time or datetime.time(9, 0))
            )
            rows.append(
                DutyCompletion(round=duty_round, date=day, done_by=caretaker, done_at=done_at)
            )
    return rows


def seed_caretakers_demo() -> dict[str, int]:
    """Assignments, rounds, past completions and a grocery task per landlord with a caretaker."""
    from tenants.demo import LANDLORDS, staff_email

    users = get_user_model().objects
    today = timezone.localdate()
    counts = {"rounds": 0, "tasks": 0}
    with transaction.atomic():
        for spec in LANDLORDS:
            caretaker = users.filter(email=staff_email(spec, "caretaker")).first()
            requester = users.filter(email=staff_email(spec, "caller")).first()
            if caretaker is None:
                continue
            landlord_id = caretaker.memberships.get(role="caretaker").landlord_id
            call = _helped_call(landlord_id)
            household = call.household if call else None
            home = (
                Lease.objects.current()
                .filter(household=household)
                .select_related("dwelling__building")
                .first()
                if household
                else None
            )
            rounds = []
            for building in _caretaker_buildings(
                landlord_id, home.dwelling.building if home else None
            ):
                CaretakerAssignment.objects.get_or_create(user=caretaker, building=building)
                for kind, weekdays, time, details in ROUNDS:
                    duty_round, created = DutyRound.objects.get_or_create(
                        building=building,
                        kind=kind,
                        defaults={
                            "weekdays": weekdays,
                            "time": time,
                            "details": str(details),
                            "starts_on": today - datetime.timedelta(days=PAST_DAYS),
                        },
                    )
                    counts["rounds"] += created
                    rounds.append(duty_round)
            DutyCompletion.objects.bulk_create(
                _completions(rounds, caretaker, today), ignore_conflicts=True
            )
            if call is None or requester is None:
                continue
            need, _created = Need.objects.get_or_create(
                call_log=call,
                household=household,
                kind=NeedKind.CARETAKER_HELP,
                defaults={
                    "note": _("Courses du jeudi, ne peut plus porter les sacs"),
                    "handled": True,
                },
            )
            floor = home.dwelling.floor if home else 0
            _task, created = SolidarityTask.objects.get_or_create(
                need=need,
                defaults={
                    "landlord_id": landlord_id,
                    "household": household,
                    "call_log": call,
                    "assigned_to": caretaker,
                    "description": _("Porter les courses de %(household)s, étage %(floor)s")
                    % {"household": household.name, "floor": floor},
                    "due_on": today,
                    "created_by": requester,
                },
            )
            counts["tasks"] += created
    return counts
