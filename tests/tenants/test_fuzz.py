"""Fuzzing (hypothesis) of request filing and the households CSV import: no server error, every
rejection in French, nothing written by a rejected input."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from housing.csv_import import CsvImportError
from tenants.errors import TenantError
from tenants.models import Household, RequestCategory, RequestLocation, TechnicalRequest
from tenants.services.imports import households_import
from tenants.services.requests import request_create
from tests.factories import DwellingFactory
from tests.fuzz import FUZZ, assert_french, field_text, form_errors, one_of_or_text, rolled_back

pytestmark = pytest.mark.django_db


@FUZZ
@given(
    category=one_of_or_text(RequestCategory.values),
    location=one_of_or_text(RequestLocation.values),
    description=field_text,
    preferred_times=field_text,
)
def test_the_tenant_request_form_never_fails_and_refuses_in_french(
    client, tenant, category, location, description, preferred_times
):
    client.force_login(tenant)
    with rolled_back():
        before = TechnicalRequest.objects.count()
        response = client.post(
            reverse("tenant_request_create"),
            {
                "category": category,
                "location": location,
                "description": description,
                "preferred_times": preferred_times,
            },
        )
        assert response.status_code in (200, 302)
        created = TechnicalRequest.objects.count() - before
        if response.status_code == 302:
            assert created == 1
        else:
            assert created == 0
            assert_french(form_errors(response))


@FUZZ
@given(
    category=one_of_or_text(RequestCategory.values),
    location=one_of_or_text(RequestLocation.values),
    description=field_text,
    channel=one_of_or_text(["phone", "email", "on_site", "extranet"]),
    priority=one_of_or_text(["urgent", "high", "normal"]),
)
def test_the_request_service_refuses_bad_values_in_french_and_writes_nothing(
    tenant, actis_household, category, location, description, channel, priority
):
    with rolled_back():
        try:
            request_create(
                household=actis_household,
                created_by=tenant,
                category=category,
                location=location,
                description=description,
                channel=channel,
                priority=priority,
            )
        except TenantError as error:
            assert_french([error.message])
            assert not TechnicalRequest.objects.exists()
        else:
            assert TechnicalRequest.objects.count() == 1


HEADER = "reference;name;email;phone;dwelling_reference;lease_start;holder_first_name;holder_last_name;holder_birth_date"


@FUZZ
@given(
    cells=st.lists(
        st.one_of(field_text, st.sampled_from(["LOG-1", "MEN-1", "17/03/2020", "04 76 68 39 39"])),
        min_size=9,
        max_size=9,
    ),
    separator=st.sampled_from([";", ","]),
)
def test_a_households_csv_row_is_imported_or_refused_in_french(actis, cells, separator):
    cleaned = [cell.replace(";", " ").replace(",", " ").replace("\n", " ") for cell in cells]
    content = (HEADER.replace(";", separator) + "\n" + separator.join(cleaned) + "\n").encode(
        "utf-8", "surrogatepass"
    )
    with rolled_back():
        DwellingFactory(building__landlord=actis, reference="LOG-1")
        try:
            result = households_import(landlord=actis, source=content)
        except CsvImportError as error:
            assert_french(error.messages)
            assert not Household.objects.exists()
        else:
            assert Household.objects.count() == result.created <= 1
