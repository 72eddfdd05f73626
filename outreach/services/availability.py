"""Advisers' availability edited from the staff pages: weekly rules and absences.

Every write checks its rules, then regenerates the landlord's slots after commit (the same task
as the admin). Booked appointments are never deleted by a change: a booked slot that falls in a
new absence stays, and the page lists it to the adviser (``booked_during_absences``) so that
they move or cancel it with the household.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.models import Agency, Role, StaffMembership
from outreach.calendar import PARIS
from outreach.errors import OutreachError
from outreach.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    AvailabilityExceptionKind,
    AvailabilityRule,
)
from outreach.services.appointments import ADVISER_ROLES
from portal.tasks import enqueue_on_commit

# Who may edit any adviser of their landlord; who reaches « Mes disponibilités ».
AVAILABILITY_MANAGERS = [Role.SUPERVISOR, Role.LANDLORD_ADMIN]
AVAILABILITY_ROLES = [*ADVISER_ROLES, *AVAILABILITY_MANAGERS]
# The kinds of exception an adviser records as an absence (extra hours stay in the admin).
ABSENCE_KINDS = [AvailabilityExceptionKind.LEAVE, AvailabilityExceptionKind.TRAINING]


def slots_regenerate_later(*, landlord_id: int) -> None:
    """Regenerate the landlord's slots once the current transaction commits."""
    from outreach.tasks import generate_appointment_slots

    enqueue_on_commit(generate_appointment_slots, landlord_id=landlord_id)


def adviser_roles(*, adviser_id: int, landlord_ids) -> list[tuple[int, str]]:
    """(landlord id, adviser role) pairs the user holds at ``landlord_ids`` (one query); the
    roles are AdviserKind values."""
    return list(
        StaffMembership.objects.filter(
            user_id=adviser_id, landlord_id__in=landlord_ids, role__in=ADVISER_ROLES
        ).values_list("landlord_id", "role")
    )


def adviser_kinds_at(*, adviser_id: int, landlord_id: int) -> list[str]:
    """The adviser roles (AdviserKind values) the user holds at the landlord."""
    return [role for _, role in adviser_roles(adviser_id=adviser_id, landlord_ids=[landlord_id])]


def _paris_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=PARIS)


def _ranges_meet(first_from, first_until, second_from, second_until) -> bool:
    """Do two date ranges (None: open-ended) share a day?"""
    return (second_until is None or first_from is None or first_from <= second_until) and (
        first_until is None or second_from is None or second_from <= first_until
    )


