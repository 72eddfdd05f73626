"""EXPLAIN ANALYZE the queries of every busy page on a large database (PostgreSQL).

Reads the database that ``bench/load_test.py --keep`` left (the configured name plus ``_load``,
seeded by ``seed_demo --households N``; ``--database`` names another). For each page it loads the
page once as a demo account (to warm caches), then again capturing its queries, and prints the
page's time, its number of queries and its slowest query; every query slower than ``--threshold``
milliseconds is run again under ``EXPLAIN (ANALYZE, BUFFERS)`` and its plan printed, so a missing
index shows as a sequential scan of a large table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf .venv/bin/python bench/explain_pages.py
        [--database portal_perf_load] [--threshold 5]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def pages():
    """(label, demo account, URL or a callable giving it) of each page of the query budgets."""
    from allocations.models import Sitting
    from outreach.models import Campaign
    from tenants.models import Household

    def household():
        return Household.objects.filter(landlord__slug="actis").order_by("pk").first().pk

    def campaign():
        return Campaign.objects.filter(landlord__slug="actis").order_by("pk").first().pk

    def sitting():
        first = Sitting.objects.filter(committee__landlord__slug="actis").order_by("pk").first()
        return first.pk if first else 0

    return [
        ("staff home", "supervisor@actis.demo", lambda: "/personnel/"),
        ("household list", "supervisor@actis.demo", lambda: "/personnel/menages/"),
        ("household search", "supervisor@actis.demo", lambda: "/personnel/menages/?q=martin"),
        ("household list, 70+", "supervisor@actis.demo", lambda: "/personnel/menages/?senior=1"),
        ("household page", "supervisor@actis.demo", lambda: f"/personnel/menages/{household()}/"),
        ("caller home", "caller@actis.demo", lambda: "/personnel/appels/"),
        (
            "supervisor dashboard",
            "supervisor@actis.demo",
            lambda: f"/personnel/campagnes/{campaign()}/",
        ),
        ("triage list", "landlord-admin@actis.demo", lambda: "/personnel/demandes/"),
        ("adviser day", "social-adviser@actis.demo", lambda: "/personnel/rendez-vous/"),
        ("adviser week", "social-adviser@actis.demo", lambda: "/personnel/rendez-vous/semaine/"),
        ("tenant home", "locataire1@actis.demo", lambda: "/espace/"),
        ("my appointments", "locataire1@actis.demo", lambda: "/espace/rendez-vous/"),
        (
            "sitting changelist",
            "committee-secretary@actis.demo",
            lambda: "/admin/allocations/sitting/",
        ),
        (
            "sitting change",
            "committee-secretary@actis.demo",
            lambda: f"/admin/allocations/sitting/{sitting()}/change/",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database to read (default: configured name + _load)")
    parser.add_argument("--threshold", type=float, default=5.0, help="EXPLAIN queries above (ms)")
    parser.add_argument("--json", help="write the summary to this file")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.common import verified_client
    from portal.models import User
    from tenants.models import Household

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    if connection.vendor != "postgresql":
        print("bench/explain_pages.py reads PostgreSQL plans: set DATABASE_URL=postgres://…")
        sys.exit(2)
    connection.settings_dict["NAME"] = args.database or f"{connection.settings_dict['NAME']}_load"
    connection.close()
    print(
        f"pages on {connection.settings_dict['NAME']} ({Household.objects.count()} households), "
        f"queries over {args.threshold:g} ms explained"
    )
    summary = {}
    for label, email, url in pages():
        # Past the second factor, which supervisors and committee secretaries must give.
        client = verified_client(User.objects.get(email=email))
        target = url()
        client.get(target)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            status = client.get(target).status_code
            elapsed = (time.perf_counter() - started) * 1000
        slowest = max((float(q["time"]) * 1000 for q in queries.captured_queries), default=0)
        print(
            f"  {label:22} {status}  {elapsed:6.0f} ms  {len(queries):3} queries  "
            f"slowest {slowest:5.1f} ms  {target}"
        )
        summary[label] = {"ms": elapsed, "queries": len(queries), "slowest_ms": slowest}
        for query in queries.captured_queries:
            if float(query["time"]) * 1000 < args.threshold or not query["sql"].startswith(
                ("SELECT", "DECLARE")
            ):
                continue
            sql = query["sql"]
            if sql.startswith("DECLARE"):
                sql = sql[sql.index(" FOR ") + 5 :]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join("      " + row[0] for row in cursor.fetchall())
            print(f"    {float(query['time']) * 1000:.1f} ms: {sql[:300]}\n{plan}\n")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
