"""Appointments with advisers: slots from weekly rules, booking, cancel and move, reminders,
signed links in e-mails and the waiting list.

Every rule lives here; views, tasks and admin call these functions. Times are UTC in the
database and built from Europe/Paris wall-clock times, so slots stay right across DST changes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python

from housing.models import Role, StaffMembership
from outreach.calendar import PARIS, is_public_holiday
from outreach.errors import OutreachError
from outreach.models import (
    AdviserKind,
    Appointment,
    AppointmentMode,
    AppointmentReason,
    AppointmentStatus,
    AvailabilityException,
    AvailabilityExceptionKind,
    AvailabilityRule,
    BookingSettings,
    Reminder,
    Slot,
    WaitingListEntry,
    WaitingStatus,
)
from portal.compiled import compiled_query
from portal.tasks import enqueue_on_commit

ADVISER_ROLES = [Role.RECOVERY_OFFICER, Role.SOCIAL_ADVISER]
# Who works with the advisers' diaries: the advisers and their landlord's administrators.
APPOINTMENT_DESK = [Role.RECOVERY_OFFICER, Role.SOCIAL_ADVISER, Role.LANDLORD_ADMIN]

# Which adviser a reason leads to (None: either).
REASON_KIND = {
    AppointmentReason.RENT_DIFFICULTY: AdviserKind.RECOVERY_OFFICER,
    AppointmentReason.BUDGET_ADVICE: AdviserKind.SOCIAL_ADVISER,
    AppointmentReason.FILE_HELP: AdviserKind.SOCIAL_ADVISER,
    AppointmentReason.OTHER: None,
}

LINK_MAX_AGE = datetime.timedelta(days=60)
LINK_PURPOSES = ("cancel", "move")
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
MAX_REMINDER_ATTEMPTS = 5


class SlotTaken(OutreachError):
    """The slot went to someone else: the message and other free slots for the user."""

    def __init__(self, message: str, alternatives: list[Slot]):
        super().__init__(message)
        self.alternatives = alternatives


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def paris(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, PARIS)


def _local_day_bounds(moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    day = paris(moment).date()
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=PARIS)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0), tzinfo=PARIS
    )
    return start, end


# ---------------------------------------------------------------------------------------------
# Slot generation


@dataclass(frozen=True)
class _Wanted:
    landlord_id: int
    agency_id: int
    adviser_id: int
    kind: str
    start: datetime.datetime
    end: datetime.datetime
    offers_agency: bool
    offers_phone: bool


def _wall_clock_slots(
    day: datetime.date, start: datetime.time, end: datetime.time, minutes: int
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Slots of one day in Paris wall-clock time, converted to UTC (DST-correct)."""
    step = datetime.timedelta(minutes=minutes)
    current = datetime.datetime.combine(day, start)
    last = datetime.datetime.combine(day, end)
    slots = []
    while current + step <= last:
        local_start = current.replace(tzinfo=PARIS)
        local_end = (current + step).replace(tzinfo=PARIS)
        slots.append((local_start.astimezone(datetime.UTC), local_end.astimezone(datetime.UTC)))
        current += step
    return slots


