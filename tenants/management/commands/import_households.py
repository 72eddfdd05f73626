from django.utils.translation import gettext_lazy as _

from housing.csv_import import CsvImportCommand
from tenants.services import HOUSEHOLD_COLUMNS, households_import


class Command(CsvImportCommand):
    help = _("Importe ou met à jour les ménages d'un bailleur depuis un fichier CSV.")
    description = _(
        "Importe ou met à jour les ménages d'un bailleur depuis un fichier CSV, par référence, "
        "avec leur bail en cours et le titulaire du bail. Les logements doivent déjà exister "
        "(voir import_dwellings). Toutes les lignes sont vérifiées avant d'écrire : une seule "
        "ligne refusée et rien n'est importé, sauf avec --skip-invalid."
    )
    columns = HOUSEHOLD_COLUMNS
    service = staticmethod(households_import)
