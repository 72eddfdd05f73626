"""Set-based writes Django's ORM cannot say: INSERT … SELECT … ON CONFLICT DO NOTHING."""

from django.db import connection
from django.db.models import Model, QuerySet


def insert_select_sql(
    model: type[Model],
    columns: list[tuple[str, str]],
    rows: QuerySet,
    conflict: tuple[str, ...],
) -> tuple[str, tuple]:
    """The SQL inserting ``rows`` into ``model``'s table, skipping rows that hit ``conflict``.

    ``columns`` pairs each written field with the name ``rows`` selects for it; ``rows`` is a
    ``values_list`` over those names in the same order. SQLite (3.24+) and PostgreSQL both accept
    it; the caller runs it (and reads the row count) where it needs to.
    """
    fields = {field.name: field for field in model._meta.concrete_fields}
    select_sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[name].column) for name, _source in columns)
    unique = ", ".join(quote(fields[name].column) for name in conflict)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) {select_sql} "
        f"ON CONFLICT ({unique}) DO NOTHING"
    )
    return sql, params
