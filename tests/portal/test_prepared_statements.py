"""The PostgreSQL backend's prepared statements (portal/postgresql/base.py).

The unit tests open connections of their own to the test database (autocommit, as the web
requests run), so that what they prepare, alter and drop stays theirs.
"""

import datetime
import os
import subprocess
import sys
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.postgresql import base as prepared
from tests.factories import LandlordFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def connect(db):
    """Connections like the portal's (autocommit), closed after the test."""
    opened = []

    def open_one():
        params = {**connection.get_connection_params()}
        conn = psycopg2.connect(**params)
        conn.autocommit = True
        opened.append(conn)
        return conn

    yield open_one
    for conn in opened:
        conn.close()


def _server_statements(cursor) -> list[str]:
    psycopg2.extensions.cursor.execute(
        cursor, "SELECT statement FROM pg_prepared_statements ORDER BY prepare_time"
    )
    return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def table(connect):
    """A table of this test's own, dropped afterwards."""
    conn = connect()
    cursor = conn.cursor()
    cursor.execute("DROP TABLE IF EXISTS prepared_probe")
    cursor.execute(
        "CREATE TABLE prepared_probe (id int PRIMARY KEY, label varchar(20), size smallint, day date)"
    )
    cursor.execute(
        "INSERT INTO prepared_probe VALUES (1, '10 %', 1, '2024-03-09'), (2, 'deux', 2, '2024-03-10'),"
        " (3, 'trois', 3, NULL)"
    )
    yield conn
    cursor.execute("DROP TABLE IF EXISTS prepared_probe")


def test_the_portal_connects_through_the_preparing_backend(db):
    assert connection.settings_dict["ENGINE"] == "portal.postgresql"
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, prepared.PreparingCursor)


def test_a_repeated_query_is_prepared_on_its_second_run_and_answers_the_same(table):
    cursor = table.cursor()
    query = "SELECT id, label FROM prepared_probe WHERE size >= %s AND label NOT LIKE '%% %%' ORDER BY id"
    answers = []
    for _ in range(3):
        cursor.execute(query, [1])
        answers.append(cursor.fetchall())
    assert answers == [[(2, "deux"), (3, "trois")]] * 3
    # One statement on the server, with $1 for %s and a plain % for %% (in the literal).
    assert _server_statements(cursor) == [
        "PREPARE portal_1 (integer) AS SELECT id, label FROM prepared_probe WHERE size >= $1 "
        "AND label NOT LIKE '% %' ORDER BY id"
    ]
    # What Django logs is the query the ORM wrote, with its values.
    cursor.execute(query, [3])
    assert cursor.query.decode() == (
        "SELECT id, label FROM prepared_probe WHERE size >= 3 AND label NOT LIKE '% %' ORDER BY id"
    )


def _twice_the_same(cursor, query, params):
    """Run ``query`` as text, then prepared, then from the statement: the three answers."""
    answers = []
    for _ in range(3):
        cursor.execute(query, params)
        answers.append(cursor.fetchall())
    return answers