@transaction.atomic
def availability_rule_add(
    *,
    adviser_id: int,
    agency: Agency,
    kind: str,
    weekday: int,
    start_time: datetime.time,
    end_time: datetime.time,
    slot_minutes: int = 30,
    offers_agency: bool = True,
    offers_phone: bool = True,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> AvailabilityRule:
    """Add a weekly rule for the adviser at an agency of a landlord where they are an adviser."""
    if kind not in adviser_kinds_at(adviser_id=adviser_id, landlord_id=agency.landlord_id):
        raise OutreachError(_("Ce conseiller n'a pas ce rôle chez le bailleur de cette agence."))
    if not 0 <= weekday <= 6:
        raise OutreachError(_("Choisissez un jour de la semaine."))
    if end_time <= start_time:
        raise OutreachError(_("L'heure de fin doit être après l'heure de début."))
    if not 10 <= slot_minutes <= 240:
        raise OutreachError(_("Un créneau dure entre 10 et 240 minutes."))
    if not (offers_agency or offers_phone):
        raise OutreachError(_("Proposez au moins un mode : à l'agence ou par téléphone."))
    if valid_from and valid_until and valid_until < valid_from:
        raise OutreachError(_("La date de fin de validité doit suivre la date de début."))
    same_day = (
        AvailabilityRule.objects.select_for_update()
        .filter(
            adviser_id=adviser_id,
            weekday=weekday,
            is_active=True,
            start_time__lt=end_time,
            end_time__gt=start_time,
        )
        .select_related("agency")
    )
    for other in same_day:
        if _ranges_meet(valid_from, valid_until, other.valid_from, other.valid_until):
            raise OutreachError(
                _(
                    "Ces heures chevauchent une autre disponibilité du même jour "
                    "(%(start)s – %(end)s, %(agency)s)."
                )
                % {
                    "start": other.start_time.strftime("%H:%M"),
                    "end": other.end_time.strftime("%H:%M"),
                    "agency": other.agency.name,
                }
            )
    rule = AvailabilityRule.objects.create(
        landlord_id=agency.landlord_id,
        agency=agency,
        adviser_id=adviser_id,
        kind=kind,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        slot_minutes=slot_minutes,
        offers_agency=offers_agency,
        offers_phone=offers_phone,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    slots_regenerate_later(landlord_id=rule.landlord_id)
    return rule


@transaction.atomic
def availability_rule_end(
    *, rule_id: int, last_day: datetime.date, today: datetime.date | None = None
) -> AvailabilityRule:
    """Stop a weekly rule after ``last_day`` (its past stays visible in the history)."""
    today = today or timezone.localdate()
    rule = AvailabilityRule.objects.select_for_update().get(pk=rule_id)
    if last_day < today:
        raise OutreachError(_("La dernière journée ne peut pas être dans le passé."))
    if rule.valid_from and last_day < rule.valid_from:
        raise OutreachError(
            _("La dernière journée doit suivre le début de la disponibilité (%(day)s).")
            % {"day": rule.valid_from.strftime("%d/%m/%Y")}
        )
    rule.valid_until = last_day
    rule.save(update_fields=["valid_until", "updated_at"])
    slots_regenerate_later(landlord_id=rule.landlord_id)
    return rule


@transaction.atomic
def availability_rule_remove(*, rule_id: int) -> None:
    """Delete a weekly rule: its free slots go, booked ones stay."""
    rule = AvailabilityRule.objects.select_for_update().get(pk=rule_id)
    landlord_id = rule.landlord_id
    rule.delete()
    slots_regenerate_later(landlord_id=landlord_id)


@transaction.atomic
def availability_absence_add(
    *,
    adviser_id: int,
    landlord_id: int,
    kind: str,
    first_day: datetime.date,
    last_day: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> AvailabilityException:
    """Record an absence over whole days (first and last included), Paris time."""
    today = today or timezone.localdate()
    if kind not in ABSENCE_KINDS:
        raise OutreachError(_("Choisissez le motif de l'absence : congé ou formation."))
    if not adviser_kinds_at(adviser_id=adviser_id, landlord_id=landlord_id):
        raise OutreachError(_("Cette personne n'est pas conseiller de ce bailleur."))
    if last_day < first_day:
        raise OutreachError(_("Le dernier jour d'absence doit suivre le premier."))
    if first_day < today:
        raise OutreachError(_("Une absence ne peut pas commencer dans le passé."))
    absence = AvailabilityException.objects.create(
        landlord_id=landlord_id,
        adviser_id=adviser_id,
        kind=kind,
        starts_at=_paris_midnight(first_day),
        ends_at=_paris_midnight(last_day + datetime.timedelta(days=1)),
        note=note.strip(),
    )
    slots_regenerate_later(landlord_id=landlord_id)
    return absence


@transaction.atomic
def availability_absence_remove(*, exception_id: int, now: datetime.datetime | None = None) -> None:
    """Remove an absence that has not begun (a begun one is history)."""
    now = now or timezone.now()
    absence = AvailabilityException.objects.select_for_update().get(pk=exception_id)
    if absence.starts_at <= now:
        raise OutreachError(_("Seule une absence à venir peut être supprimée."))
    landlord_id = absence.landlord_id
    absence.delete()
    slots_regenerate_later(landlord_id=landlord_id)


# ---------------------------------------------------------------------------------------------
# Reading (the page)


def adviser_rules(*, adviser_id: int, landlord_ids, today: datetime.date):
    """The adviser's weekly rules still running or to come, by day and hour."""
    return (
        AvailabilityRule.objects.filter(adviser_id=adviser_id, landlord_id__in=landlord_ids)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("agency")
        .order_by("weekday", "start_time", "pk")
    )


def adviser_absences(*, adviser_id: int, landlord_ids, now: datetime.datetime):
    """The adviser's absences not yet over, soonest first."""
    return AvailabilityException.objects.filter(
        adviser_id=adviser_id, landlord_id__in=landlord_ids, kind__in=ABSENCE_KINDS, ends_at__gt=now
    ).order_by("starts_at", "pk")


def booked_during_absences(*, adviser_id: int, landlord_ids, now: datetime.datetime):
    """Booked appointments to come that fall in one of the adviser's absences (one query)."""
    overlapping = AvailabilityException.objects.filter(
        adviser_id=OuterRef("slot__adviser_id"),
        kind__in=ABSENCE_KINDS,
        starts_at__lt=OuterRef("slot__end"),
        ends_at__gt=OuterRef("slot__start"),
    )
    return (
        Appointment.objects.filter(
            landlord_id__in=landlord_ids,
            slot__adviser_id=adviser_id,
            status=AppointmentStatus.BOOKED,
            slot__start__gt=now,
        )
        .filter(Exists(overlapping))
        .select_related("slot", "household")
        .order_by("slot__start", "pk")
    )
