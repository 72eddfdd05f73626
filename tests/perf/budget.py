"""Query budgets: a page runs the same number of queries with few or many rows, under a maximum.

``assert_query_budget(client, url, grow, budget=N)`` adds 10 rows with ``grow(10)``, loads the page
once to warm the session and content-type caches, counts the queries of a second load, grows to
500 rows, counts again, and fails when the two counts differ (an N+1) or exceed ``budget`` (the
exact number measured when the budget was set: a new query on the page must raise it on purpose).
"""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

FEW, MANY = 10, 500


def count_queries(client, url: str) -> tuple[int, list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), [q["sql"] for q in queries.captured_queries], response


def assert_query_budget(
    client,
    url: str,
    grow: Callable[[int], object],
    *,
    budget: int,
    few: int = FEW,
    many: int = MANY,
):
    """Return the response at ``many`` rows, after checking the counts; see the module doc."""
    grow(few)
    client.get(url)  # warm the session, the content types and the translation caches
    count_few, sql_few, _response = count_queries(client, url)
    grow(many - few)
    count_many, sql_many, response = count_queries(client, url)
    assert count_many == count_few, _diff(sql_few, sql_many)
    assert count_many <= budget, f"{count_many} queries, budget {budget}:\n" + "\n".join(sql_many)
    return response


def _diff(few: list[str], many: list[str]) -> str:
    extra = [sql for sql in many if sql not in few]
    return f"{len(few)} queries at {FEW} rows, {len(many)} at {MANY}; new ones:\n" + "\n".join(
        extra[:10]
    )
