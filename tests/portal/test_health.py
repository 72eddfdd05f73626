import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_health_endpoint_reports_the_database_in_json(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] is True


@pytest.mark.django_db
def test_health_endpoint_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False


@pytest.mark.django_db
def test_health_endpoint_checks_the_configured_broker(client, settings):
    from django.conf import settings as live

    if not live.CELERY_BROKER_URL.startswith("redis://"):
        from tests.conftest import missing_service

        missing_service("this test needs Redis (set CELERY_BROKER_URL=redis://…)")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] is True