@pytest.mark.parametrize(
    ("query", "params", "expected"),
    [
        # Parameters whose type the query alone would not tell, or would tell wrong.
        (
            "SELECT CASE WHEN id = 2 THEN %s ELSE %s END FROM prepared_probe WHERE id = 1",
            [True, False],
            [(False,)],
        ),
        (
            "SELECT CASE WHEN id = 3 THEN %s ELSE %s END FROM prepared_probe WHERE id = 1",
            [0, 1],
            [(1,)],
        ),
        ("SELECT size * %s FROM prepared_probe WHERE id = 3", [1.5], [(Decimal("4.5"),)]),
        ("SELECT id FROM prepared_probe WHERE size > %s ORDER BY id", [2.5], [(3,)]),
        ("SELECT id / %s FROM prepared_probe WHERE id = 2", [Decimal("2.0")], [(Decimal("1"),)]),
        ("SELECT %s / 2", [Decimal("5")], [(2,)]),
        ("SELECT id FROM prepared_probe WHERE size IN (%s, %s)", [3, 40000], [(3,)]),
        ("SELECT size + %s FROM prepared_probe WHERE id = 1", [40000], [(40001,)]),
        ("SELECT id FROM prepared_probe WHERE id IN (%s, %s)", [2, 2**31], [(2,)]),
        ('SELECT \'["a", "b"]\'::jsonb -> %s', [1], [("b",)]),
        ('SELECT \'{"1": "un"}\'::jsonb -> %s', ["1"], [("un",)]),
        (
            "SELECT id FROM prepared_probe WHERE day = %s",
            [datetime.datetime(2024, 3, 10, 15, tzinfo=datetime.UTC)],
            [],
        ),
        ("SELECT id FROM prepared_probe WHERE day = %s", [datetime.date(2024, 3, 10)], [(2,)]),
        (
            "SELECT id FROM prepared_probe WHERE day > %s - %s",
            [datetime.date(2024, 3, 10), datetime.timedelta(days=1)],
            [(2,)],
        ),
        (
            "SELECT id FROM prepared_probe WHERE label = %s OR label = %s",
            ["l'apostrophe", "10 %"],
            [(1,)],
        ),
        ("SELECT id FROM prepared_probe WHERE day = %s OR id = %s", [None, 3], [(3,)]),
    ],
)
def test_prepared_answers_are_those_of_the_text_query(table, query, params, expected):
    cursor = table.cursor()
    assert _twice_the_same(cursor, query, params) == [expected] * 3


def test_a_query_is_prepared_once_per_combination_of_parameter_types(table):
    cursor = table.cursor()
    query = "SELECT id FROM prepared_probe WHERE size = %s OR label = %s"
    assert _twice_the_same(cursor, query, [2, "trois"]) == [[(2,), (3,)]] * 3
    assert _twice_the_same(cursor, query, [2.0, None]) == [[(2,)]] * 3
    statements = _server_statements(cursor)
    assert [s.split(" AS ")[0] for s in statements] == [
        "PREPARE portal_1 (integer, unknown)",
        "PREPARE portal_2 (numeric, unknown)",
    ]


def test_lists_and_bare_sort_parameters_leave_the_query_as_text(table):
    cursor = table.cursor()
    assert (
        _twice_the_same(
            cursor, "SELECT id FROM prepared_probe WHERE id = ANY(%s) ORDER BY id", [[1, 3]]
        )
        == [[(1,), (3,)]] * 3
    )
    # As text, ORDER BY 2 is the second column (label: '10 %' < 'deux' < 'trois').
    assert (
        _twice_the_same(cursor, "SELECT id, label FROM prepared_probe ORDER BY %s DESC", [2])
        == [[(3, "trois"), (2, "deux"), (1, "10 %")]] * 3
    )
    assert (
        _twice_the_same(cursor, "SELECT id, label FROM prepared_probe ORDER BY (%s) DESC", [2])
        == [[(3, "trois"), (2, "deux"), (1, "10 %")]] * 3
    )
    # DISTINCT ON the second column (size: each row its own), not on a constant (one row).
    assert (
        _twice_the_same(
            cursor, "SELECT DISTINCT ON (%s) id, size FROM prepared_probe ORDER BY (%s), id", [2, 2]
        )
        == [[(1, 1), (2, 2), (3, 3)]] * 3
    )
    assert _server_statements(cursor) == []


def test_only_positional_selects_on_plain_cursors_are_prepared(table):
    cursor = table.cursor()
    for _ in range(2):
        cursor.execute("SELECT id FROM prepared_probe WHERE id = %(id)s", {"id": 1})
        cursor.execute("UPDATE prepared_probe SET size = size WHERE id = %s", [1])
        cursor.execute("SELECT count(*) FROM prepared_probe")  # no parameters given
    named = table.cursor(name="server_side")
    table.autocommit = False
    named.execute("SELECT id FROM prepared_probe WHERE id > %s", [0])
    named.fetchall()
    named.close()
    table.rollback()
    table.autocommit = True
    assert _server_statements(cursor) == []


