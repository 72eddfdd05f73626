"""Every periodic job of the portal, declared in one place.

``manage.py setup_periodic_tasks`` writes them into django-celery-beat's tables (idempotent), so a
fresh install has them and admins can still pause or retime them in Django admin.
"""

PERIODIC_TASKS: list[dict] = [
    {
        "name": "Purge des sessions expirées",
        "task": "portal.clear_expired_sessions",
        "crontab": {"minute": "30", "hour": "3"},
    },
]
