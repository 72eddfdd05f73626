"""The outreach part of a household's data export (right of access, from the tenant space).

Calls (date, campaign, outcome, questionnaire answers, the caller's notes), needs found, referrals
to partners, the solidarity register, appointments and the waiting list: the right of access covers
what staff wrote about the household too (see tenants.selectors.household_data_export, whose rule
for keys these sections follow: ``pgettext("mes données", …)``, in the reader's language). A
constant number of queries.
"""

from django.dispatch import receiver
from django.utils.translation import gettext, pgettext

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
        pgettext("mes données", "appels"): [
            {
                pgettext("mes données", "date"): _date(log.called_at),
                pgettext("mes données", "campagne"): log.campaign.name,
                pgettext("mes données", "résultat"): log.get_outcome_display(),
                pgettext("mes données", "réponses au questionnaire"): "; ".join(
                    f"{questions.get(int(pk), pk) if str(pk).isdigit() else pk} : {_answer(value)}"
                    for pk, value in log.answers.items()
                ),
                pgettext("mes données", "notes de l'appel"): log.notes,
                pgettext("mes données", "anonymisé le"): _date(log.anonymised_at),
            }
            for log in calls
        ],
        pgettext("mes données", "besoins relevés"): [
            {
                pgettext("mes données", "date"): _date(need.created_at),
                pgettext("mes données", "besoin"): need.get_kind_display(),
                pgettext("mes données", "précision"): need.note,
                pgettext("mes données", "traité"): need.handled,
            }
            for need in Need.objects.filter(household=household).order_by("pk")
        ],
        pgettext("mes données", "orientations"): [
            {
                pgettext("mes données", "date"): _date(referral.created_at),
                pgettext("mes données", "partenaire"): referral.partner.name,
                pgettext("mes données", "motif"): referral.reason,
                pgettext("mes données", "état"): referral.get_status_display(),
            }
            for referral in Referral.objects.filter(household=household)
            .select_related("partner")
            .order_by("pk")
        ],
        pgettext("mes données", "registre de solidarité"): [
            {
                pgettext("mes données", "repéré le"): _date(entry.found_on),
                pgettext("mes données", "besoin"): entry.need,
                pgettext("mes données", "suivi"): entry.follow_up,
                pgettext("mes données", "état"): entry.get_status_display(),
                pgettext("mes données", "clos le"): _date(entry.closed_at),
            }
            for entry in SolidarityEntry.objects.filter(household=household).order_by("pk")
        ],
        pgettext("mes données", "rendez-vous"): [
            {
                pgettext("mes données", "date"): _date(appointment.slot.start),
                pgettext("mes données", "conseiller"): appointment.slot.adviser.get_full_name(),
                pgettext("mes données", "motif"): appointment.get_reason_display(),
                pgettext("mes données", "mode"): appointment.get_mode_display(),
                pgettext("mes données", "précisions"): appointment.details,
                pgettext("mes données", "état"): appointment.get_status_display(),
            }
            for appointment in appointments.order_by("slot__start", "pk")
        ],
        pgettext("mes données", "liste d'attente"): [
            {
                pgettext("mes données", "inscrit le"): _date(entry.created_at),
                pgettext("mes données", "motif"): entry.get_reason_display(),
                pgettext("mes données", "du"): _date(entry.earliest),
                pgettext("mes données", "au"): _date(entry.latest),
                pgettext("mes données", "état"): entry.get_status_display(),
            }
            for entry in WaitingListEntry.objects.filter(household=household).order_by("pk")
        ],
    }
