"""The appointments export carries what tenants wrote about their debts: for the desk only."""

import datetime

import pytest

from housing.models import Role
from outreach.models import Appointment
from tests.factories import make_staff
from tests.housing.test_exports import read_csv
from tests.outreach.appointments_support import MONDAY_9AM, adviser, agency, make_slot  # noqa: F401

pytestmark = pytest.mark.django_db
EXPORTS = "/personnel/exports/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def booked(actis_household, adviser, agency):  # noqa: F811
    return Appointment.objects.create(
        landlord=agency.landlord,
        slot=make_slot(adviser, agency, MONDAY_9AM + datetime.timedelta(days=7)),
        household=actis_household,
        reason="budget_advice",
        mode="phone",
        phone="+33612345678",
        details="Trois mois de loyer en retard",
    )


def test_a_caller_is_not_offered_the_appointments_and_is_refused_them(client, alice, booked):
    client.force_login(alice)
    page = client.get(EXPORTS)
    kinds = [kind for kind, _label in page.context["form"].fields["kind"].choices]
    assert "appointments" not in kinds
    assert client.post(EXPORTS, {"kind": "appointments", "format": "csv"}).status_code == 403


def test_an_adviser_exports_the_appointments_with_their_details(client, adviser, booked, sdh):  # noqa: F811
    make_staff(sdh, Role.SOCIAL_ADVISER, email="cesf@sdh.example")
    client.force_login(adviser)
    response = client.post(EXPORTS, {"kind": "appointments", "format": "csv"})
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0][-1] == "Précisions"
    assert [row[-1] for row in rows[1:]] == ["Trois mois de loyer en retard"]