def _wanted_slots(
    landlord_id: int, first_day: datetime.date, last_day: datetime.date
) -> dict[tuple[int, datetime.datetime], _Wanted]:
    rules = list(AvailabilityRule.objects.filter(landlord_id=landlord_id, is_active=True))
    exceptions = list(
        AvailabilityException.objects.filter(
            landlord_id=landlord_id,
            ends_at__gt=datetime.datetime.combine(first_day, datetime.time(0), tzinfo=PARIS),
            starts_at__lt=datetime.datetime.combine(
                last_day + datetime.timedelta(days=1), datetime.time(0), tzinfo=PARIS
            ),
        )
    )
    closed = [e for e in exceptions if e.kind != AvailabilityExceptionKind.EXTRA]
    wanted: dict[tuple[int, datetime.datetime], _Wanted] = {}
    day = first_day
    while day <= last_day:
        if not is_public_holiday(day):
            for rule in rules:
                if rule.weekday != day.weekday():
                    continue
                if (rule.valid_from and day < rule.valid_from) or (
                    rule.valid_until and day > rule.valid_until
                ):
                    continue
                for start, end in _wall_clock_slots(
                    day, rule.start_time, rule.end_time, rule.slot_minutes
                ):
                    wanted.setdefault(
                        (rule.adviser_id, start),
                        _Wanted(
                            landlord_id,
                            rule.agency_id,
                            rule.adviser_id,
                            rule.kind,
                            start,
                            end,
                            rule.offers_agency,
                            rule.offers_phone,
                        ),
                    )
        day += datetime.timedelta(days=1)
    for extra in exceptions:
        if extra.kind != AvailabilityExceptionKind.EXTRA:
            continue
        local_start, local_end = paris(extra.starts_at), paris(extra.ends_at)
        for start, end in _wall_clock_slots(
            local_start.date(), local_start.time(), local_end.time(), extra.slot_minutes
        ):
            wanted[(extra.adviser_id, start)] = _Wanted(
                landlord_id,
                extra.agency_id,
                extra.adviser_id,
                extra.adviser_kind,
                start,
                end,
                extra.offers_agency,
                extra.offers_phone,
            )
    for key, slot in list(wanted.items()):
        if any(
            c.adviser_id == slot.adviser_id and c.starts_at < slot.end and c.ends_at > slot.start
            for c in closed
        ):
            del wanted[key]
    return wanted