def test_a_query_postgresql_will_not_prepare_runs_as_text_without_failing_the_transaction(table):
    cursor = table.cursor()
    table.autocommit = False
    query = "SELECT %s IS NULL"  # PostgreSQL cannot tell the parameter's type
    for value in ["un", None, "trois"]:
        cursor.execute(query, [value])
        assert cursor.fetchall() == [(value is None,)]
    cursor.execute("SELECT count(*) FROM prepared_probe")  # the transaction still works
    assert cursor.fetchone() == (3,)
    table.commit()
    assert (query, ("unknown",)) in table.refused  # refused once, not tried again
    table.autocommit = True
    assert _server_statements(cursor) == []


def test_statements_prepared_inside_a_transaction_outlive_its_rollback(table):
    cursor = table.cursor()
    table.autocommit = False
    for _ in range(2):
        cursor.execute("SELECT label FROM prepared_probe WHERE id = %s", [2])
    table.rollback()
    table.autocommit = True
    cursor.execute("SELECT label FROM prepared_probe WHERE id = %s", [2])
    assert cursor.fetchone() == ("deux",)
    assert len(_server_statements(cursor)) == 1


def test_a_schema_change_on_the_connection_forgets_the_statements(table):
    cursor = table.cursor()
    query = "SELECT * FROM prepared_probe WHERE id = %s"
    for _ in range(2):
        cursor.execute(query, [1])
    assert len(_server_statements(cursor)) == 1
    cursor.execute("ALTER TABLE prepared_probe ALTER COLUMN size TYPE text")
    assert _server_statements(cursor) == []
    cursor.execute(query, [1])
    assert cursor.fetchone() == (1, "10 %", "1", datetime.date(2024, 3, 9))


def test_a_schema_change_by_another_connection_is_survived_outside_transactions(connect, table):
    cursor = table.cursor()
    query = "SELECT * FROM prepared_probe WHERE id = %s"
    for _ in range(2):
        cursor.execute(query, [3])
    other = connect().cursor()
    other.execute("ALTER TABLE prepared_probe ALTER COLUMN size TYPE text")
    # PostgreSQL refuses the statement ("cached plan must not change result type"): the query
    # runs again as text, and the connection prepares afresh.
    cursor.execute(query, [3])
    assert cursor.fetchone() == (3, "trois", "3", None)
    assert _server_statements(cursor) == []
    for _ in range(2):
        cursor.execute(query, [2])
    assert cursor.fetchone() == (2, "deux", "2", datetime.date(2024, 3, 10))


