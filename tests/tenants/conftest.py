"""Fixtures of the tenant space and technical request tests."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from housing.models import Role
from tenants.models import AccessScreen, TechnicalRequest
from tenants.services.access_log import household_access_record
from tenants.services.requests import request_add_note, request_create
from tests.factories import VulnerabilityFlagFactory, make_staff, make_tenant


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Photos go to a temporary folder; rate-limit counters start empty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_BASE_URL = "https://portail.example"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tenant(actis_household):
    return make_tenant(actis_household, email="jeanne@exemple.fr", first_name="Jeanne")


@pytest.fixture
def sdh_tenant(sdh_household):
    return make_tenant(sdh_household, email="fatima@exemple.fr", first_name="Fatima")


@pytest.fixture
def technician(actis):
    return make_staff(actis, Role.TECHNICIAN, email="tech@actis.example", first_name="Théo")


def png_bytes(size=(8, 8), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, format="PNG")
    return output.getvalue()


def jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (16, 16), (10, 120, 10))
    exif = Image.Exif()
    exif[0x010F] = "AppareilSecret"  # Make
    exif[0x8825] = {2: (45.0, 10.0, 0.0)}  # GPS latitude
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def upload(name="fuite.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, content if content is not None else png_bytes(), content_type)


def file_request(household, by, **fields) -> TechnicalRequest:
    fields.setdefault("category", TechnicalRequest.Category.PLUMBING)
    fields.setdefault("location", TechnicalRequest.Location.DWELLING)
    fields.setdefault("description", "Fuite sous l'évier de la cuisine")
    fields.setdefault("channel", TechnicalRequest.Channel.EXTRANET)
    return request_create(household=household, created_by=by, **fields)


@pytest.fixture
def household_file(tenant, actis_household, bob) -> TechnicalRequest:
    """What « Mes données » holds beyond the other pages: a flag with a note, a request with
    staff's internal note, and a line of the access log (bob opened the household's page)."""
    VulnerabilityFlagFactory(household=actis_household, note="Isolement signalé par la gardienne")
    tech_request = file_request(actis_household, tenant)
    request_add_note(request=tech_request, body="Voisin bruyant", by=bob)
    household_access_record(
        user=bob,
        household_id=actis_household.pk,
        landlord_id=actis_household.landlord_id,
        screen=AccessScreen.HOUSEHOLD_PAGE,
    )
    return tech_request
