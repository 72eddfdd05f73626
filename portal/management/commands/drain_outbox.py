import datetime

from django.core.management.base import BaseCommand

from portal.outbox import outbox_drain


class Command(BaseCommand):
    help = "Envoie au courtier les tâches restées dans la boîte d'envoi (panne du courtier)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        result = outbox_drain(limit=limit, min_age=datetime.timedelta(0))
        self.stdout.write(
            f"{result['published']} tâche(s) envoyée(s), {result['remaining']} en attente."
        )
