"""Sessions kept in the database as Django keeps them, read with one plain query.

Every request but the anonymous ones reads its session. Django's database store reads it through
the ORM, whose building and compiling of that one-row query costs about three times what the
query costs PostgreSQL (bench/README.md, load_test); the read here is the same SELECT, written
once. Writing, expiry and ``clearsessions`` are Django's own.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        key, data, expiry = (
            quote(model._meta.get_field(name).column)
            for name in ("session_key", "session_data", "expire_date")
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            # Names from the model's metadata; the key and the time are parameters.
            cursor.execute(
                f"SELECT {data} FROM {table} WHERE {key} = %s AND {expiry} > %s",  # noqa: S608
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new session will be made, as Django does
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
