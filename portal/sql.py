"""SQL the ORM does not write, or writes too slowly.

Set-based writes it cannot say (INSERT … SELECT … ON CONFLICT DO NOTHING), and the plain reads of
the few queries every request runs, with the names taken from the models' metadata.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections
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


# Reads in plain SQL, for the few queries every request runs: building and compiling them with the
# ORM costs more CPU than PostgreSQL spends answering them (bench/README.md, load_test).


def column(meta, name: str) -> str:
    """The quoted column of the field ``name`` of a model's ``_meta``."""
    return connection.ops.quote_name(meta.get_field(name).column)


def select_columns(model: type[Model], table_alias: str) -> str:
    """``alias."col", …``: every concrete column of ``model``, in the order
    :func:`instance_from_row` reads them."""
    quote = connection.ops.quote_name
    return ", ".join(f"{table_alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def instance_from_row(model: type[Model], values, using: str = DEFAULT_DB_ALIAS) -> Model:
    """An instance of ``model`` from the values of :func:`select_columns`, converted as the ORM
    converts what it reads (SQLite's dates and booleans, JSON, …)."""
    wrapper = connections[using]
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        col = field.get_col(model._meta.db_table)
        for converter in (*wrapper.ops.get_db_converters(col), *col.get_db_converters(wrapper)):
            value = converter(value, col, wrapper)  # on NULL too, as the compiler does
        converted.append(value)
    return model.from_db(using, [f.attname for f in fields], converted)
