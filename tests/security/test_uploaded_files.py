"""Uploaded files are served only through scoped views, never from a public media URL."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from allocations.models import VacancyPhoto
from housing.models import Export, WorksNotice
from tenants.models import RequestPhoto
from tests.security.test_isolation_sweep import ROUTE_OBJECTS
from tests.security.world import build_household

pytestmark = pytest.mark.django_db

# Every model with a file field → the scoped routes that serve its files (checked by the sweep).
FILE_ROUTES = {
    RequestPhoto: ["tenants:request_photo", "tenant_request_photo"],
    WorksNotice: ["tenants:works_notice_photo", "tenant_works_notice_photo"],
    VacancyPhoto: ["allocations:vacancy_photo", "applicant:photo"],
    Export: ["housing:export_download"],
}


def test_every_file_field_is_served_by_scoped_routes_of_the_sweep():
    with_files = {
        model
        for model in apps.get_models()
        if any(isinstance(f, models.FileField) for f in model._meta.get_fields())
    }
    assert with_files == set(FILE_ROUTES), (
        "A model with a FileField must be served by a scoped view: add it to FILE_ROUTES "
        "with its routes, and the routes to the sweep's ROUTE_OBJECTS."
    )
    for model, routes in FILE_ROUTES.items():
        for route in routes:
            assert model in ROUTE_OBJECTS[route].values(), route


def test_the_media_folder_is_not_served_by_the_portal(client, actis, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = build_household(actis, tag="m")[RequestPhoto]
    client.force_login(alice)
    assert (settings.MEDIA_ROOT / photo.image.name).exists()
    response = client.get("/" + settings.MEDIA_URL + photo.image.name)
    assert response.status_code == 404


def test_media_root_is_outside_the_static_files():
    assert settings.MEDIA_ROOT not in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]
