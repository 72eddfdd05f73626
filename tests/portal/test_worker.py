"""The real path: a task goes through the configured broker to a real Celery worker."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.models import Session
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.celery import app
from portal.tasks import clear_expired_sessions, enqueue_on_commit
from tests.portal.outage import use_broker


@pytest.fixture
def real_worker(transactional_db, settings, tmp_path):
    from django.conf import settings as live

    app.conf.task_always_eager = False
    if live.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = tmp_path / "broker"
        folder.mkdir()
        (tmp_path / "control").mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path / "control"),
        }
        # Tasks sent earlier in the process leave a producer pool on the old broker folders.
        use_broker(live.CELERY_BROKER_URL, app.conf.broker_transport_options)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        yield
    use_broker(live.CELERY_BROKER_URL, live.CELERY_BROKER_TRANSPORT_OPTIONS)


@pytest.mark.slow
def test_a_task_sent_after_commit_is_run_by_a_real_worker(real_worker):
    Session.objects.create(
        session_key="expired",
        session_data="",
        expire_date=timezone.now() - datetime.timedelta(days=1),
    )
    Session.objects.create(
        session_key="current",
        session_data="",
        expire_date=timezone.now() + datetime.timedelta(days=1),
    )
    enqueue_on_commit(clear_expired_sessions)  # outside a transaction: sent at once

    deadline = time.monotonic() + 60
    while Session.objects.filter(session_key="expired").exists():
        assert time.monotonic() < deadline, "the worker did not run the task within 60 s"
        time.sleep(0.2)
    assert Session.objects.filter(session_key="current").exists()


def test_a_broker_outage_is_logged_and_never_raises(
    db, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(clear_expired_sessions, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(clear_expired_sessions)
    assert len(callbacks) == 1
    assert "Could not enqueue portal.clear_expired_sessions" in caplog.text
