"""Time the supervisors' week board (``housing.duties.duty_week_board``) and the caretaker's day.

Runs against the configured database (``DATABASE_URL``; migrated first) but never touches its
data: everything belongs to a landlord of its own (slug ``bench-duties``) with an estate of its own,
deleted before the run and after it (``--keep`` keeps them). It creates N buildings with four
rounds each (cleaning on weekdays, waste out twice a week, waste in twice a week, an inspection
once a week) and W weeks of ticks (about six in seven done), then prints:

1. the time to seed (bulk inserts);
2. the time and query count of the week board over all N buildings (the slowest of R runs, and
   the median), and the figures it gives (due, done, missed);
3. the time and query count of one caretaker's rounds of today over 3 buildings.

    .venv/bin/python bench/duty_board.py [--buildings 2000] [--weeks 12] [--runs 5] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/duty_board.py
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

BENCH_SLUG = "bench-duties"
BATCH = 5000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench landlord afterwards")
    return parser.parse_args()


def clean() -> None:
    from housing.models import Building, DutyCompletion, DutyRound, Estate, Landlord

    DutyCompletion.objects.filter(round__building__landlord__slug=BENCH_SLUG).delete()
    DutyRound.objects.filter(building__landlord__slug=BENCH_SLUG).delete()
    Building.objects.filter(landlord__slug=BENCH_SLUG).delete()
    Landlord.objects.filter(slug=BENCH_SLUG).delete()
    Estate.objects.filter(slug=BENCH_SLUG).delete()
    from portal.models import User

    User.objects.filter(email__endswith=f"@{BENCH_SLUG}.example").delete()


def seed(buildings: int, weeks: int, today: datetime.date):
    from housing.models import (
        Building,
        CaretakerAssignment,
        DutyCompletion,
        DutyRound,
        Estate,
        Landlord,
        Role,
        StaffMembership,
    )
    from portal.models import User

    landlord = Landlord.objects.create(slug=BENCH_SLUG, name="Bench duties", kind="oph")
    estate = Estate.objects.create(slug=BENCH_SLUG, name="Bench", city="Grenoble")
    Building.objects.bulk_create(
        [
            Building(
                landlord=landlord,
                estate=estate,
                reference=f"B{n:06d}",
                name=f"{n} galerie du banc d'essai",
                address=f"{n} galerie du banc d'essai",
                postal_code="38100",
                city="Grenoble",
            )
            for n in range(buildings)
        ],
        batch_size=BATCH,
    )
    building_ids = list(Building.objects.filter(landlord=landlord).values_list("pk", flat=True))
    starts_on = today - datetime.timedelta(weeks=weeks)
    kinds = [("cleaning", 0b0011111), ("waste_out", 0b0001001), ("waste_in", 0b0010010)]
    kinds.append(("inspection", 0b0000100))
    DutyRound.objects.bulk_create(
        [
            DutyRound(building_id=pk, kind=kind, weekdays=days, starts_on=starts_on)
            for pk in building_ids
            for kind, days in kinds
        ],
        batch_size=BATCH,
    )
    caretaker = User.objects.create_user(email=f"gardien@{BENCH_SLUG}.example", password=None)
    StaffMembership.objects.create(user=caretaker, landlord=landlord, role=Role.CARETAKER)
    supervisor = User.objects.create_user(email=f"resp@{BENCH_SLUG}.example", password=None)
    StaffMembership.objects.create(user=supervisor, landlord=landlord, role=Role.SUPERVISOR)
    CaretakerAssignment.objects.bulk_create(
        [CaretakerAssignment(user=caretaker, building_id=pk) for pk in building_ids[:3]]
    )
    from django.utils import timezone

    now = timezone.now()
    rows = []
    rounds = DutyRound.objects.filter(building__landlord=landlord).values_list(
        "pk", "weekdays", "starts_on"
    )
    for pk, days, first in rounds.iterator(chunk_size=BATCH):
        day = first
        while day < today:
            if days & (1 << day.weekday()) and (day.toordinal() + pk) % 7:
                rows.append(DutyCompletion(round_id=pk, date=day, done_by=caretaker, done_at=now))
            day += datetime.timedelta(days=1)
        if len(rows) >= BATCH:
            DutyCompletion.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    DutyCompletion.objects.bulk_create(rows, batch_size=BATCH)
    return landlord, caretaker, supervisor


def timed(function, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, result = [], 0, None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    return result, max(times), statistics.median(times), queries


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from housing.duties import DutyWeek, caretaker_rounds_today, duty_week_board, week_start
    from housing.models import DutyCompletion

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    print(f"database: {connection.vendor}, {args.buildings} buildings, {args.weeks} weeks")
    clean()
    try:
        start = time.perf_counter()
        landlord, caretaker, supervisor = seed(args.buildings, args.weeks, today)
        ticks = DutyCompletion.objects.filter(round__building__landlord=landlord).count()
        print(
            f"seed: {time.perf_counter() - start:.1f} s ({args.buildings * 4} rounds, {ticks} ticks)"
        )

        week = DutyWeek(start=week_start(today) - datetime.timedelta(days=7), today=today)
        board, slowest, median, queries = timed(
            lambda: list(duty_week_board(supervisor, landlord_ids=[landlord.pk], week=week)),
            args.runs,
        )
        due = sum(row.due for row in board)
        done = sum(row.done for row in board)
        missed = sum(row.missed for row in board)
        print(
            f"week board (last week, {len(board)} buildings): slowest {slowest * 1000:.0f} ms, "
            f"median {median * 1000:.0f} ms, {queries} queries; due {due}, done {done}, "
            f"missed {missed}"
        )
        rounds, slowest, median, queries = timed(
            lambda: [
                (duty_round, duty_round.today_completions)
                for duty_round in caretaker_rounds_today(caretaker, today)
            ],
            args.runs,
        )
        print(
            f"caretaker's rounds of today ({len(rounds)} rounds, 3 buildings): slowest "
            f"{slowest * 1000:.1f} ms, median {median * 1000:.1f} ms, {queries} queries"
        )
    finally:
        if not args.keep:
            clean()


if __name__ == "__main__":
    main()
