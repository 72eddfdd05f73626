"""Caretakers' duties: assignments to buildings, rounds ticked off, and the weekly figures.

Services (writes, in a transaction, raising :class:`DutyError` with a French message) and the
selectors the caretaker's and the supervisor's pages share. Kept apart from ``housing.services``
(the stock imports) so each module stays about one thing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.models import (
    Building,
    CaretakerAssignment,
    DutyCompletion,
    DutyRound,
    Role,
    StaffMembership,
    weekday_bit,
)
from housing.scoping import landlord_ids_with_role

DUTY_SUPERVISORS = [Role.SUPERVISOR, Role.LANDLORD_ADMIN]


class DutyError(Exception):
    """A rule of the caretakers' duties was not met; the message is for the user (French)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Who is who ------------------------------------------------------------------------------------


def is_caretaker_of(user, landlord_id: int) -> bool:
    """The user holds the caretaker role at the landlord (memberships of active accounts only)."""
    return StaffMembership.objects.filter(
        user=user, user__is_active=True, landlord_id=landlord_id, role=Role.CARETAKER
    ).exists()


def caretakers_of(landlord_id: int):
    """Active caretaker accounts of a landlord, by name."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__landlord_id=landlord_id,
            memberships__role=Role.CARETAKER,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def can_supervise_duties(user, landlord_id: int) -> bool:
    return landlord_id in landlord_ids_with_role(user, DUTY_SUPERVISORS)


def caretaker_buildings(user):
    """The buildings the user looks after (their landlord still visible to them)."""
    return (
        Building.objects.visible_to(user)
        .filter(
            caretaker_assignments__user=user,
            landlord_id__in=landlord_ids_with_role(user, [Role.CARETAKER]),
        )
        .order_by("name")
    )


# Services ---------------------------------------------------------------------------------------


@transaction.atomic
def caretaker_assign(*, user, building: Building, by) -> CaretakerAssignment:
    """Give ``building`` to caretaker ``user``; done by a supervisor or admin of its landlord."""
    if not can_supervise_duties(by, building.landlord_id):
        raise DutyError(_("Seul un responsable du bailleur peut affecter un gardien."))
    if not is_caretaker_of(user, building.landlord_id):
        raise DutyError(
            _("%(user)s n'est pas gardien(ne) chez %(landlord)s.")
            % {"user": user.get_full_name() or user.email, "landlord": building.landlord}
        )
    assignment, _created = CaretakerAssignment.objects.get_or_create(user=user, building=building)
    return assignment


def duty_round_complete(
    *, duty_round: DutyRound, user, note: str = "", on: datetime.date | None = None
) -> DutyCompletion:
    """Tick off a round for a day (today by default) with an optional note.

    Only a caretaker of the round's building does it, only on a day it is due, never ahead of
    time, and once a day (the database refuses a second completion).
    """
    today = timezone.localdate()
    on = on or today
    note = note.strip()
    max_length = DutyCompletion._meta.get_field("note").max_length
    if len(note) > max_length:
        raise DutyError(
            _("La note ne doit pas dépasser %(count)d caractères.") % {"count": max_length}
        )
    if not CaretakerAssignment.objects.filter(
        user=user, building_id=duty_round.building_id
    ).exists():
        raise DutyError(_("Cette tournée n'est pas celle d'un de vos immeubles."))
    if not is_caretaker_of(user, duty_round.building.landlord_id):
        raise DutyError(_("Votre rôle ne permet pas de cocher cette tournée."))
    if on > today:
        raise DutyError(_("Une tournée ne se coche pas à l'avance."))
    if not duty_round.is_active or not duty_round.is_due_on(on):
        raise DutyError(
            _("Cette tournée n'est pas prévue le %(date)s.") % {"date": f"{on:%d/%m/%Y}"}
        )
    try:
        with transaction.atomic():
            return DutyCompletion.objects.create(
                round=duty_round, date=on, done_by=user, done_at=timezone.now(), note=note
            )
    except IntegrityError as error:
        raise DutyError(
            _("Cette tournée est déjà cochée pour le %(date)s.") % {"date": f"{on:%d/%m/%Y}"}
        ) from error


# Selectors --------------------------------------------------------------------------------------


def rounds_due_on(queryset, day: datetime.date):
    """Active rounds of ``queryset`` due on ``day``, bitwise in SQL."""
    return (
        queryset.filter(is_active=True, starts_on__lte=day)
        .annotate(due_mask=F("weekdays").bitand(weekday_bit(day.weekday())))
        .exclude(due_mask=0)
    )


def caretaker_rounds(user):
    """Every round of the buildings the user looks after (a round elsewhere answers 404)."""
    return DutyRound.objects.visible_to(user).filter(
        building__in=caretaker_buildings(user).values("pk")
    )


def caretaker_rounds_today(user, today: datetime.date | None = None):
    """The user's rounds due today, each with ``today_completion`` (None when not ticked yet)."""
    today = today or timezone.localdate()
    return (
        rounds_due_on(caretaker_rounds(user), today)
        .select_related("building")
        .prefetch_related(
            models.Prefetch(
                "completions",
                queryset=DutyCompletion.objects.filter(date=today).select_related("done_by"),
                to_attr="today_completions",
            )
        )
        .order_by(F("time").asc(nulls_last=True), "building__name", "kind", "pk")
    )


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _due_days_expression(days: list[datetime.date]):
    """SQL: how many of ``days`` a round is due on (weekday bit set and on or after starts_on)."""
    terms = [
        Case(
            When(
                Q(starts_on__lte=day) & Q(**{f"bit{day.weekday()}__gt": 0}),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
        for day in days
    ]
    total = Value(0, output_field=IntegerField())
    for term in terms:
        total = total + term
    return total


def _with_weekday_bits(queryset):
    return queryset.annotate(
        **{f"bit{day}": F("weekdays").bitand(weekday_bit(day)) for day in range(7)}
    )


def _per_building_sum(queryset, expression):
    """A correlated SUM of ``expression`` over the building's rows of ``queryset``."""
    summed = (
        queryset.filter(building=OuterRef("pk"))
        .order_by()
        .values("building")
        .annotate(n=Sum(expression))
        .values("n")
    )
    return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))