def test_a_connection_keeps_a_bounded_number_of_statements(table, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_STATEMENTS", 2)
    cursor = table.cursor()
    for column in ["id", "label", "size"]:
        for _ in range(2):
            cursor.execute(f"SELECT {column} FROM prepared_probe WHERE id = %s", [1])
            assert cursor.fetchone() is not None
    assert len(_server_statements(cursor)) == 2


def test_the_orm_reads_through_prepared_statements_and_logs_its_own_sql(db):
    LandlordFactory(name="Actis")
    # The suite's connection may hold its fill of statements already: start it afresh.
    connection.connection.forget_prepared()
    from housing.models import Landlord

    def read():
        return list(Landlord.objects.filter(name__startswith="Act").values_list("name", flat=True))

    with CaptureQueriesContext(connection) as captured:
        answers = [read() for _ in range(3)]
    assert answers == [["Actis"]] * 3
    assert all(q["sql"].startswith('SELECT "housing_landlord"."name"') for q in captured)
    assert "'Act%'" in captured[-1]["sql"]
    names = [
        name
        for (query, _types), name in connection.connection.prepared.items()
        if query.startswith('SELECT "housing_landlord"."name"')
    ]
    assert names
    assert names[0].startswith("portal_")


def test_prepared_statements_can_be_turned_off():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    env = {"DB_PREPARED_STATEMENTS": "false", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    assert out.stdout.strip() == "django.db.backends.postgresql"


def test_an_orm_annotation_of_booleans_stays_boolean(db):
    """``Case(When(…, then=True), default=False)`` (the triage list's « en retard »): prepared with
    untyped parameters, PostgreSQL made them text, and 'false' read as true."""
    from django.db.models import BooleanField, Case, Value, When

    from housing.models import Landlord

    LandlordFactory(name="Actis")
    LandlordFactory(name="SDH")
    query = Landlord.objects.annotate(
        late=Case(
            When(name="SDH", then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).order_by("name")
    answers = [list(query.values_list("name", "late")) for _ in range(3)]
    assert answers == [[("Actis", False), ("SDH", True)]] * 3
    assert all(type(late) is bool for _name, late in answers[-1])


def test_the_logged_query_is_the_last_one_run(table):
    cursor = table.cursor()
    for _ in range(2):
        cursor.execute("SELECT label FROM prepared_probe WHERE id = %s", [1])
    cursor.executemany("UPDATE prepared_probe SET size = size WHERE id = %s", [[1], [2]])
    assert cursor.query.decode() == "UPDATE prepared_probe SET size = size WHERE id = 2"


def _gone_stale_in_a_transaction(connect, table, query):
    """Prepare ``query``, change a column's type from another connection, run ``query`` again in
    a transaction (PostgreSQL: "cached plan must not change result type"), roll back."""
    cursor = table.cursor()
    for _ in range(2):
        cursor.execute(query, [1])
    connect().cursor().execute("ALTER TABLE prepared_probe ALTER COLUMN label TYPE varchar(30)")
    table.autocommit = False
    with pytest.raises(psycopg2.errors.FeatureNotSupported):
        cursor.execute(query, [1])
    table.rollback()
    return cursor


def test_a_statement_gone_stale_inside_a_transaction_fails_once_then_is_forgotten(connect, table):
    query = "SELECT * FROM prepared_probe WHERE id = %s"
    cursor = _gone_stale_in_a_transaction(connect, table, query)
    # The next statement the server accepts drops the old statements; the query works again.
    cursor.execute(query, [2])
    assert cursor.fetchone()[1] == "deux"
    table.commit()
    table.autocommit = True
    assert _server_statements(cursor) == []
    assert not table.deallocate_pending


def test_a_parameter_typed_from_a_column_whose_type_changed_runs_as_text_again(connect, table):
    cursor = table.cursor()
    query = "SELECT id FROM prepared_probe WHERE label = %s"
    assert _twice_the_same(cursor, query, ["deux"]) == [[(2,)]] * 3
    other = connect().cursor()
    other.execute("UPDATE prepared_probe SET label = id::text")
    other.execute("ALTER TABLE prepared_probe ALTER COLUMN label TYPE int USING label::int")
    # Prepared, the parameter was typed from the varchar column; as text, '2' is read as an int.
    cursor.execute(query, ["2"])
    assert cursor.fetchall() == [(2,)]
    assert _twice_the_same(cursor, query, ["3"]) == [[(3,)]] * 3


def test_a_server_side_cursor_after_a_stale_statement_reads_its_rows(connect, table):
    query = "SELECT * FROM prepared_probe WHERE id = %s"
    cursor = _gone_stale_in_a_transaction(connect, table, query)
    named = table.cursor(name="after_stale")
    named.execute("SELECT id FROM prepared_probe WHERE id > %s ORDER BY id", [0])
    assert named.fetchall() == [(1,), (2,), (3,)]
    named.close()
    table.commit()
    table.autocommit = True
    assert _server_statements(cursor) == []


def test_queries_left_as_text_take_no_statement_of_the_connections_allowance(table, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_STATEMENTS", 1)
    cursor = table.cursor()
    for _ in range(2):
        cursor.execute("SELECT id FROM prepared_probe WHERE id = ANY(%s)", [[1]])
    for _ in range(2):
        cursor.execute("SELECT id FROM prepared_probe WHERE id = %s", [1])
    assert cursor.fetchall() == [(1,)]
    assert len(_server_statements(cursor)) == 1
