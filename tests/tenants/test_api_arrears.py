import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from housing.models import TokenScope
from tenants.models import FlagKind, VulnerabilityFlag
from tests.apiclient import token_client
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(actis):
    return token_client(actis, scope=TokenScope.WRITE)


def post(client, items):
    return client.post("/api/v1/flags/arrears/", {"items": items}, format="json")


def open_flag(household):
    return VulnerabilityFlag.objects.get(
        household=household, kind=FlagKind.PAYMENT_DIFFICULTY, end_date=None
    )


def test_arrears_open_then_update_then_close_the_payment_difficulty_flag(writer, actis_household):
    reference = actis_household.reference
    first = post(writer, [{"household_reference": reference, "arrears_amount": "412.30"}])
    assert first.json() == {"created": 1, "updated": 0, "unchanged": 0}, first.json()
    flag = open_flag(actis_household)
    assert flag.arrears_amount == Decimal("412.30")
    assert flag.source == VulnerabilityFlag.Source.ACCOUNTING

    again = post(writer, [{"household_reference": reference, "arrears_amount": 412.3}])
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert open_flag(actis_household).updated_at == flag.updated_at

    post(writer, [{"household_reference": reference, "arrears_amount": "600"}])
    assert open_flag(actis_household).arrears_amount == Decimal("600.00")

    post(writer, [{"household_reference": reference, "arrears_amount": 0}])
    flag.refresh_from_db()
    assert flag.end_date is not None
    settled = post(writer, [{"household_reference": reference, "arrears_amount": 0}])
    assert settled.json() == {"created": 0, "updated": 0, "unchanged": 1}


@pytest.mark.parametrize(
    ("item", "field", "code"),
    [
        (
            {"household_reference": "MEN-404", "arrears_amount": 10},
            "household_reference",
            "unknown_reference",
        ),
        ({"household_reference": "REF", "arrears_amount": -5}, "arrears_amount", "invalid"),
        ({"household_reference": "REF", "arrears_amount": "beaucoup"}, "arrears_amount", "invalid"),
        (
            {"household_reference": "REF", "arrears_amount": 5, "since": "2999-01-01"},
            "since",
            "invalid",
        ),
    ],
)
def test_bad_arrears_answer_400_and_write_nothing(
    writer, actis, actis_household, item, field, code
):
    if item["household_reference"] == "REF":
        item = {**item, "household_reference": actis_household.reference}
    good = {"household_reference": HouseholdFactory(landlord=actis).reference, "arrears_amount": 5}
    if "since" in item:  # every item sends the same fields
        good["since"] = "2020-01-01"
    response = post(writer, [good, item])
    assert response.status_code == 400
    assert (1, field, code) in {
        (e["index"], e["field"], e["code"]) for e in response.json()["errors"]
    }
    assert not VulnerabilityFlag.objects.exists()


def test_another_landlords_household_is_unknown(writer, sdh_household):
    response = post(
        writer, [{"household_reference": sdh_household.reference, "arrears_amount": 10}]
    )
    assert response.status_code == 400
    assert not VulnerabilityFlag.objects.exists()


def test_a_flag_closed_the_day_it_was_dated_keeps_its_dates_in_order(writer, actis_household):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    VulnerabilityFlag.objects.create(
        household=actis_household,
        kind=FlagKind.PAYMENT_DIFFICULTY,
        arrears_amount=Decimal("10"),
        start_date=tomorrow,
    )
    post(writer, [{"household_reference": actis_household.reference, "arrears_amount": 0}])
    assert VulnerabilityFlag.objects.get().end_date == tomorrow
