from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = gettext_lazy("Affiche l'adresse du portail et les comptes de démonstration.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help=gettext_lazy("Adresse du portail (par défaut : %(default)s)."),
        )

    def handle(self, *args, url: str, **options):
        url = url if url.endswith("/") else f"{url}/"
        self.stdout.write(_("Portail : %(url)s") % {"url": url})
        self.stdout.write(_("Administration : %(url)sadmin/") % {"url": url})
        logins = demo_logins()
        if not logins:
            self.stdout.write(
                _("Aucun compte de démonstration : lancez « manage.py seed_demo » d'abord.")
            )
            return
        self.stdout.write(
            _("Mot de passe de tous les comptes de démonstration : %(password)s")
            % {"password": DEMO_PASSWORD}
        )
        header = (_("E-mail"), _("Mot de passe"), _("Rôle"), _("Bailleur"))
        rows = [(login.email, DEMO_PASSWORD, login.role, login.landlord) for login in logins]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        self.stdout.write("")
        for row in [header, tuple("-" * width for width in widths), *rows]:
            self.stdout.write(
                "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        self.stdout.write("")
        self.stdout.write(
            _(
                "Double authentification : le superutilisateur, les administrateurs, les "
                "responsables de campagne et les secrétariats de CALEOL l'activent à leur première "
                "connexion (application d'authentification sur téléphone)."
            )
        )
