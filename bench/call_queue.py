"""Time the call queue on PostgreSQL: the set-based build against a per-row ORM loop, then claims.

Uses the configured database server (``DATABASE_URL``) but never the configured database's data:
it works in a database of its own, the configured name with ``_bench`` appended, created (dropped
first if it exists), migrated and seeded with N households of one landlord, each with a current
lease, a phone, one to three people and, for some, an isolation or arrears flag. It prints:

1. the time of ``call_queue_refresh`` (the INSERT … SELECT) queueing all N households for a campaign
   with no restrictive criteria, and of a second refresh that has nothing to do;
2. the same queue built by a per-row ORM loop (``CallTask.objects.get_or_create`` per household),
   timed on a sample and extrapolated to N (``--loop-sample 0`` runs it on all N), and the ratio;
3. claims per second, p50/p95 claim latency and duplicates with C concurrent callers (threads, each
   with its own connection), each claiming with ``call_task_claim`` then logging the call
   ("reached, all well") with ``call_log_record``, or releasing it (one claim in ten), in a loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/call_queue.py \
        [--households 100000] [--loop-sample 5000] [--callers 50] [--claims 20000] \
        [--seconds 60] [--explain] [--proposed-indexes] [--keep | --reuse]

``--keep`` keeps the bench database afterwards; ``--reuse`` reuses a kept one (seeded with the same
number of households) instead of seeding again. ``--explain`` prints EXPLAIN ANALYZE of the
INSERT … SELECT and of the claim's SELECT … FOR UPDATE SKIP LOCKED (all rolled back).
``--proposed-indexes`` first creates, in the bench database only, the two claim-order indexes that
bench/README.md proposes for ``CallTask`` (not yet in the migrations).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

BENCH_SLUG = "bench-call-queue"
BATCH = 5000
RELEASE_EVERY = 10  # one claim in ten is released unlogged, the others are logged


class Rollback(Exception):
    """Raised to roll an EXPLAIN ANALYZE of a write back."""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument(
        "--loop-sample",
        type=int,
        default=5000,
        help="households queued by the per-row loop, extrapolated to --households (0: all)",
    )
    parser.add_argument("--callers", type=int, default=50, help="concurrent callers (threads)")
    parser.add_argument("--claims", type=int, default=20_000, help="claims in all, at most")
    parser.add_argument("--seconds", type=float, default=60.0, help="claim phase time limit")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="first create the claim-order indexes proposed in bench/README.md (bench database only)",
    )
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    keep.add_argument("--reuse", action="store_true", help="reuse a kept bench database")
    return parser.parse_args()


# --- Seeding -----------------------------------------------------------------------------------


def seed(households: int) -> None:
    """N households of one landlord, all selectable: current lease, a phone, not do-not-call."""
    from django.db import transaction
    from phonenumber_field.phonenumber import PhoneNumber

    from housing.models import Building, Dwelling, Estate, Landlord
    from tenants.models import Household, Lease, Person, PersonRole, VulnerabilityFlag

    rng = random.Random(2020)
    # Parsing a phone number costs ~100 µs: a pool of parsed numbers is shared by the households.
    mobiles = [PhoneNumber.from_string(f"+336{n:08d}") for n in range(1000, 2000)]
    landlines = [PhoneNumber.from_string(f"+3346571{n:04d}") for n in range(1000)]
    today = datetime.date.today()
    with transaction.atomic():
        landlord = Landlord.objects.create(
            slug=BENCH_SLUG, name="Bailleur du banc d'essai", kind=Landlord.Kind.OPH
        )
        estate = Estate.objects.create(slug=BENCH_SLUG, name="Quartier d'essai", city="Grenoble")
        per_building = 100
        buildings = Building.objects.bulk_create(
            [
                Building(
                    landlord=landlord,
                    estate=estate,
                    reference=f"B{b:05d}",
                    name=f"{b} galerie d'essai",
                    address=f"{b} galerie d'essai",
                    postal_code="38100",
                    city="Grenoble",
                    floors=12,
                )
                for b in range((households + per_building - 1) // per_building)
            ],
            batch_size=BATCH,
        )
        for start in range(0, households, BATCH):
            numbers = range(start, min(start + BATCH, households))
            dwellings = Dwelling.objects.bulk_create(
                [
                    Dwelling(
                        landlord=landlord,
                        building=buildings[n // per_building],
                        reference=f"L{n:07d}",
                        typology="T3",
                        floor=(n % per_building) // 8,
                        surface=Decimal("65.00"),
                        rent=Decimal("420.00"),
                        status=Dwelling.Status.OCCUPIED,
                    )
                    for n in numbers
                ]
            )
            homes = []
            for n in numbers:
                mobile = rng.random() < 0.8  # the others have a landline only
                homes.append(
                    Household(
                        landlord=landlord,
                        reference=f"M{n:07d}",
                        name=f"Ménage {n}",
                        mobile_phone=rng.choice(mobiles) if mobile else "",
                        phone=rng.choice(landlines) if not mobile or rng.random() < 0.3 else "",
                    )
                )
            homes = Household.objects.bulk_create(homes)
            Lease.objects.bulk_create(
                [
                    Lease(household=h, dwelling=d, start_date=datetime.date(2015, 1, 1))
                    for h, d in zip(homes, dwellings, strict=True)
                ]
            )
            people, flags = [], []
            for home in homes:
                age = rng.randint(19, 96)
                for member in range(rng.choice((1, 1, 2, 2, 3))):
                    people.append(
                        Person(
                            household=home,
                            first_name="Camille",
                            last_name=f"Essai {member}",
                            birth_date=today - datetime.timedelta(days=(age - member * 20) * 365),
                            role=PersonRole.LEASE_HOLDER if member == 0 else PersonRole.CHILD,
                        )
                    )
                if rng.random() < 0.15:
                    flags.append(
                        VulnerabilityFlag(
                            household=home,
                            kind=VulnerabilityFlag.Kind.ISOLATED,
                            start_date=datetime.date(2020, 3, 17),
                        )
                    )
                if rng.random() < 0.08:
                    flags.append(
                        VulnerabilityFlag(
                            household=home,
                            kind=VulnerabilityFlag.Kind.PAYMENT_DIFFICULTY,
                            arrears_amount=Decimal(rng.randint(50, 5000)),
                            start_date=datetime.date(2020, 3, 17),
                        )
                    )
            Person.objects.bulk_create(people)
            VulnerabilityFlag.objects.bulk_create(flags)


def callers(landlord, count: int) -> list:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from housing.models import Role, StaffMembership

    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(email=f"appelant{n}@banc-essai.example", password=make_password(None))
            for n in range(count)
        ]
    )
    StaffMembership.objects.bulk_create(
        [StaffMembership(user=user, landlord=landlord, role=Role.CALLER) for user in users]
    )
    return users


def campaign(landlord, name: str):
    """An active campaign selecting everybody, whose call window is always open."""
    from outreach.models import Campaign

    return Campaign.objects.create(
        landlord=landlord,
        name=name,
        status=Campaign.Status.ACTIVE,
        call_weekdays=[0, 1, 2, 3, 4, 5, 6],
        call_start=datetime.time(0, 0),
        call_end=datetime.time(23, 59, 59, 999999),
    )


def proposed_indexes() -> list:
    """Indexes in the order of the claim's slices, proposed for CallTask.Meta.indexes."""
    from django.db import models
    from django.db.models import F, Q

    order = (
        F("campaign"),
        F("risk_isolated").desc(),
        F("oldest_birth_date").asc(nulls_last=True),
        F("arrears").desc(),
        F("id"),
    )
    return [
        models.Index(
            *order, condition=Q(status="pending", attempts=0), name="calltask_untried_order_idx"
        ),
        models.Index(
            *order, condition=Q(status="pending", attempts__gt=0), name="calltask_tried_order_idx"
        ),
    ]


