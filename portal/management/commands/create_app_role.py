"""Create (or update) the application role of the second wall: LOGIN, not owner, not superuser."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from portal.rls import app_role_grants_sql

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = _(
        "Crée le rôle PostgreSQL de l'application (ni propriétaire ni superutilisateur, soumis "
        "à la sécurité par ligne) et lui donne accès aux tables ; à lancer en propriétaire."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", default="portal_app", help=_("Nom du rôle."))
        parser.add_argument(
            "--password-file", required=True, help=_("Fichier contenant le mot de passe.")
        )

    def handle(self, *args, name, password_file, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("La sécurité par ligne n'existe que sous PostgreSQL."))
        if not ROLE_NAME.match(name):
            raise CommandError(_("Nom de rôle invalide : lettres minuscules, chiffres et _."))
        try:
            password = Path(password_file).read_text().strip()
        except OSError as error:
            raise CommandError(_("Fichier de mot de passe illisible : %s") % error) from None
        if not password:
            raise CommandError(_("Le fichier de mot de passe est vide."))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            # Role names cannot be parameters; the name is checked against ROLE_NAME above.
            cursor.execute(
                f'{verb} ROLE "{name}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE '
                "PASSWORD %s",
                [password],
            )
            cursor.execute(app_role_grants_sql(name))
        if verb == "CREATE":
            self.stdout.write(_("Rôle %(name)s créé.") % {"name": name})
        else:
            self.stdout.write(_("Rôle %(name)s mis à jour.") % {"name": name})
