"""Logging a call and what follows from it: attempts, call-backs, needs, referrals, register."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.calendar import in_call_window, push_into_window
from outreach.errors import OutreachError
from outreach.models import (
    REACHED_OUTCOMES,
    UNANSWERED_OUTCOMES,
    CallLog,
    CallOutcome,
    CallTask,
    Need,
    Partner,
    Referral,
    SolidarityEntry,
    TaskStatus,
)
from outreach.services.tenant_callbacks import tenant_callbacks_after_call
from portal.compiled import compiled_query
from tenants.models import Household


@dataclass
class CallReport:
    """What the caller entered in the call form, already parsed."""

    outcome: str
    answers: dict = field(default_factory=dict)
    notes: str = ""
    needs: list[tuple[str, str]] = field(default_factory=list)  # (kind, note)
    referral_partner: Partner | None = None
    referral_reason: str = ""
    solidarity_need: str = ""
    callback_at: datetime.datetime | None = None
    callback_personal: bool = False


def _validate(task: CallTask, report: CallReport, now: datetime.datetime) -> None:
    if report.outcome not in CallOutcome.values:
        raise OutreachError(_("Choisissez le résultat de l'appel."))
    reached = report.outcome in REACHED_OUTCOMES
    if reached:
        missing = [
            question.text
            for question in task.campaign.questions.all()
            if question.required and report.answers.get(str(question.pk)) in (None, "")
        ]
        if missing:
            raise OutreachError(
                _("Réponse obligatoire manquante : %(questions)s.")
                % {"questions": ", ".join(missing)}
            )
    if (report.referral_partner or report.solidarity_need or report.needs) and not reached:
        raise OutreachError(
            _(
                "Les besoins, orientations et inscriptions au registre supposent d'avoir joint le ménage."
            )
        )
    if report.referral_partner and not report.referral_reason.strip():
        raise OutreachError(_("Indiquez le motif de l'orientation."))
    if report.callback_at is not None:
        if report.callback_at <= now:
            raise OutreachError(_("Le rappel doit être prévu dans le futur."))
        if not in_call_window(task.campaign, report.callback_at):
            raise OutreachError(
                _(
                    "Le rappel doit tomber dans les heures d'appel de la campagne (jours fériés exclus)."
                )
            )


@compiled_query
def _locked_task(*, task_id):
    """The task, its campaign and its household, locked until the call is recorded."""
    return (
        CallTask.objects.select_for_update()
        .select_related("campaign", "household")
        .filter(pk=task_id)
    )


def call_log_record(*, task: CallTask, user, report: CallReport) -> CallLog:
    """Record one attempt on the call ``user`` holds, and everything agreed during it.

    Unanswered calls count as attempts; at the campaign's maximum the task is exhausted, otherwise it
    comes back after the campaign's delay (inside the call window). A call-back keeps the task for
    its time, for this caller alone when personal. Nothing is written if any part is refused.
    """
    now = timezone.now()
    with transaction.atomic():
        task = _locked_task.first(task_id=task.pk)
        if task is None or task.status != TaskStatus.HELD or task.held_by_id != user.pk:
            raise OutreachError(
                _(
                    "Cet appel ne vous est plus attribué (il a été rendu à la file). Reprenez l'appel suivant."
                )
            )
        _validate(task, report, now)
        campaign, household = task.campaign, task.household
        log = CallLog.objects.create(
            task=task,
            campaign=campaign,
            household=household,
            landlord_id=task.landlord_id,
            caller=user,
            phone=task.phone,
            outcome=report.outcome,
            answers=report.answers,
            notes=report.notes.strip(),
            called_at=now,
        )
        Need.objects.bulk_create(
            [
                Need(call_log=log, campaign=campaign, household=household, kind=kind, note=note)
                for kind, note in report.needs
            ]
        )
        if report.referral_partner is not None:
            Referral.objects.create(
                landlord_id=task.landlord_id,
                household=household,
                partner=report.referral_partner,
                call_log=log,
                campaign=campaign,
                reason=report.referral_reason.strip(),
                created_by=user,
            )
        if report.solidarity_need.strip():
            solidarity_register_add(household=household, need=report.solidarity_need, call_log=log)
        if report.outcome == CallOutcome.WRONG_NUMBER:
            Household.objects.filter(pk=household.pk).update(phone_needs_check=True, updated_at=now)

        task.attempts += 1
        task.last_outcome = report.outcome
        task.held_by, task.held_at, task.hold_until = None, None, None
        task.not_before = None
        if report.callback_at is not None:
            task.status = TaskStatus.CALLBACK
            task.callback_at = report.callback_at
            task.callback_for = user if report.callback_personal else None
        elif report.outcome in UNANSWERED_OUTCOMES:
            task.callback_at, task.callback_for = None, None
            if task.attempts >= campaign.max_attempts:
                task.status = TaskStatus.EXHAUSTED
            else:
                task.status = TaskStatus.PENDING
                task.not_before = push_into_window(
                    campaign, now + datetime.timedelta(minutes=campaign.retry_delay_minutes)
                )
        else:
            task.status = TaskStatus.DONE
            task.callback_at, task.callback_for = None, None
        task.save()
        # A call-back the tenant asked for, now done: their request shows as handled.
        tenant_callbacks_after_call(task=task, user=user, at=now)
    return log


def call_task_skip(*, task: CallTask, user, reason: str) -> None:
    """Set a held call aside with a reason (it leaves the queue for good)."""
    reason = reason.strip()
    if not reason:
        raise OutreachError(_("Indiquez pourquoi vous écartez cet appel."))
    now = timezone.now()
    updated = CallTask.objects.filter(pk=task.pk, status=TaskStatus.HELD, held_by=user).update(
        status=TaskStatus.SKIPPED,
        skip_reason=reason[:255],
        held_by=None,
        held_at=None,
        hold_until=None,
        updated_at=now,
    )
    if updated != 1:
        raise OutreachError(_("Cet appel ne vous est plus attribué."))


def solidarity_register_add(*, household: Household, need: str, call_log: CallLog | None = None):
    """Add the household to the solidarity register, or add the new need to its open entry."""
    today = timezone.localdate()
    entry = (
        SolidarityEntry.objects.select_for_update()
        .filter(household=household, status=SolidarityEntry.Status.OPEN)
        .first()
    )
    if entry is None:
        return SolidarityEntry.objects.create(
            landlord_id=household.landlord_id,
            household=household,
            call_log=call_log,
            found_on=today,
            need=need.strip(),
        )
    entry.follow_up = (entry.follow_up + f"\n{today:%d/%m/%Y} : {need.strip()}").strip()
    entry.save(update_fields=["follow_up", "updated_at"])
    return entry