def create_proposed_indexes() -> list[str]:
    from django.db import connection

    from outreach.models import CallTask

    existing = connection.introspection.get_constraints(
        connection.cursor(), CallTask._meta.db_table
    )
    created = []
    with connection.schema_editor() as editor:
        for index in proposed_indexes():
            if index.name not in existing:
                editor.add_index(CallTask, index)
                created.append(index.name)
    return created


# --- Phase 1 and 2: the build ------------------------------------------------------------------


def time_loop(campaign, sample: int) -> tuple[int, float]:
    """The baseline: one get_or_create per selected household (risk figures fetched up front)."""
    from django.db import transaction

    from outreach.models import CallTask, TaskStatus
    from outreach.targeting import selected_households, with_queue_fields

    rows = (
        with_queue_fields(selected_households(campaign))
        .order_by("pk")
        .values_list("pk", "q_phone", "q_isolated", "q_oldest", "q_arrears")
    )
    if sample:
        rows = rows[:sample]
    count = 0
    started = time.perf_counter()
    with transaction.atomic():
        for pk, phone, isolated, oldest, arrears in rows.iterator(chunk_size=2000):
            CallTask.objects.get_or_create(
                campaign=campaign,
                household_id=pk,
                defaults={
                    "landlord_id": campaign.landlord_id,
                    "status": TaskStatus.PENDING,
                    "phone": phone,
                    "risk_isolated": isolated,
                    "oldest_birth_date": oldest,
                    "arrears": arrears,
                },
            )
            count += 1
    return count, time.perf_counter() - started


