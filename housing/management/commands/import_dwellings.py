from django.utils.translation import gettext_lazy as _

from housing.csv_import import CsvImportCommand
from housing.services import DWELLING_COLUMNS, dwellings_import


class Command(CsvImportCommand):
    help = _("Importe ou met à jour les logements d'un bailleur depuis un fichier CSV.")
    description = _(
        "Importe ou met à jour les logements (et leurs immeubles) d'un bailleur depuis un fichier "
        "CSV, par référence. Toutes les lignes sont vérifiées avant d'écrire : une seule ligne "
        "refusée et rien n'est importé, sauf avec --skip-invalid."
    )
    columns = DWELLING_COLUMNS
    service = staticmethod(dwellings_import)
