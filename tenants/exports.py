"""What tenants exports (housing.exports): households and technical requests."""

from django.utils.translation import gettext_lazy as _

from housing.exports import ExportColumn, ExportSpec, register
from tenants.models import (
    ContactPreference,
    Household,
    RequestCategory,
    RequestLocation,
    RequestPriority,
    RequestStatus,
    TechnicalRequest,
)

HOUSEHOLDS = ExportSpec(
    kind="households",
    title=_("Ménages"),
    columns=(
        ExportColumn(_("Référence"), "reference"),
        ExportColumn(_("Nom du ménage"), "name"),
        ExportColumn(_("Bailleur"), "landlord__name"),
        ExportColumn(_("Téléphone fixe"), "phone"),
        ExportColumn(_("Téléphone portable"), "mobile_phone"),
        ExportColumn(_("E-mail"), "email"),
        ExportColumn(_("Langue préférée"), "preferred_language"),
        ExportColumn(_("Moyen de contact préféré"), "contact_preference", ContactPreference),
        ExportColumn(_("Ne souhaite pas être appelé"), "do_not_call"),
        ExportColumn(_("Modifié le"), "updated_at"),
    ),
    queryset=lambda user: Household.objects.visible_to(user).order_by("id"),
)

REQUESTS = ExportSpec(
    kind="requests",
    title=_("Demandes techniques"),
    columns=(
        ExportColumn(_("Référence"), "reference"),
        ExportColumn(_("Ménage"), "household__reference"),
        ExportColumn(_("Nom du ménage"), "household__name"),
        ExportColumn(_("Logement"), "dwelling__reference"),
        ExportColumn(_("Catégorie"), "category", RequestCategory),
        ExportColumn(_("Où"), "location", RequestLocation),
        ExportColumn(_("Priorité"), "priority", RequestPriority),
        ExportColumn(_("État"), "status", RequestStatus),
        ExportColumn(_("Description"), "description"),
        ExportColumn(_("Déposée le"), "created_at"),
        ExportColumn(_("À traiter avant le"), "due_at"),
        ExportColumn(_("Terminée le"), "closed_at"),
    ),
    queryset=lambda user: TechnicalRequest.objects.visible_to(user).order_by("id"),
)


def register_exports() -> None:
    register(HOUSEHOLDS)
    register(REQUESTS)
