"""Database restart: /healthz reports the outage while it lasts, and the web process recovers
without a restart (CONN_HEALTH_CHECKS replaces a dead persistent connection at the next request)."""

import json

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.postgres


def test_connections_are_kept_and_checked_before_reuse():
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0


@pytest.fixture
def database_port(transactional_db):
    port = connection.settings_dict["PORT"]
    yield port
    connection.close()
    connection.settings_dict["PORT"] = port


def test_healthz_reports_the_outage_while_it_lasts_then_recovers(client, database_port):
    connection.close()
    connection.settings_dict["PORT"] = 1  # the database answers nowhere
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False
    connection.close()
    connection.settings_dict["PORT"] = database_port  # it is back
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True


def _healthz_through_the_wsgi_handler() -> tuple[int, dict]:
    """A request as the web server makes it: unlike the test client, Django's WSGI handler checks
    persistent connections at the start of each request (``close_old_connections``)."""
    handler = WSGIHandler()
    environ = RequestFactory()._base_environ(PATH_INFO="/healthz", REQUEST_METHOD="GET")
    statuses = []
    body = b"".join(handler(environ, lambda status, headers: statuses.append(status)))
    return int(statuses[0].split()[0]), json.loads(body)


def test_a_connection_killed_by_a_database_restart_is_replaced_at_the_next_request(
    transactional_db,
):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert _healthz_through_the_wsgi_handler()[0] == 200  # a persistent connection is open
    with connection.cursor() as cursor:
        backend_pid = cursor.connection.get_backend_pid()
    # What a database restart does: the server side of the connection goes away.
    killer = connection.copy()
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
        assert cursor.fetchone() == (True,)
    killer.close()
    status, body = _healthz_through_the_wsgi_handler()
    assert (status, body["checks"]["database"]) == (200, True)
