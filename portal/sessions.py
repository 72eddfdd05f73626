"""Sessions kept in the database as Django keeps them, read with one plain query.

Every request but the anonymous ones reads its session. Django's database store reads it through
the ORM, whose building and compiling of that one-row query costs about three times what the
query costs PostgreSQL (bench/README.md, load_test); the read here is the same SELECT, written
once. Writing, expiry and ``clearsessions`` are Django's own.
"""

import functools

from django.contrib.sessions.backends import db
from django.db import connection, connections, router
from django.utils import timezone

from portal.sql import column


@functools.cache
def _select_sql(model) -> str:
    """The SELECT of one live session's data, names from the model's metadata."""
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    key, data, expiry = (
        column(meta, name) for name in ("session_key", "session_data", "expire_date")
    )
    return f"SELECT {data} FROM {table} WHERE {key} = %s AND {expiry} > %s"  # noqa: S608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        wrapper = connections[router.db_for_read(model)]
        now = wrapper.ops.adapt_datetimefield_value(timezone.now())
        with wrapper.cursor() as cursor:
            cursor.execute(_select_sql(model), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new session will be made, as Django does
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
