"""Django's PostgreSQL backend, with the queries a connection repeats kept as prepared statements.

PostgreSQL plans every statement it receives, and the portal's queries cost it more to plan than
to run (a call page: about 2 ms of planning for 0.45 ms of execution, bench/README.md). psycopg2,
the stack's driver, sends each query as text. Here a connection's cursor turns a query it has
already run once into a server-side prepared statement (``PREPARE pN AS …`` with ``$1…$n``, then
``EXECUTE pN (…)``): PostgreSQL parses it once and, once it has seen that a generic plan costs
no more than the custom ones, plans it no more. The values are still adapted by psycopg2, so
what reaches PostgreSQL is what the ORM asked for.

What is prepared: statements with positional parameters (the ORM's ``%s``) beginning with
``SELECT``, on ordinary (not named, server-side) cursors, from their second run on the connection,
at most ``MAX_STATEMENTS`` per connection (connections are recycled after ``CONN_MAX_AGE``).

Safe with what the portal does:

- A ``PREPARE`` that PostgreSQL refuses (a parameter whose type it cannot infer, say) is not tried
  again, and the query runs as text. Inside a transaction, the ``PREPARE`` runs in a savepoint, so
  a refusal does not abort the transaction.
- Prepared statements are per connection and outlive transactions and their rollbacks (they are
  not transactional), as the cursor's record of them does.
- A schema change on the connection (``CREATE``, ``ALTER``, ``DROP``: ``migrate``, the migration
  tests) forgets every prepared statement. A schema change by another process (a deployment
  migrating while the old workers still run) can make PostgreSQL refuse a prepared statement
  whose result changed type; the connection then forgets them all, and the query runs again as
  text when no transaction is open (inside one, the error stands, once).
- Row-level security (``portal.rls``): the policies read the connection's settings when the
  statement runs, and PostgreSQL replans a cached statement for another role.

Behind a pooler that shares server connections between clients per transaction (PgBouncer in
transaction mode), named prepared statements do not hold: set ``DB_PREPARED_STATEMENTS=false``
(portal/settings.py), which gives Django's backend unchanged.
"""

from __future__ import annotations

import re

import psycopg2
import psycopg2.extensions
from django.db.backends.postgresql import base

# Prepared statements kept per connection, at most: beyond, further queries run as text.
MAX_STATEMENTS = 400
# Queries seen once per connection, remembered to prepare them on their second run; forgotten
# when there are more (a connection running many one-off queries prepares nothing).
MAX_SEEN = 2000
_PLACEHOLDER = re.compile(r"%%|%s")
_SCHEMA_CHANGE = re.compile(r"\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)
# PostgreSQL's errors about a prepared statement gone stale: "cached plan must not change result
# type" (feature_not_supported) and "prepared statement … does not exist".
_STALE = {"0A000", "26000"}


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


class PreparingConnection(psycopg2.extensions.connection):
    """A psycopg2 connection that remembers the statements it prepared."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared: dict[str, str | None] = {}  # query -> name, or None: never prepared
        self.seen: set[str] = set()
        self.names = 0  # statements named so far: a name is never given twice

    def forget_prepared(self, cursor) -> None:
        """Drop every prepared statement (after a schema change, or one gone stale)."""
        failed = self.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
        if any(self.prepared.values()) and not failed:
            # Not transactional: it holds even if the transaction is rolled back. In a failed
            # transaction the statements stay on the server, unused, under names not given again.
            psycopg2.extensions.cursor.execute(cursor, "DEALLOCATE ALL")
        self.prepared.clear()
        self.seen.clear()


class PreparingCursor(psycopg2.extensions.cursor):
    """A cursor that runs the connection's repeated ``SELECT`` queries as prepared statements."""

    _shown = None  # the query as the ORM wrote it, for cursor.query (below)

    def execute(self, query, vars=None):
        self._shown = None
        if (
            self.name is not None
            or not isinstance(vars, tuple | list)
            or not isinstance(query, str)
        ):
            result = super().execute(query, vars)
            if isinstance(query, str) and _SCHEMA_CHANGE.match(query):
                self.connection.forget_prepared(self)
            return result
        conn = self.connection
        name = conn.prepared.get(query, False)
        if name is False:
            name = self._prepare(query) if query[:6].upper() == "SELECT" else None
        if name is None:
            return super().execute(query, vars)
        placeholders = ", ".join(["%s"] * len(vars))
        try:
            result = super().execute(
                f"EXECUTE {name} ({placeholders})" if vars else f"EXECUTE {name}", vars
            )
        except psycopg2.Error as error:
            if error.pgcode not in _STALE:
                raise
            conn.forget_prepared(self)
            if not conn.autocommit:
                raise  # the transaction has failed: the caller sees the error, once
            return super().execute(query, vars)
        self._shown = (query, vars)
        return result

    def _prepare(self, query: str) -> str | None:
        """The name of ``query``'s new prepared statement; None if it is not (yet) prepared."""
        conn = self.connection
        if query not in conn.seen:
            if len(conn.seen) >= MAX_SEEN:
                conn.seen.clear()
            conn.seen.add(query)
            return None
        if len(conn.prepared) >= MAX_STATEMENTS:
            return None
        conn.names += 1
        name = f"portal_{conn.names}"
        prepare = f"PREPARE {name} AS {numbered(query)}"
        run = super().execute
        try:
            if conn.autocommit:
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
            failed = conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
            if not failed:  # refused: never tried again on this connection
                conn.prepared[query] = None
            return None  # a transaction failed before: running the query will say so
        conn.prepared[query] = name
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
