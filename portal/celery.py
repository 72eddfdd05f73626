import os
import threading

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


_saved_scopes = threading.local()


@task_prerun.connect
def open_row_security(task_id=None, **kwargs):
    """Tasks are trusted system code taking ids: every landlord (portal/rls.py).

    The previous settings are put back after the task: in a worker they were empty; a task run
    in-process (eager, in tests) gives the caller's scope back.
    """
    from portal import rls

    if rls.is_active():
        saved = getattr(_saved_scopes, "stack", [])
        saved.append(rls.current_scope())
        _saved_scopes.stack = saved
        rls.set_scope(all_landlords=True)


@task_postrun.connect
def close_row_security(task_id=None, **kwargs):
    from portal import rls

    saved = getattr(_saved_scopes, "stack", [])
    if rls.is_active() and saved:
        rls.restore_scope(saved.pop())
