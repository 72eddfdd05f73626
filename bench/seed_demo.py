"""Time ``manage.py seed_demo --households N`` into a fresh database and print households/second.

Uses the configured database (``DATABASE_URL``, SQLite under var/ by default), but never its data:
a fresh database is created beside it (the configured name plus ``_seed`` on PostgreSQL,
``var/bench_seed_demo.sqlite3`` on SQLite), migrated, seeded, seeded again (the idempotent second
run), then dropped.

    .venv/bin/python bench/seed_demo.py [--households 100000] [--seed 2020] [--keep]
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Household, Person

    bench_name = (
        str(ROOT / "var" / "bench_seed_demo.sqlite3")
        if connection.vendor == "sqlite"
        else f"{connection.settings_dict['NAME']}_seed"
    )
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"seed_demo --households {args.households} on {connection.vendor} ({bench_name})")
        started = time.perf_counter()
        call_command("seed_demo", households=args.households, seed=args.seed, stdout=io.StringIO())
        first = time.perf_counter() - started
        households, people = Household.objects.count(), Person.objects.count()
        print(f"  first run:  {first:7.1f} s  {households / first:8.0f} households/s")
        print(f"              {households} households, {people} people")
        started = time.perf_counter()
        out = io.StringIO()
        call_command("seed_demo", households=args.households, seed=args.seed, stdout=out)
        second = time.perf_counter() - started
        unchanged = Household.objects.count() == households and Person.objects.count() == people
        print(f"  second run: {second:7.1f} s  (idempotent: {'yes' if unchanged else 'NO'})")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
