"""What outreach exports (housing.exports): call logs and appointments."""

from django.utils.translation import gettext_lazy as _

from housing.exports import ExportColumn, ExportSpec, register
from outreach.models import (
    Appointment,
    AppointmentMode,
    AppointmentReason,
    AppointmentStatus,
    CallLog,
    CallOutcome,
)
from outreach.services.appointments import APPOINTMENT_DESK
from outreach.services.campaigns import CAMPAIGN_MANAGERS

CALL_LOGS = ExportSpec(
    kind="call_logs",
    title=_("Appels passés"),
    columns=(
        ExportColumn(_("Appelé le"), "called_at"),
        ExportColumn(_("Campagne"), "campaign__name"),
        ExportColumn(_("Ménage"), "household__reference"),
        ExportColumn(_("Nom du ménage"), "household__name"),
        ExportColumn(_("Appelant"), "caller__email"),
        ExportColumn(_("Résultat"), "outcome", CallOutcome),
        ExportColumn(_("Notes"), "notes"),
    ),
    queryset=lambda user: CallLog.objects.visible_to(user).order_by("id"),
    # The callers' free-text notes: for those who supervise the calls, not every staff role.
    roles=tuple(CAMPAIGN_MANAGERS),
    landlord_path="landlord",
)

APPOINTMENTS = ExportSpec(
    kind="appointments",
    title=_("Rendez-vous"),
    columns=(
        ExportColumn(_("Début"), "slot__start"),
        ExportColumn(_("Fin"), "slot__end"),
        ExportColumn(_("Agence"), "slot__agency__name"),
        ExportColumn(_("Ménage"), "household__reference"),
        ExportColumn(_("Nom du ménage"), "household__name"),
        ExportColumn(_("Motif"), "reason", AppointmentReason),
        ExportColumn(_("Mode"), "mode", AppointmentMode),
        ExportColumn(_("État"), "status", AppointmentStatus),
        ExportColumn(_("Précisions"), "details"),
    ),
    queryset=lambda user: Appointment.objects.visible_to(user).order_by("id"),
    # What tenants wrote about their debts or budget: for the desk that receives them.
    roles=tuple(APPOINTMENT_DESK),
    landlord_path="landlord",
)


def register_exports() -> None:
    register(CALL_LOGS)
    register(APPOINTMENTS)
