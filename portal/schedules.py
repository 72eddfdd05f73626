"""Every periodic job of the portal, declared in one place.

``manage.py setup_periodic_tasks`` writes them into django-celery-beat's tables (idempotent), so a
fresh install has them and admins can still pause or retime them in Django admin.
"""

PERIODIC_TASKS: list[dict] = [
    {
        "name": "Envoyer au courtier les tâches restées dans la boîte d'envoi",
        "task": "portal.drain_outbox",
        "every_seconds": 60,
    },
    {
        "name": "Purger le journal des consultations de plus de 12 mois",
        "task": "tenants.purge_access_log",
        "crontab": {"minute": "30", "hour": "3"},
    },
    {
        "name": "Rafraîchir les files d'appels des campagnes en cours",
        "task": "outreach.refresh_active_queues",
        "every_seconds": 15 * 60,
    },
    {
        "name": "Rendre à la file les appels gardés trop longtemps",
        "task": "outreach.release_expired_calls",
        "every_seconds": 60,
    },
    {
        "name": "Remettre dans la file les rappels arrivés à échéance",
        "task": "outreach.callbacks_due",
        "every_seconds": 60,
    },
    {
        "name": "Mettre à jour les statistiques des tableaux de bord de campagne",
        "task": "outreach.fold_campaign_stats",
        "every_seconds": 5 * 60,
    },
    {
        "name": "Générer les créneaux de rendez-vous des conseillers",
        "task": "outreach.generate_appointment_slots",
        "crontab": {"minute": "15", "hour": "2"},
    },
    {
        "name": "Envoyer les rappels de rendez-vous",
        "task": "outreach.send_due_reminders",
        "every_seconds": 5 * 60,
    },
    {
        "name": "Faire expirer les propositions de la liste d'attente",
        "task": "outreach.expire_waiting_offers",
        "every_seconds": 5 * 60,
    },
    {
        "name": "Signaler aux responsables les demandes techniques sans nouvelles",
        "task": "tenants.notify_stale_requests",
        "crontab": {"minute": "0", "hour": "8", "day_of_week": "1-5"},
    },
    {
        "name": "Envoyer les avis de chantier publiés dont l'envoi a été perdu",
        "task": "tenants.send_pending_works_notices",
        "every_seconds": 15 * 60,
    },
    {
        "name": "Expirer les propositions de logement restées sans réponse",
        "task": "allocations.expire_offers",
        "crontab": {"minute": "5"},
    },
    {
        "name": "Envoyer les lettres de commission restées en attente",
        "task": "allocations.send_pending_letters",
        "crontab": {"minute": "20"},
    },
    {
        "name": "Mettre à jour les fragilités « mutation prioritaire »",
        "task": "allocations.refresh_priority_transfer_flags",
        "crontab": {"minute": "45", "hour": "2"},
    },
    {
        "name": "Supprimer les exports de plus d'un jour",
        "task": "housing.purge_exports",
        "every_seconds": 60 * 60,
    },
    {
        "name": "Appliquer les durées de conservation des données (RGPD)",
        "task": "outreach.apply_retention",
        "crontab": {"minute": "0", "hour": "4"},
    },
    {
        "name": "Purge des sessions expirées",
        "task": "portal.clear_expired_sessions",
        "crontab": {"minute": "30", "hour": "3"},
    },
]
