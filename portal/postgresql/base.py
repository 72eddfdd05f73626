"""Django's PostgreSQL backend, with the queries a connection repeats kept as prepared statements.

PostgreSQL plans every statement it receives, and the portal's queries cost it more to plan than
to run (a call page: about 2 ms of planning for 0.45 ms of execution, bench/README.md). psycopg2,
the stack's driver, sends each query as text. Here a connection's cursor turns a query it has
already run once into a server-side prepared statement (``PREPARE pN (types) AS …`` with
``$1…$n``, then ``EXECUTE pN (…)``): PostgreSQL parses it once and, once it has seen that a
generic plan costs no more than the custom ones, plans it no more.

**The same answers as the text query.** psycopg2 writes each value as a literal, and a literal
carries its type: ``true`` is a boolean, ``1.5`` a numeric, ``'…'::timestamptz`` a timestamp
with time zone, a quoted string is of unknown type, resolved by its context. PostgreSQL infers an
undeclared parameter's type from the query alone (``CASE … THEN $1`` would be text, ``floors *
$1`` a smallint), so each statement declares its parameters' types, those of the literals
psycopg2 would have written (:func:`literal_type`), and a query is prepared once per combination
of types. A value of any other type (a list, an adapter object) leaves the query as text, and so
does a bare parameter as an ``ORDER BY`` or ``GROUP BY`` item (a column's position as text, a
constant once prepared).

What is prepared: ``SELECT`` statements with positional parameters (the ORM's ``%s``), on
ordinary (not named, server-side) cursors, from their second run on the connection, at most
``MAX_STATEMENTS`` per connection (connections are recycled after ``CONN_MAX_AGE``).

Safe with what the portal does:

- A ``PREPARE`` that PostgreSQL refuses (a parameter it cannot type, say) is not tried again, and
  the query runs as text. Inside a transaction the ``PREPARE`` runs in a savepoint, so a refusal
  does not abort the transaction.
- Prepared statements belong to the connection and outlive transactions and their rollbacks (they
  are not transactional), as the cursor's record of them does.
- A schema change on the connection (``CREATE``, ``ALTER``, ``DROP``: ``migrate``, the migration
  tests) forgets every prepared statement. A schema change by another process (a deployment
  migrating while the old workers still run) can make PostgreSQL refuse a prepared statement
  whose result changed type ("cached plan must not change result type"); the connection then
  forgets its statements, and the query runs again as text when no transaction is open (inside
  one, the error stands, once per statement: restart the web and worker processes after
  migrating, as docker-compose's ``migrate`` service does before they start).
- Row-level security (``portal.rls``): the policies read the connection's settings when the
  statement runs, and PostgreSQL replans a cached statement for another role.
- What Django logs (``connection.queries``, the query-capturing tests) is the ORM's own SQL with
  its values, not the ``EXECUTE``.

Behind a pooler that shares server connections between clients per transaction (PgBouncer in
transaction mode), named prepared statements do not hold: set ``DB_PREPARED_STATEMENTS=false``
(portal/settings.py), which gives Django's backend unchanged.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid

import psycopg2
import psycopg2.extensions
from django.db.backends.postgresql import base

# Prepared statements kept per connection, at most: beyond, further queries run as text. (Each
# holds its plan in the server's memory: some tens of kilobytes, half a megabyte for the largest.)
MAX_STATEMENTS = 200
# Queries seen once per connection, remembered to prepare them on their second run; forgotten
# when there are more (a connection running many one-off queries prepares nothing).
MAX_SEEN = 2000
_PLACEHOLDER = re.compile(r"%%|%s")
_SCHEMA_CHANGE = re.compile(r"\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)
_SORT_CLAUSE = re.compile(r"\b(?:(?:ORDER|GROUP)\s+BY|DISTINCT\s+ON\s*\()", re.IGNORECASE)
_BARE_PARAMETER = re.compile(r"\s*(?:\(\s*)*%s(?:\s*\))*(?:\s|$)")
_INT4, _INT8 = 2**31, 2**63
# Literal types of psycopg2's adapters, by the value's exact type (subclasses: literal_type).
_EXACT = {
    str: "unknown",
    type(None): "unknown",
    bool: "boolean",
    datetime.date: "date",
    datetime.timedelta: "interval",
    uuid.UUID: "uuid",
    bytes: "bytea",
    bytearray: "bytea",
    memoryview: "bytea",
}


def literal_type(value) -> str | None:
    """The PostgreSQL type of the literal psycopg2 writes for ``value``; None when not known here
    (the query is then not prepared)."""
    kind = type(value)
    found = _EXACT.get(kind)
    if found is not None:
        return found
    # An unadorned integer (bool is final: found above): int4, else int8, else numeric.
    if isinstance(value, int):
        return (
            "integer"
            if -_INT4 <= value < _INT4
            else "bigint"
            if -_INT8 <= value < _INT8
            else "numeric"
        )
    if isinstance(value, float):  # repr(value): numeric; NaN and infinities as 'NaN'::float
        return "numeric" if math.isfinite(value) else "double precision"
    if isinstance(value, str):  # choices (TextChoices) and other str subclasses: quoted
        return "unknown"
    if isinstance(value, datetime.datetime):
        return "timestamptz" if value.tzinfo is not None else "timestamp"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, datetime.time):
        return "timetz" if value.tzinfo is not None else "time"
    if isinstance(value, decimal.Decimal):  # written as its digits: 5 is an integer, 5.0 numeric
        if value.is_finite() and value.as_tuple().exponent == 0:
            return literal_type(int(value))
        return "numeric"
    return None


def numbered(query: str) -> str:
    """``query`` with psycopg2's ``%s`` as ``$1``, ``$2``… and ``%%`` as ``%``."""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, query)


