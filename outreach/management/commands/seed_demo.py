from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from allocations.demo import seed_allocations_demo
from allocations.demo_works import seed_works_demo
from outreach.demo import seed_outreach_demo
from outreach.demo_appointments import seed_appointments_demo
from outreach.demo_caretakers import seed_caretakers_demo
from tenants.demo import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, seed_demo
from tenants.demo_requests import seed_tenant_requests_demo


class Command(BaseCommand):
    help = gettext_lazy(
        "Charge les données de démonstration des Villeneuves (bailleurs, immeubles, logements, "
        "ménages, comptes, partenaires, campagnes d'appels). Déterministe pour une graine donnée ; une deuxième exécution ne "
        "change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=gettext_lazy("Nombre de ménages à créer (par défaut : %(default)s)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=gettext_lazy("Graine du générateur aléatoire (par défaut : %(default)s)."),
        )

    def handle(self, *args, households: int, seed: int, **options):
        if households < 0:
            raise CommandError(_("Le nombre de ménages ne peut pas être négatif."))
        report = seed_demo(households=households, seed=seed)
        self.stdout.write(report.summary())
        seed_tenant_requests_demo()
        seed_allocations_demo()
        seed_works_demo()
        # The command lives in outreach, the top layer, so it can add the partners and the
        # campaigns on top of the housing and tenants data.
        call_command("seed_partners", stdout=self.stdout)
        outreach = seed_outreach_demo()
        seed_appointments_demo()
        seed_caretakers_demo()
        self.stdout.write(
            _("Campagnes d'appels : %(campaigns)s créée(s), %(tasks)s appel(s) mis en file.")
            % outreach
        )