def explain_build(campaign) -> None:
    """EXPLAIN ANALYZE the INSERT … SELECT the ORM prints, then roll it back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from outreach.services.queue import call_queue_refresh

    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                call_queue_refresh(campaign_id=campaign.pk)
                raise Rollback
        except Rollback:
            pass
    statements = [q["sql"] for q in queries.captured_queries]
    insert = next(sql for sql in statements if sql.startswith("INSERT"))
    settings = [sql for sql in statements if sql.startswith("SELECT set_config")]
    explain(
        f"EXPLAIN (ANALYZE, BUFFERS) {insert}", "INSERT … SELECT of call_queue_refresh", settings
    )


def explain_claim(campaign, user) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from outreach.services.queue import call_task_claim

    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                call_task_claim(campaign=campaign, user=user)
                raise Rollback
        except Rollback:
            pass
    selects = [q["sql"] for q in queries.captured_queries if "SKIP LOCKED" in q["sql"]]
    for number, select in enumerate(selects, start=1):
        explain(f"EXPLAIN (ANALYZE, BUFFERS) {select}", f"claim: SELECT … SKIP LOCKED ({number})")


def explain(sql: str, title: str, settings: list[str] = ()) -> None:
    """Print the plan of ``sql`` run after ``settings`` (what the service set), rolled back."""
    from django.db import connection, transaction

    print(f"\n-- {title}\n{sql[len('EXPLAIN (ANALYZE, BUFFERS) ') :]}\n")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(setting)
            cursor.execute(sql)
            for (line,) in cursor.fetchall():
                print("   ", line)
            raise Rollback
    except Rollback:
        pass
    print()


# --- Phase 3: concurrent claims ----------------------------------------------------------------


class Ledger:
    """What the callers were served, checked as they go: a duplicate is a task served to a caller
    while another held it, or served again after it was logged (logged calls close the task)."""

    def __init__(self, budget: int, deadline: float):
        self.lock = threading.Lock()
        self.budget, self.deadline = budget, deadline
        self.started = 0
        self.holder: dict[int, int] = {}
        self.closed: set[int] = set()
        self.duplicates: list[str] = []
        self.latencies: list[float] = []
        self.logged = self.released = 0
        self.errors: list[str] = []

    def next_claim(self) -> int | None:
        with self.lock:
            if self.started >= self.budget or time.perf_counter() >= self.deadline:
                return None
            self.started += 1
            return self.started

    def served(self, task_id: int, user_id: int, latency: float) -> None:
        with self.lock:
            self.latencies.append(latency)
            other = self.holder.get(task_id)
            if other is not None and other != user_id:
                self.duplicates.append(f"task {task_id}: held by {other}, served to {user_id}")
            if task_id in self.closed:
                self.duplicates.append(f"task {task_id}: served to {user_id} after its call")
            self.holder[task_id] = user_id

    def letting_go(self, task_id: int, *, logged: bool) -> None:
        # Forgotten before the call is logged or released: the next holder may then come.
        with self.lock:
            self.holder.pop(task_id, None)
            if logged:
                self.logged += 1
                self.closed.add(task_id)
            else:
                self.released += 1


def work(campaign, user, ledger: Ledger, barrier: threading.Barrier) -> None:
    from django.db import connections

    from outreach.errors import OutreachError
    from outreach.models import CallOutcome
    from outreach.services.calls import CallReport, call_log_record
    from outreach.services.queue import call_task_claim, call_task_release

    report = CallReport(outcome=CallOutcome.REACHED_WELL)
    try:
        barrier.wait()
        while (number := ledger.next_claim()) is not None:
            started = time.perf_counter()
            task = call_task_claim(campaign=campaign, user=user)
            latency = time.perf_counter() - started
            if task is None:
                break  # the queue is empty
            ledger.served(task.pk, user.pk, latency)
            if number % RELEASE_EVERY == 0:
                ledger.letting_go(task.pk, logged=False)
                call_task_release(task=task, user=user)
            else:
                ledger.letting_go(task.pk, logged=True)
                try:
                    call_log_record(task=task, user=user, report=report)
                except OutreachError as error:  # the task was not this caller's after all
                    with ledger.lock:
                        ledger.duplicates.append(f"task {task.pk}: {error}")
    except Exception as error:  # reported at the end
        with ledger.lock:
            ledger.errors.append(repr(error))
    finally:
        connections.close_all()


def run_claims(campaign, users, budget: int, seconds: float) -> tuple[Ledger, float]:
    # The bench may run on a French public holiday, when the call window is shut whatever the
    # campaign's hours: holidays are switched off here (the window is otherwise always open).
    with mock.patch("outreach.calendar.is_public_holiday", return_value=False):
        barrier = threading.Barrier(len(users) + 1)
        ledger = Ledger(budget, deadline=float("inf"))
        threads = [
            threading.Thread(target=work, args=(campaign, user, ledger, barrier)) for user in users
        ]
        for thread in threads:
            thread.start()
        ledger.deadline = time.perf_counter() + seconds
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    return ledger, elapsed


def database_duplicates(campaign) -> int:
    """Tasks with two calls logged: every call is "reached", which closes the task."""
    from django.db.models import Count

    from outreach.models import CallLog

    return (
        CallLog.objects.filter(campaign=campaign)
        .values("task")
        .annotate(calls=Count("pk"))
        .filter(calls__gt=1)
        .count()
    )


def machine_busy() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


# --- Main --------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()

    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # no query log: the figures are those of a production process
    logging.getLogger("outreach").setLevel(logging.WARNING)

    if connection.vendor != "postgresql":
        print(
            "bench/call_queue.py measures what PostgreSQL does (SELECT … FOR UPDATE SKIP LOCKED "
            "under 50 concurrent callers, the INSERT … SELECT of the build); SQLite serialises "
            "writers, so its figures would say nothing. Run it against PostgreSQL, for example:\n"
            "    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal "
            ".venv/bin/python bench/call_queue.py"
        )
        sys.exit(2)

    from housing.models import Landlord
    from outreach.models import CallTask, TaskStatus
    from outreach.services.queue import call_queue_refresh
    from tenants.models import Household

    configured = connection.settings_dict["NAME"]
    bench_name = f"{configured}_bench"
    with connection._nodb_cursor() as cursor:  # the configured database may not exist
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        )
        free = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    if free < args.callers + 3:
        print(f"Only {free} PostgreSQL connections are free; {args.callers} callers need one each.")
        sys.exit(2)

    if not args.reuse:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(bench_name)}")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_name
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.reuse
    )
    try:
        print(f"call_queue on PostgreSQL {version}, database {bench_name} ({os.cpu_count()} CPUs)")
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"  load average before the run: {load} (other work skews every figure)")
        landlord = Landlord.objects.filter(slug=BENCH_SLUG).first()
        if landlord is None:
            started = time.perf_counter()
            seed(args.households)
            landlord = Landlord.objects.get(slug=BENCH_SLUG)
            print(f"  seeded {args.households} households in {time.perf_counter() - started:.1f} s")
        elif Household.objects.filter(landlord=landlord).count() != args.households:
            print(
                "The kept bench database holds another number of households: run without --reuse."
            )
            sys.exit(2)
        else:
            # Earlier runs' campaigns and callers go; the households stay.
            from django.contrib.auth import get_user_model

            from outreach.models import CallLog, Campaign

            CallLog.objects.filter(landlord=landlord).delete()
            Campaign.objects.filter(landlord=landlord).delete()
            get_user_model().objects.filter(email__endswith="@banc-essai.example").delete()
            print(f"  reusing {args.households} seeded households")
        if args.proposed_indexes:
            created = create_proposed_indexes()
            print(f"  proposed indexes created in the bench database: {', '.join(created) or '-'}")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have done on a live database

        # 1. The set-based build.
        built = campaign(landlord, "Banc d'essai : construction")
        started = time.perf_counter()
        build = call_queue_refresh(campaign_id=built.pk)
        build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = call_queue_refresh(campaign_id=built.pk)
        again_seconds = time.perf_counter() - started
        queued = CallTask.objects.filter(campaign=built, status=TaskStatus.PENDING).count()
        print("\n1. Set-based build (call_queue_refresh: INSERT … SELECT)")
        print(f"   {build.added} tasks queued in {build_seconds:.2f} s ({queued} pending)")
        print(f"   second refresh, nothing to do: {again_seconds:.2f} s ({again.added} added)")

        # 2. The per-row loop.
        looped_campaign = campaign(landlord, "Banc d'essai : boucle")
        count, loop_seconds = time_loop(looped_campaign, args.loop_sample)
        selected = build.added
        per_row = loop_seconds / count
        loop_total = per_row * selected
        print("\n2. Per-row ORM loop (get_or_create per household, one transaction)")
        if count < selected:
            print(f"   {count} households in {loop_seconds:.2f} s ({per_row * 1e3:.2f} ms each)")
            print(f"   EXTRAPOLATED to {selected} households: {loop_total:.0f} s")
        else:
            print(f"   {count} households in {loop_seconds:.1f} s ({per_row * 1e3:.2f} ms each)")
        print(f"   set-based build is {loop_total / build_seconds:.0f} times faster")
        verdict = "met" if build_seconds < 3 and loop_total / build_seconds >= 20 else "MISSED"
        print(f"   target (under 3 s, at least 20 times faster): {verdict}")

        users = callers(landlord, args.callers)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if args.explain:
            explain_build(campaign(landlord, "Banc d'essai : plan"))
            with mock.patch("outreach.calendar.is_public_holiday", return_value=False):
                explain_claim(built, users[0])

        # 3. Concurrent claims on the built queue.
        connection.close()  # the callers work in their own connections
        cpu_before, machine_before = os.times(), machine_busy()
        ledger, elapsed = run_claims(built, users, args.claims, args.seconds)
        cpu_after, machine_after = os.times(), machine_busy()
        own_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
        busy, total = (
            after - before for after, before in zip(machine_after, machine_before, strict=True)
        )
        claims = len(ledger.latencies)
        in_db = database_duplicates(built)
        held = CallTask.objects.filter(campaign=built, status=TaskStatus.HELD).count()
        print(f"\n3. {args.callers} concurrent callers: claim, then log (9 in 10) or release")
        print(f"   {claims} claims in {elapsed:.1f} s: {claims / elapsed:.0f} claims/s")
        print(f"   ({ledger.logged} logged, {ledger.released} released, {held} still held)")
        if claims:
            p50, p95 = percentile(ledger.latencies, 0.50), percentile(ledger.latencies, 0.95)
            print(f"   claim latency: p50 {p50 * 1e3:.1f} ms, p95 {p95 * 1e3:.1f} ms")
        print(
            f"   CPU: this Python process {own_cpu / elapsed:.0%} of one core; "
            f"machine {busy / total:.0%} busy ({os.cpu_count()} cores, PostgreSQL included)"
        )
        duplicates = len(ledger.duplicates) + in_db
        print(f"   duplicates (a task served to two callers): {duplicates}")
        for line in ledger.duplicates[:10]:
            print(f"     {line}")
        if in_db:
            print(f"     {in_db} tasks with two calls logged")
        for error in ledger.errors[:10]:
            print(f"   error in a caller: {error}")
        verdict = "met" if claims / elapsed >= 1000 and not duplicates else "MISSED"
        print(f"   target (at least 1,000 claims/s, no duplicate): {verdict}")
    finally:
        if args.keep or args.reuse:
            print(f"\nKept database {bench_name} (--reuse to run on it again).")
            connection.close()
            connection.settings_dict["NAME"] = old_name
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