def has_bare_sort_parameter(query: str) -> bool:
    """Whether an ``ORDER BY``, ``GROUP BY`` or ``DISTINCT ON`` item begins with a bare parameter
    (``%s``, ``(%s)``): as text, ``ORDER BY 2`` sorts by the second column; as a parameter, by a
    constant."""
    for clause in _SORT_CLAUSE.finditer(query):
        depth, item_start = 0, clause.end()
        for position in range(clause.end(), len(query) + 1):
            char = query[position] if position < len(query) else ","
            if char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            elif (char == "," and not depth) or char == ")":
                if _BARE_PARAMETER.match(query[item_start:position]):
                    return True
                if char == ")":
                    break  # the end of the subquery this clause belongs to
                item_start = position + 1
    return False


def _is_stale(error: psycopg2.Error) -> bool:
    """PostgreSQL's refusal of a prepared statement gone stale: it no longer exists, its result
    changed type ("cached plan must not change result type", raised while revalidating the plan),
    or replanning it after a schema change failed (class 42: a parameter typed from a column whose
    type has changed since; never a permission refusal)."""
    code = error.pgcode or ""
    if code == "26000":
        return True
    if code == "0A000":
        return error.diag.source_function == "RevalidateCachedQuery"
    return code.startswith("42") and code != "42501"