def _per_building_count(queryset):
    counted = (
        queryset.filter(round__building=OuterRef("pk"))
        .order_by()
        .values("round__building")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class DutyWeek:
    start: datetime.date
    today: datetime.date

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)

    @property
    def days(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=n) for n in range(7)]

    @property
    def past_days(self) -> list[datetime.date]:
        """Days over at ``today``: a round due then and not ticked is missed."""
        return [day for day in self.days if day < self.today]

    @property
    def previous(self) -> datetime.date:
        return self.start - datetime.timedelta(days=7)

    @property
    def next(self) -> datetime.date:
        return self.start + datetime.timedelta(days=7)


def duty_week_board(user, *, landlord_ids, week: DutyWeek):
    """Buildings with rounds, of the given landlords, with the week's figures (one query).

    ``due``: round-days due in the week; ``done``: completions in the week; ``missed``: round-days
    over (before today) and not ticked; ``done_past`` helps compute it. All set-based SQL.
    """
    rounds = _with_weekday_bits(DutyRound.objects.filter(is_active=True))
    completions = DutyCompletion.objects.filter(
        round__is_active=True, date__gte=week.start, date__lte=week.end
    )
    past_completions = completions.filter(date__lt=week.today)
    return (
        Building.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids)
        .filter(models.Exists(DutyRound.objects.filter(building=OuterRef("pk"), is_active=True)))
        .select_related("landlord", "estate")
        .annotate(
            due=_per_building_sum(rounds, _due_days_expression(week.days)),
            due_past=_per_building_sum(rounds, _due_days_expression(week.past_days)),
            done=_per_building_count(completions),
            done_past=_per_building_count(past_completions),
        )
        # Never below zero: a tick on a day the round is no longer due (its days changed since)
        # must not hide a missed one.
        .annotate(missed=Greatest(F("due_past") - F("done_past"), Value(0)))
        .order_by("estate__name", "name", "pk")
    )
