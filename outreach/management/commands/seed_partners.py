"""Create the partners shared by the three landlords (idempotent: run it as often as you like)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.models import Partner, PartnerKind

# Data, not interface text: stored once, in French, as the partners are named on site.
# Only contact details that are certain are given; staff complete the rest in the admin.
SHARED_PARTNERS = [
    {
        "name": "CCAS de Grenoble",
        "kind": PartnerKind.SENIOR_SERVICE,
        "city": "Grenoble",
        "website": "https://www.grenoble.fr",
        "notes": (
            "Centre communal d'action sociale de la Ville de Grenoble : services aux personnes "
            "âgées, aide à domicile, portage de repas, accompagnement social."
        ),
    },
    {
        "name": "CCAS d'Échirolles",
        "kind": PartnerKind.SENIOR_SERVICE,
        "city": "Échirolles",
        "website": "https://www.echirolles.fr",
        "notes": (
            "Centre communal d'action sociale de la Ville d'Échirolles : services aux personnes "
            "âgées, aide à domicile, accompagnement social."
        ),
    },
    {
        "name": "Plateforme d'entraide de Grenoble",
        "kind": PartnerKind.MUTUAL_AID,
        "city": "Grenoble",
        "notes": (
            "Exemple de plateforme d'entraide entre voisins (courses, médicaments, appels de "
            "convivialité) : remplacer par la plateforme locale et ses coordonnées."
        ),
    },
    {
        "name": "Plateforme d'entraide d'Échirolles",
        "kind": PartnerKind.MUTUAL_AID,
        "city": "Échirolles",
        "notes": (
            "Exemple de plateforme d'entraide entre voisins (courses, médicaments, appels de "
            "convivialité) : remplacer par la plateforme locale et ses coordonnées."
        ),
    },
]


@transaction.atomic
def seed_partners() -> tuple[int, int]:
    """Create the shared partners missing by name; existing ones (maybe edited) are left alone."""
    created = 0
    for data in SHARED_PARTNERS:
        fields = dict(data)
        _partner, was_created = Partner.objects.get_or_create(
            name=fields.pop("name"), landlord=None, defaults=fields
        )
        created += was_created
    return created, len(SHARED_PARTNERS) - created


class Command(BaseCommand):
    help = gettext_lazy(
        "Crée les partenaires communs aux trois bailleurs (CCAS de Grenoble et d'Échirolles, "
        "plateformes d'entraide). Une deuxième exécution ne change rien."
    )

    def handle(self, *args, **options):
        created, existing = seed_partners()
        self.stdout.write(
            _("Partenaires communs créés : %(created)d ; déjà présents : %(existing)d.")
            % {"created": created, "existing": existing}
        )