class PreparingConnection(psycopg2.extensions.connection):
    """A psycopg2 connection that remembers the statements it prepared."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (query, parameter types) -> statement name; refused: never to be prepared (they do not
        # count against MAX_STATEMENTS, and are forgotten with the queries seen once).
        self.prepared: dict[tuple, str] = {}
        self.refused: set[tuple] = set()
        self.seen: set[tuple] = set()
        self.names = 0  # statements named so far: a name is never given twice
        self.deallocate_pending = False

    def failed(self) -> bool:
        return self.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR

    def forget_prepared(self) -> None:
        """Drop every prepared statement (after a schema change, or one gone stale)."""
        if self.prepared or self.deallocate_pending:
            # In a failed transaction the server refuses everything: deallocate at the next
            # statement the server accepts (until then the names are not given again).
            self.deallocate_pending = self.failed()
            if not self.deallocate_pending:
                # Not transactional: it holds even if the transaction is rolled back. On a plain
                # cursor of its own (a named cursor would DECLARE it).
                with psycopg2.extensions.cursor(self) as plain:
                    plain.execute("DEALLOCATE ALL")
        self.prepared.clear()
        self.refused.clear()
        self.seen.clear()


class PreparingCursor(psycopg2.extensions.cursor):
    """A cursor that runs the connection's repeated ``SELECT`` queries as prepared statements."""

    _shown = None  # the query as the ORM wrote it, for cursor.query (below)

    def execute(self, query, vars=None):
        self._shown = None
        conn = self.connection
        if conn.deallocate_pending and not conn.failed():
            conn.forget_prepared()
        if (
            self.name is not None
            or not isinstance(vars, tuple | list)
            or not isinstance(query, str)
        ):
            return self._execute_text(query, vars)
        types = tuple(map(literal_type, vars))
        key = (query, types)
        name = conn.prepared.get(key)
        if name is None and key not in conn.refused and query[:6].upper() == "SELECT":
            name = self._prepare(key)
        if name is None:
            return self._execute_text(query, vars)
        self._shown = (query, vars)
        placeholders = ", ".join(["%s"] * len(vars))
        try:
            return super().execute(
                f"EXECUTE {name} ({placeholders})" if vars else f"EXECUTE {name}", vars
            )
        except psycopg2.Error as error:
            if not _is_stale(error):
                raise
            conn.forget_prepared()
            if conn.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                raise  # inside a transaction, which has failed: the caller sees it, once
            return self._execute_text(query, vars)

    def _execute_text(self, query, vars):
        self._shown = None
        result = super().execute(query, vars)
        if isinstance(query, str) and _SCHEMA_CHANGE.match(query):
            self.connection.forget_prepared()
        return result

    def executemany(self, query, vars_list):
        self._shown = None
        return super().executemany(query, vars_list)

    def callproc(self, procname, parameters=None):
        self._shown = None
        return super().callproc(procname, parameters)

    def copy_expert(self, sql, file, size=8192):
        self._shown = None
        return super().copy_expert(sql, file, size)

    def _prepare(self, key: tuple) -> str | None:
        """The name of the new prepared statement of ``key`` (query, parameter types); None if it
        is not (yet) prepared."""
        conn = self.connection
        query, types = key
        if key not in conn.seen:
            if len(conn.seen) >= MAX_SEEN:
                conn.seen.clear()
                conn.refused.clear()
            conn.seen.add(key)
            return None
        if len(conn.prepared) >= MAX_STATEMENTS:
            return None
        if None in types or has_bare_sort_parameter(query):
            conn.refused.add(key)
            return None
        conn.names += 1
        name = f"portal_{conn.names}"
        declared = f" ({', '.join(types)})" if types else ""
        prepare = f"PREPARE {name}{declared} AS {numbered(query)}"
        run = super().execute
        idle = conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
        try:
            if idle and conn.autocommit:
                run(prepare)
            else:
                # A refusal must not fail the transaction the query belongs to.
                run("SAVEPOINT portal_prepare")
                try:
                    run(prepare)
                except psycopg2.Error:
                    run("ROLLBACK TO SAVEPOINT portal_prepare")
                    raise
                finally:
                    run("RELEASE SAVEPOINT portal_prepare")
        except psycopg2.Error:
            if not conn.failed():  # refused: never tried again on this connection
                conn.refused.add(key)
            return None  # a transaction failed before: running the query will say so
        conn.prepared[key] = name
        return name

    @property
    def query(self):
        """The last query as sent or, for a prepared statement, as the ORM wrote it: what Django
        logs and the tests capturing queries read."""
        if self._shown is not None:
            return self.mogrify(*self._shown)
        return super().query


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["connection_factory"] = PreparingConnection
        params["cursor_factory"] = PreparingCursor
        return params
