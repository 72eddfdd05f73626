"""The caretakers' side of the follow-ups: solidarity tasks, and problems reported on site."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.duties import caretaker_buildings, is_caretaker_of
from housing.models import Building
from outreach.errors import OutreachError
from outreach.models import (
    CallLog,
    Need,
    SolidarityTask,
    SolidarityTaskStatus,
)
from outreach.selectors.caretakers import caretaker_households
from outreach.services.campaigns import can_call
from tenants.errors import TenantError
from tenants.models import Household, RequestChannel, TechnicalRequest
from tenants.services.requests import request_create


def _check_description(description: str) -> str:
    description = description.strip()
    if not description:
        raise OutreachError(_("Décrivez la tâche en quelques mots."))
    max_length = SolidarityTask._meta.get_field("description").max_length
    if len(description) > max_length:
        raise OutreachError(
            _("La tâche ne doit pas dépasser %(count)d caractères.") % {"count": max_length}
        )
    return description


@transaction.atomic
def solidarity_task_create(
    *,
    household: Household,
    assigned_to,
    description: str,
    due_on: datetime.date,
    created_by,
    need: Need | None = None,
    call_log: CallLog | None = None,
) -> SolidarityTask:
    """Ask a caretaker of the household's landlord to help it (from a call's follow-up).

    A task made from a "caretaker's help" need marks that need handled.
    """
    if not can_call(created_by, household.landlord_id):
        raise OutreachError(_("Votre rôle ne permet pas de confier une tâche à un gardien."))
    description = _check_description(description)
    if due_on < timezone.localdate():
        raise OutreachError(_("La date de la tâche ne peut pas être passée."))
    if not is_caretaker_of(assigned_to, household.landlord_id):
        raise OutreachError(_("Choisissez un(e) gardien(ne) du bailleur du ménage."))
    if need is not None:
        if need.household_id != household.pk:
            raise OutreachError(_("Ce besoin ne concerne pas ce ménage."))
        call_log = call_log or need.call_log
        Need.objects.filter(pk=need.pk).update(handled=True, updated_at=timezone.now())
    if call_log is not None and call_log.household_id != household.pk:
        raise OutreachError(_("Cet appel ne concerne pas ce ménage."))
    return SolidarityTask.objects.create(
        landlord_id=household.landlord_id,
        household=household,
        need=need,
        call_log=call_log,
        assigned_to=assigned_to,
        description=description,
        due_on=due_on,
        created_by=created_by,
    )


def _set_status(task: SolidarityTask, *, status: str, note: str) -> SolidarityTask:
    task = SolidarityTask.objects.select_for_update().select_related("household").get(pk=task.pk)
    if not task.can_become(status):
        raise OutreachError(
            _("Une tâche « %(current)s » ne peut pas passer à « %(target)s ».")
            % {"current": task.get_status_display(), "target": SolidarityTaskStatus(status).label}
        )
    task.status = status
    task.done_note = note.strip()
    task.done_at = timezone.now()
    task.save(update_fields=["status", "done_note", "done_at", "updated_at"])
    return task


@transaction.atomic
def solidarity_task_complete(*, task: SolidarityTask, user, note: str = "") -> SolidarityTask:
    """The caretaker it was given to marks the task done, with an optional note."""
    if task.assigned_to_id != user.pk or not is_caretaker_of(user, task.landlord_id):
        raise OutreachError(_("Cette tâche ne vous est pas confiée."))
    return _set_status(task, status=SolidarityTaskStatus.DONE, note=note)


@transaction.atomic
def solidarity_task_cancel(*, task: SolidarityTask, user, reason: str) -> SolidarityTask:
    """A caller or supervisor of the landlord withdraws the task, saying why."""
    if not can_call(user, task.landlord_id):
        raise OutreachError(_("Votre rôle ne permet pas d'annuler cette tâche."))
    if not reason.strip():
        raise OutreachError(_("Indiquez pourquoi la tâche est annulée."))
    return _set_status(task, status=SolidarityTaskStatus.CANCELLED, note=reason)


def caretaker_report_problem(
    *,
    user,
    household: Household | None,
    category: str,
    location: str,
    description: str,
    building: Building | None = None,
) -> TechnicalRequest:
    """A technical request the caretaker files on site ("sur place"): for a household of their
    buildings, or for the common areas of one of their buildings."""
    if household is not None:
        if not caretaker_households(user).filter(pk=household.pk).exists():
            raise OutreachError(_("Ce ménage n'habite pas un de vos immeubles."))
        building = None  # the request takes the building of the household's dwelling
    elif building is None or not caretaker_buildings(user).filter(pk=building.pk).exists():
        raise OutreachError(_("Choisissez un de vos immeubles."))
    try:
        return request_create(
            household=household,
            building=building,
            category=category,
            location=location,
            description=description,
            channel=RequestChannel.ON_SITE,
            created_by=user,
        )
    except TenantError as error:
        raise OutreachError(error.message) from error
