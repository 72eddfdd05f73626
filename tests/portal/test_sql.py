"""Plain reads (portal.sql): instances built from raw rows equal what the ORM builds."""

import pytest
from django.db import connection

from housing.models import Export, Landlord
from portal.models import User
from portal.sql import instance_from_row, select_columns
from tenants.models import Household

pytestmark = pytest.mark.django_db


def _read(model, pk):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select_columns(model, 't')} FROM {table} t WHERE t.id = %s", [pk])  # noqa: S608
        return instance_from_row(model, cursor.fetchone())


@pytest.mark.parametrize("model", [User, Landlord, Household, Export])
def test_every_field_reads_back_as_the_orm_reads_it(model, actis, actis_household, alice):
    """Dates, booleans, decimals, NULLs and JSON, on PostgreSQL and SQLite alike."""
    Export.objects.create(
        created_by=alice, kind="households", format="csv", landlord_ids=[actis.pk]
    )
    for expected in model._default_manager.all():
        read = _read(model, expected.pk)
        for field in model._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
            assert type(getattr(read, field.attname)) is type(getattr(expected, field.attname))
        assert read._state.adding is False
