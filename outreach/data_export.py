"""The outreach part of a household's data export (right of access, from the tenant space).

Calls (date, campaign, outcome, questionnaire answers, the caller's notes), needs found, referrals
to partners, the solidarity register, appointments and the waiting list: the right of access covers
what staff wrote about the household too (see tenants.selectors.household_data_export). A constant
number of queries.
"""

from django.dispatch import receiver
from django.utils.translation import gettext

from outreach.models import (
    Appointment,
    CallLog,
    Need,
    Question,
    Referral,
    SolidarityEntry,
    WaitingListEntry,
)
from tenants.models import Household
from tenants.selectors import household_data_export_sections


def _date(value):
    return value.isoformat() if value else None


def _answer(value) -> str:
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    return str(value)


@receiver(household_data_export_sections, sender=Household)
def outreach_sections(sender, household, **kwargs) -> dict:
    calls = list(
        CallLog.objects.filter(household=household)
        .select_related("campaign")
        .order_by("called_at", "pk")
    )
    question_ids = {int(pk) for log in calls for pk in log.answers if str(pk).isdigit()}
    questions = dict(Question.objects.filter(pk__in=question_ids).values_list("pk", "text"))
    appointments = Appointment.objects.filter(household=household).select_related(
        "slot__adviser", "slot__agency"
    )
    return {
        "appels": [
            {
                "date": _date(log.called_at),
                "campagne": log.campaign.name,
                "résultat": log.get_outcome_display(),
                "réponses au questionnaire": "; ".join(
                    f"{questions.get(int(pk), pk) if str(pk).isdigit() else pk} : {_answer(value)}"
                    for pk, value in log.answers.items()
                ),
                "notes de l'appel": log.notes,
                "anonymisé le": _date(log.anonymised_at),
            }
            for log in calls
        ],
        "besoins relevés": [
            {
                "date": _date(need.created_at),
                "besoin": need.get_kind_display(),
                "précision": need.note,
                "traité": need.handled,
            }
            for need in Need.objects.filter(household=household).order_by("pk")
        ],
        "orientations": [
            {
                "date": _date(referral.created_at),
                "partenaire": referral.partner.name,
                "motif": referral.reason,
                "état": referral.get_status_display(),
            }
            for referral in Referral.objects.filter(household=household)
            .select_related("partner")
            .order_by("pk")
        ],
        "registre de solidarité": [
            {
                "repéré le": _date(entry.found_on),
                "besoin": entry.need,
                "suivi": entry.follow_up,
                "état": entry.get_status_display(),
                "clos le": _date(entry.closed_at),
            }
            for entry in SolidarityEntry.objects.filter(household=household).order_by("pk")
        ],
        "rendez-vous": [
            {
                "date": _date(appointment.slot.start),
                "conseiller": appointment.slot.adviser.get_full_name(),
                "motif": appointment.get_reason_display(),
                "mode": appointment.get_mode_display(),
                "précisions": appointment.details,
                "état": appointment.get_status_display(),
            }
            for appointment in appointments.order_by("slot__start", "pk")
        ],
        "liste d'attente": [
            {
                "inscrit le": _date(entry.created_at),
                "motif": entry.get_reason_display(),
                "du": _date(entry.earliest),
                "au": _date(entry.latest),
                "état": entry.get_status_display(),
            }
            for entry in WaitingListEntry.objects.filter(household=household).order_by("pk")
        ],
    }
