"""Trigram indexes for the household search (PostgreSQL only).

The search matches ``UPPER(column) LIKE UPPER('%text%')`` (Django's ``icontains``) on the
household's reference and name and on its people's names. A B-tree cannot serve a pattern that
starts with ``%``; a GIN index of trigrams (``pg_trgm``, a trusted extension the database owner may
create) can. SQLite, the embedded set-up, has no such index and needs none at its sizes: there the
migration does nothing. The indexes live outside the models' state (they exist on PostgreSQL
only), hence raw SQL.
"""

from django.db import migrations

COLUMNS = [
    ("tenants_household", "reference"),
    ("tenants_household", "name"),
    ("tenants_person", "last_name"),
    ("tenants_person", "first_name"),
]


def _index(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(table, column)} "
            f"ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(table, column)}")


class Migration(migrations.Migration):
    dependencies = [("tenants", "0007_household_access_log")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