@transaction.atomic
def slots_generate(*, landlord_id: int, now: datetime.datetime | None = None) -> dict[str, int]:
    """Bring the landlord's future slots in line with its rules, ``weeks_ahead`` weeks ahead.

    Booked slots are never touched. A free slot the rules no longer want is deleted (or closed
    when it has past bookings, to keep their history); a wanted slot is created or reopened.
    """
    now = _now(now)
    rules = BookingSettings.for_landlord(landlord_id)
    first_day = paris(now).date()
    last_day = first_day + datetime.timedelta(weeks=rules.weeks_ahead)
    horizon = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time(0), tzinfo=PARIS
    )
    wanted = _wanted_slots(landlord_id, first_day, last_day)
    wanted = {key: slot for key, slot in wanted.items() if slot.start > now}

    existing = (
        Slot.objects.filter(landlord_id=landlord_id, start__gt=now, start__lt=horizon)
        .annotate_booking()
        .values(
            "pk", "adviser_id", "start", "end", "agency_id", "kind", "is_open", "booked", "used"
        )
    )
    to_delete, to_close, to_reopen = [], [], []
    for row in existing:
        key = (row["adviser_id"], row["start"])
        if row["booked"]:
            wanted.pop(key, None)
            continue
        want = wanted.get(key)
        same = (
            want is not None
            and want.end == row["end"]
            and want.agency_id == row["agency_id"]
            and want.kind == row["kind"]
        )
        if same:
            wanted.pop(key)
            if not row["is_open"]:
                to_reopen.append(row["pk"])
        elif row["used"]:
            wanted.pop(key, None)  # keeps its history; the start stays taken by the old row
            if row["is_open"]:
                to_close.append(row["pk"])
        else:
            to_delete.append(row["pk"])
    Slot.objects.filter(pk__in=to_delete).delete()
    Slot.objects.filter(pk__in=to_close).update(is_open=False)
    Slot.objects.filter(pk__in=to_reopen).update(is_open=True)
    created = Slot.objects.bulk_create(
        [
            Slot(
                landlord_id=w.landlord_id,
                agency_id=w.agency_id,
                adviser_id=w.adviser_id,
                kind=w.kind,
                start=w.start,
                end=w.end,
                offers_agency=w.offers_agency,
                offers_phone=w.offers_phone,
            )
            for w in wanted.values()
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    return {
        "created": len(created),
        "deleted": len(to_delete),
        "closed": len(to_close),
        "reopened": len(to_reopen),
    }


# ---------------------------------------------------------------------------------------------
# Reading free slots


def free_slots(
    *,
    landlord_id: int,
    kind: str | None = None,
    mode: str | None = None,
    household_id: int | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    agency_id: int | None = None,
    staff: bool = False,
    now: datetime.datetime | None = None,
):
    """Free slots a household may book, with their adviser and agency, in one query."""
    now = _now(now)
    settings_ = BookingSettings.for_landlord(landlord_id)
    earliest = now if staff else now + datetime.timedelta(hours=settings_.min_notice_hours)
    queryset = (
        Slot.objects.free()
        .filter(landlord_id=landlord_id, start__gt=max(earliest, start or earliest))
        .exclude(
            # Held for a household of the waiting list (unless it is this one).
            pk__in=WaitingListEntry.objects.filter(
                status=WaitingStatus.OFFERED, offer_expires_at__gt=now, offered_slot__isnull=False
            )
            .exclude(household_id=household_id)
            .values("offered_slot_id")
        )
        .select_related("adviser", "agency")
        .order_by("start", "adviser__last_name", "pk")
    )
    if end is not None:
        queryset = queryset.filter(start__lt=end)
    if kind:
        queryset = queryset.filter(kind=kind)
    if mode == AppointmentMode.AGENCY:
        queryset = queryset.filter(offers_agency=True)
    elif mode == AppointmentMode.PHONE:
        queryset = queryset.filter(offers_phone=True)
    if agency_id:
        queryset = queryset.filter(agency_id=agency_id)
    return queryset


# ---------------------------------------------------------------------------------------------
# Booking


# The length of Appointment.details: longer text is refused in French, never cut by the database.
DETAILS_MAX_LENGTH = 500


@dataclass
class BookingRequest:
    reason: str
    mode: str
    phone: str = ""
    details: str = ""
    waiting_entry_id: int | None = None
    extra: dict = field(default_factory=dict)


# The reads of a booking, compiled once per connection (portal.compiled): booking is the tenants'
# busiest write. ``ignore_id`` is the appointment being moved (0 when booking: no row has it).


@compiled_query
def _household_bookings(*, household_id, ignore_id, now, since):
    """One row (none without appointments): the household's upcoming bookings, and its absences
    since ``since``."""
    return (
        Appointment.objects.filter(household_id=household_id)
        .exclude(pk=ignore_id)
        .values("household_id")
        .annotate(
            upcoming=Count("pk", filter=Q(status=AppointmentStatus.BOOKED, slot__start__gt=now)),
            absences=Count(
                "pk", filter=Q(status=AppointmentStatus.NO_SHOW, slot__start__gte=since)
            ),
        )
        .order_by()
    )


@compiled_query
def _adviser_day_bookings(*, adviser_id, ignore_id, day_start, day_end, near_start, near_end):
    """One row (none on a free day): the adviser's bookings that day, and those of them that
    overlap ``near_start``–``near_end`` (the slot widened by the buffer)."""
    return (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            slot__adviser_id=adviser_id,
            slot__start__gte=day_start,
            slot__start__lt=day_end,
        )
        .exclude(pk=ignore_id)
        .values("slot__adviser_id")
        .annotate(
            booked=Count("pk"),
            too_close=Count("pk", filter=Q(slot__start__lt=near_end, slot__end__gt=near_start)),
        )
        .order_by()
    )


@compiled_query
def _held_for_another(*, slot_id, household_id, now):
    """A live waiting-list offer of the slot to another household."""
    return (
        WaitingListEntry.objects.filter(
            offered_slot_id=slot_id, status=WaitingStatus.OFFERED, offer_expires_at__gt=now
        )
        .exclude(household_id=household_id)
        .values_list("pk", flat=True)[:1]
    )


@compiled_query
def _slot_booking(*, slot_id):
    """The booking that holds the slot, if any (its id)."""
    return Appointment.objects.filter(slot_id=slot_id, status=AppointmentStatus.BOOKED).values_list(
        "pk", flat=True
    )[:1]


@compiled_query
def _slot_row(*, slot_id):
    return Slot.objects.filter(pk=slot_id)


@compiled_query
def _adviser_day_locked(*, adviser_id, day_start, day_end):
    return (
        Slot.objects.select_for_update()
        .filter(adviser_id=adviser_id, start__gte=day_start, start__lt=day_end)
        .values_list("pk", flat=True)
    )


def _check_slot_rules(
    *,
    slot: Slot,
    household,
    mode: str,
    rules: BookingSettings,
    staff: bool,
    now: datetime.datetime,
    ignore_appointment_id: int | None = None,
) -> None:
    if slot.landlord_id != household.landlord_id:
        raise OutreachError(_("Ce créneau n'est pas proposé par votre bailleur."))
    if not slot.is_open or slot.start <= now:
        raise OutreachError(_("Ce créneau n'est plus proposé."))
    if mode not in AppointmentMode.values or not slot.offers(mode):
        raise OutreachError(_("Ce créneau n'est pas proposé pour ce mode de rendez-vous."))
    if not staff and slot.start < now + datetime.timedelta(hours=rules.min_notice_hours):
        raise OutreachError(
            _("Un rendez-vous se prend au moins %(hours)d heures à l'avance.")
            % {"hours": rules.min_notice_hours}
        )
    ignore_id = ignore_appointment_id or 0  # 0: no appointment has it
    mine = _household_bookings.first(
        household_id=household.pk,
        ignore_id=ignore_id,
        now=now,
        since=now - datetime.timedelta(days=rules.no_show_window_days),
    ) or {"upcoming": 0, "absences": 0}
    if mine["upcoming"] >= rules.max_upcoming_per_household:
        raise OutreachError(
            _("Votre ménage a déjà %(count)d rendez-vous à venir : c'est le maximum.")
            % {"count": rules.max_upcoming_per_household}
        )
    if not staff and rules.no_show_limit and mine["absences"] >= rules.no_show_limit:
        raise OutreachError(
            _(
                "Après %(count)d rendez-vous manqués, un nouveau rendez-vous se prend par "
                "téléphone auprès de votre agence."
            )
            % {"count": mine["absences"]}
        )
    day_start, day_end = _local_day_bounds(slot.start)
    buffer = datetime.timedelta(minutes=rules.buffer_minutes)
    adviser_day = _adviser_day_bookings.first(
        adviser_id=slot.adviser_id,
        ignore_id=ignore_id,
        day_start=day_start,
        day_end=day_end,
        near_start=slot.start - buffer,
        near_end=slot.end + buffer,
    ) or {"booked": 0, "too_close": 0}
    if adviser_day["booked"] >= rules.max_per_day:
        raise OutreachError(_("Ce conseiller n'a plus de rendez-vous libre ce jour-là."))
    if adviser_day["too_close"]:
        raise OutreachError(_("Ce créneau est trop proche d'un autre rendez-vous du conseiller."))
    if _held_for_another(slot_id=slot.pk, household_id=household.pk, now=now):
        raise OutreachError(_("Ce créneau est proposé à une personne de la liste d'attente."))


def _check_phone(mode: str, phone):
    """The number the adviser will call: required for a phone appointment, and a real number
    (French unless written with its country code). Returns what to store ("" for the agency)."""
    if mode not in AppointmentMode.values:
        raise OutreachError(_("Choisissez un rendez-vous à l'agence ou par téléphone."))
    if mode != AppointmentMode.PHONE:
        return ""
    text = str(phone or "").strip()
    if not text:
        raise OutreachError(_("Indiquez le numéro auquel le conseiller doit vous appeler."))
    number = to_python(text, region="FR")
    if number is None or not number.is_valid():
        raise OutreachError(_("Ce numéro de téléphone n'est pas valide : vérifiez-le."))
    return number


def _check_details(details: str) -> None:
    if len(details or "") > DETAILS_MAX_LENGTH:
        raise OutreachError(
            _("Les précisions ne doivent pas dépasser %(max)d caractères.")
            % {"max": DETAILS_MAX_LENGTH}
        )


def _lock_adviser_day(slot: Slot) -> None:
    """Serialise bookings of one adviser's day (PostgreSQL), so the daily rules hold in a race."""
    day_start, day_end = _local_day_bounds(slot.start)
    _adviser_day_locked(adviser_id=slot.adviser_id, day_start=day_start, day_end=day_end)


def _fresh_slot(slot: Slot) -> Slot:
    """The slot as it is now, read once its adviser's day is locked."""
    fresh = _slot_row.first(slot_id=slot.pk)
    if fresh is None:  # withdrawn by the adviser meanwhile
        raise OutreachError(_("Ce créneau n'est plus proposé."))
    return fresh


def _taken(slot: Slot, household, mode: str, now) -> SlotTaken:
    alternatives = list(
        free_slots(
            landlord_id=slot.landlord_id,
            kind=slot.kind,
            mode=mode,
            household_id=household.pk,
            start=slot.start - datetime.timedelta(days=3),
            now=now,
        ).exclude(pk=slot.pk)[:5]
    )
    return SlotTaken(
        _("Désolé, ce créneau vient d'être réservé par quelqu'un d'autre. Choisissez-en un autre."),
        alternatives,
    )


def _reminder_due(slot: Slot, rules: BookingSettings) -> datetime.datetime:
    return slot.start - datetime.timedelta(hours=rules.reminder_hours)


def _after_booking(appointment: Appointment, reminder: Reminder, now) -> None:
    from outreach import tasks

    enqueue_on_commit(
        tasks.send_appointment_email, appointment_id=appointment.pk, kind="confirmation"
    )
    if reminder.due_at <= now:
        enqueue_on_commit(tasks.send_reminder, reminder_id=reminder.pk)


def appointment_book(
    *,
    household,
    slot: Slot,
    request: BookingRequest,
    booked_by=None,
    staff: bool = False,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Book ``slot`` for ``household``; raises OutreachError (SlotTaken when it went to another)."""
    from outreach import tasks

    now = _now(now)
    phone = _check_phone(request.mode, request.phone)
    _check_details(request.details)
    if request.reason not in AppointmentReason.values:
        raise OutreachError(_("Choisissez le motif du rendez-vous."))
    try:
        with transaction.atomic():
            _lock_adviser_day(slot)
            slot = _fresh_slot(slot)
            if _slot_booking(slot_id=slot.pk):
                raise _taken(slot, household, request.mode, now)
            rules = BookingSettings.for_landlord(household.landlord_id)
            _check_slot_rules(
                slot=slot, household=household, mode=request.mode, rules=rules, staff=staff, now=now
            )
            appointment = Appointment.objects.create(
                landlord_id=household.landlord_id,
                slot=slot,
                household=household,
                reason=request.reason,
                details=request.details,
                mode=request.mode,
                phone=phone,
                booked_by=booked_by,
                booked_by_staff=staff,
                waiting_entry_id=request.waiting_entry_id,
            )
            reminder = Reminder.objects.create(
                appointment=appointment, due_at=_reminder_due(slot, rules)
            )
            waiting = WaitingListEntry.objects.filter(
                household=household,
                status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED],
                kind=slot.kind,
            )
            released = [
                slot_id
                for slot_id in waiting.filter(status=WaitingStatus.OFFERED).values_list(
                    "offered_slot_id", flat=True
                )
                if slot_id != slot.pk
            ]
            waiting.update(status=WaitingStatus.BOOKED, updated_at=now)
            _after_booking(appointment, reminder, now)
            for slot_id in released:  # a slot held for this household goes to the next in line
                enqueue_on_commit(tasks.offer_freed_slot, slot_id=slot_id)
    except IntegrityError as error:
        # The conditional unique constraint: another booking claimed the slot first.
        raise _taken(slot, household, request.mode, now) from error
    return appointment


def _check_cutoff(appointment: Appointment, rules: BookingSettings, now) -> None:
    if appointment.slot.start - datetime.timedelta(hours=rules.cancel_cutoff_hours) < now:
        raise OutreachError(
            _(
                "Ce rendez-vous ne peut plus être annulé ni déplacé en ligne (moins de %(hours)d "
                "heures avant) : appelez votre agence."
            )
            % {"hours": rules.cancel_cutoff_hours}
        )


def appointment_cancel(
    *,
    appointment: Appointment,
    by_user=None,
    staff: bool = False,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Appointment:
    now = _now(now)
    from outreach import tasks

    with transaction.atomic():
        appointment = Appointment.objects.select_related("slot").get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED:
            raise OutreachError(_("Ce rendez-vous n'est plus réservé."))
        if not staff:
            _check_cutoff(appointment, BookingSettings.for_landlord(appointment.landlord_id), now)
        changed = Appointment.objects.filter(
            pk=appointment.pk, status=AppointmentStatus.BOOKED
        ).update(
            status=AppointmentStatus.CANCELLED,
            cancelled_at=now,
            outcome_note=note,
            outcome_by=by_user if staff else None,
            updated_at=now,
        )
        if not changed:
            raise OutreachError(_("Ce rendez-vous n'est plus réservé."))
        Reminder.objects.filter(appointment=appointment, sent_at__isnull=True).delete()
        enqueue_on_commit(
            tasks.send_appointment_email, appointment_id=appointment.pk, kind="cancelled"
        )
        if appointment.slot.start > now:
            enqueue_on_commit(tasks.offer_freed_slot, slot_id=appointment.slot_id)
    appointment.refresh_from_db()
    return appointment


def appointment_move(
    *,
    appointment: Appointment,
    new_slot: Slot,
    by_user=None,
    staff: bool = False,
    now: datetime.datetime | None = None,
) -> Appointment:
    now = _now(now)
    from outreach import tasks

    try:
        with transaction.atomic():
            _lock_adviser_day(new_slot)
            appointment = (
                Appointment.objects.select_for_update()
                .select_related("slot", "household")
                .get(pk=appointment.pk)
            )
            if appointment.status != AppointmentStatus.BOOKED:
                raise OutreachError(_("Ce rendez-vous n'est plus réservé."))
            rules = BookingSettings.for_landlord(appointment.landlord_id)
            if not staff:
                _check_cutoff(appointment, rules, now)
            if appointment.moves >= rules.max_moves:
                raise OutreachError(
                    _("Ce rendez-vous a déjà été déplacé %(count)d fois : c'est le maximum.")
                    % {"count": appointment.moves}
                )
            new_slot = _fresh_slot(new_slot)
            if new_slot.pk == appointment.slot_id:
                raise OutreachError(_("Choisissez un autre créneau que celui du rendez-vous."))
            if _slot_booking(slot_id=new_slot.pk):
                raise _taken(new_slot, appointment.household, appointment.mode, now)
            _check_slot_rules(
                slot=new_slot,
                household=appointment.household,
                mode=appointment.mode,
                rules=rules,
                staff=staff,
                now=now,
                ignore_appointment_id=appointment.pk,
            )
            old_slot_id = appointment.slot_id
            appointment.slot = new_slot
            appointment.moves = F("moves") + 1
            appointment.save(update_fields=["slot", "moves", "updated_at"])
            Reminder.objects.update_or_create(
                appointment=appointment,
                defaults={
                    "due_at": _reminder_due(new_slot, rules),
                    "sent_at": None,
                    "claimed_at": None,
                    "attempts": 0,
                    "last_error": "",
                },
            )
            reminder = appointment.reminder
            enqueue_on_commit(
                tasks.send_appointment_email, appointment_id=appointment.pk, kind="moved"
            )
            if reminder.due_at <= now:
                enqueue_on_commit(tasks.send_reminder, reminder_id=reminder.pk)
            enqueue_on_commit(tasks.offer_freed_slot, slot_id=old_slot_id)
    except IntegrityError as error:
        raise _taken(new_slot, appointment.household, appointment.mode, now) from error
    appointment.refresh_from_db()
    return appointment


def appointment_set_outcome(
    *,
    appointment: Appointment,
    status: str,
    note: str = "",
    user=None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Staff mark an appointment done, no-show or cancelled, with a note."""
    now = _now(now)
    if status == AppointmentStatus.CANCELLED:
        return appointment_cancel(appointment=appointment, by_user=user, staff=True, note=note)
    if status not in (AppointmentStatus.DONE, AppointmentStatus.NO_SHOW):
        raise OutreachError(_("Choisissez l'issue du rendez-vous."))
    if appointment.status == AppointmentStatus.CANCELLED:
        raise OutreachError(_("Ce rendez-vous a été annulé."))
    if appointment.slot.start > now:
        raise OutreachError(_("Le rendez-vous n'a pas encore eu lieu."))
    Appointment.objects.filter(pk=appointment.pk).update(
        status=status, outcome_note=note, outcome_by=user, updated_at=now
    )
    appointment.refresh_from_db()
    return appointment


# ---------------------------------------------------------------------------------------------
# Signed links (cancel or move from an e-mail)


def _salt(purpose: str) -> str:
    return f"outreach.appointment.{purpose}"


def appointment_link_token(*, appointment_id: int, purpose: str) -> str:
    if purpose not in LINK_PURPOSES:
        raise ValueError(purpose)
    return signing.dumps({"a": appointment_id}, salt=_salt(purpose), compress=True)


def appointment_from_token(*, appointment_id: int, token: str, purpose: str) -> Appointment:
    """The appointment a link stands for; OutreachError when expired, forged or for another."""
    try:
        data = signing.loads(token, salt=_salt(purpose), max_age=LINK_MAX_AGE.total_seconds())
    except signing.SignatureExpired as error:
        raise OutreachError(_("Ce lien a expiré : connectez-vous à votre espace.")) from error
    except signing.BadSignature as error:
        raise OutreachError(_("Ce lien n'est pas valable.")) from error
    if data.get("a") != appointment_id:
        raise OutreachError(_("Ce lien n'est pas valable."))
    appointment = (
        Appointment.objects.select_related("slot__adviser", "slot__agency", "household")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise OutreachError(_("Ce lien n'est pas valable."))
    return appointment


# ---------------------------------------------------------------------------------------------
# Reminders


def reminder_claim(*, reminder_id: int, now: datetime.datetime | None = None) -> bool:
    """Take the reminder for sending: one conditional UPDATE, so a second run gets nothing."""
    now = _now(now)
    return bool(
        Reminder.objects.filter(
            pk=reminder_id,
            sent_at__isnull=True,
            due_at__lte=now,
            attempts__lt=MAX_REMINDER_ATTEMPTS,
            appointment__status=AppointmentStatus.BOOKED,
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


def reminder_send(*, reminder_id: int, now: datetime.datetime | None = None) -> bool:
    """Send one due reminder at most once; a failure is written on the row for staff."""
    from outreach.emails import send_appointment_email

    now = _now(now)
    if not reminder_claim(reminder_id=reminder_id, now=now):
        return False
    reminder = Reminder.objects.select_related("appointment").get(pk=reminder_id)
    try:
        send_appointment_email(appointment_id=reminder.appointment_id, kind="reminder")
    except Exception as error:
        Reminder.objects.filter(pk=reminder_id).update(
            claimed_at=None, last_error=str(error)[:2000] or error.__class__.__name__
        )
        return False
    Reminder.objects.filter(pk=reminder_id).update(sent_at=timezone.now(), last_error="")
    return True


def reminders_due(*, now: datetime.datetime | None = None) -> list[int]:
    now = _now(now)
    return list(
        Reminder.objects.filter(
            sent_at__isnull=True,
            due_at__lte=now,
            attempts__lt=MAX_REMINDER_ATTEMPTS,
            appointment__status=AppointmentStatus.BOOKED,
            appointment__slot__start__gt=now,
        ).values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Waiting list


def waiting_list_join(
    *,
    household,
    kind: str,
    reason: str,
    mode: str,
    phone: str = "",
    earliest: datetime.date,
    latest: datetime.date,
) -> WaitingListEntry:
    phone = _check_phone(mode, phone)
    if latest < earliest:
        raise OutreachError(_("La fin de la période doit suivre son début."))
    if WaitingListEntry.objects.filter(
        household=household,
        kind=kind,
        status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED],
    ).exists():
        raise OutreachError(_("Votre ménage est déjà sur la liste d'attente pour ce conseiller."))
    return WaitingListEntry.objects.create(
        landlord_id=household.landlord_id,
        household=household,
        kind=kind,
        reason=reason,
        mode=mode,
        phone=phone,
        earliest=earliest,
        latest=latest,
    )


def waiting_list_offer_slot(*, slot_id: int, now: datetime.datetime | None = None) -> int | None:
    """Offer a free slot to the first matching household in line; the entry's id, or None."""
    from outreach import tasks

    now = _now(now)
    slot = Slot.objects.free().filter(pk=slot_id, is_open=True, start__gt=now).first()
    if slot is None:
        return None
    if WaitingListEntry.objects.filter(
        offered_slot=slot, status=WaitingStatus.OFFERED, offer_expires_at__gt=now
    ).exists():
        return None
    rules = BookingSettings.for_landlord(slot.landlord_id)
    day = paris(slot.start).date()
    modes = [m for m in AppointmentMode.values if slot.offers(m)]
    candidates = WaitingListEntry.objects.filter(
        landlord_id=slot.landlord_id,
        kind=slot.kind,
        status=WaitingStatus.WAITING,
        mode__in=modes,
        earliest__lte=day,
        latest__gte=day,
    ).order_by("created_at", "pk")
    for entry_id in candidates.values_list("pk", flat=True)[:20]:
        try:
            with transaction.atomic():
                taken = WaitingListEntry.objects.filter(
                    pk=entry_id, status=WaitingStatus.WAITING
                ).update(
                    status=WaitingStatus.OFFERED,
                    offered_slot=slot,
                    offer_expires_at=now + datetime.timedelta(hours=rules.offer_hours),
                    updated_at=now,
                )
        except IntegrityError:
            return None  # another worker offered this slot at the same moment
        if taken:
            enqueue_on_commit(tasks.send_waiting_offer_email, entry_id=entry_id)
            return entry_id
    return None


def waiting_offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Offers past their time expire, and their slots go to the next in line."""
    from outreach import tasks

    now = _now(now)
    expired = list(
        WaitingListEntry.objects.filter(
            status=WaitingStatus.OFFERED, offer_expires_at__lte=now
        ).values_list("pk", "offered_slot_id")
    )
    if not expired:
        return 0
    WaitingListEntry.objects.filter(
        pk__in=[pk for pk, _slot in expired], status=WaitingStatus.OFFERED
    ).update(status=WaitingStatus.EXPIRED, updated_at=now)
    for _pk, slot_id in expired:
        if slot_id:
            enqueue_on_commit(tasks.offer_freed_slot, slot_id=slot_id)
    return len(expired)


def waiting_offer_accept(
    *, entry: WaitingListEntry, booked_by=None, now: datetime.datetime | None = None
) -> Appointment:
    now = _now(now)
    if (
        entry.status != WaitingStatus.OFFERED
        or entry.offer_expires_at is None
        or entry.offer_expires_at <= now
    ):
        raise OutreachError(_("Cette proposition n'est plus valable."))
    return appointment_book(
        household=entry.household,
        slot=entry.offered_slot,
        request=BookingRequest(
            reason=entry.reason,
            mode=entry.mode,
            phone=str(entry.phone or ""),
            waiting_entry_id=entry.pk,
        ),
        booked_by=booked_by,
        now=now,
    )


# ---------------------------------------------------------------------------------------------
# Advisers


def advisers_of(landlord_ids) -> list:
    """Users holding an adviser role at one of ``landlord_ids``, each once, by name."""
    from portal.models import User

    return list(
        User.objects.filter(
            pk__in=StaffMembership.objects.filter(
                landlord_id__in=landlord_ids, role__in=ADVISER_ROLES
            ).values("user_id")
        ).order_by("last_name", "first_name", "pk")
    )
