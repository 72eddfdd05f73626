import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from portal.schedules import PERIODIC_TASKS


class Command(BaseCommand):
    help = "Déclare (ou met à jour) les tâches périodiques de Celery beat."

    @transaction.atomic
    def handle(self, *args, **options):
        for entry in PERIODIC_TASKS:
            defaults = {"task": entry["task"], "kwargs": json.dumps(entry.get("kwargs", {}))}
            if "crontab" in entry:
                schedule, _ = CrontabSchedule.objects.get_or_create(
                    timezone=settings.TIME_ZONE,
                    **{
                        "day_of_week": "*",
                        "day_of_month": "*",
                        "month_of_year": "*",
                        **entry["crontab"],
                    },
                )
                defaults.update(crontab=schedule, interval=None)
            else:
                schedule, _ = IntervalSchedule.objects.get_or_create(
                    every=entry["every_seconds"], period=IntervalSchedule.SECONDS
                )
                defaults.update(interval=schedule, crontab=None)
            PeriodicTask.objects.update_or_create(name=entry["name"], defaults=defaults)
        self.stdout.write(f"{len(PERIODIC_TASKS)} tâche(s) périodique(s) déclarée(s).")
