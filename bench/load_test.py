"""Load test: 50 callers working the call queue and 100 tenants browsing and booking, with locust.

Needs PostgreSQL (``DATABASE_URL``) and uses the configured Redis (``CELERY_BROKER_URL``). It never
touches the configured database's data: it works in the configured name plus ``_load`` (dropped,
created, migrated, seeded with ``seed_demo --households N``, then ``VACUUM ANALYZE`` and a
CHECKPOINT), adds the load's accounts (``appelant-NN@actis.demo`` callers and
``charge-locataire-NN@…`` tenants, demo password) and a campaign that calls every day at any
hour, starts gunicorn on loopback against it, runs locust headless for a bounded time and number of
users, prints p50/p95 per page, failures and requests/s, stops gunicorn and drops the database
(``--keep`` keeps it; ``--reuse`` runs again on a kept one without seeding).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/load_test.py [--households 2000] [--staff 50] [--tenants 100]
        [--seconds 60] [--workers 5] [--port 8765] [--keep | --reuse]

Logging in (PBKDF2, on purpose slow) happens first; the statistics are reset ten seconds after the
last user has logged in (``LOAD_SETTLE_SECONDS``: the pages queued behind the logins are served by
then) and the run stops ``--seconds`` later, so the figures are those of the steady state.
``--json FILE`` writes the summary for ``bench/run_all.py``.
"""

import argparse
import csv
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    interpreter,
    load_average,
    own_database,
    require_postgres,
    setup_django,
)

BIN = Path(sys.executable).parent
PASSWORD = "villeneuves2026"  # the demo password (README)
P95_TARGET_MS = 150
RPS_TARGET = 150
LOGIN_ALLOWANCE = 300  # seconds the users may take to log in before the steady state


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=50, help="concurrent callers")
    parser.add_argument("--tenants", type=int, default=100, help="concurrent tenants")
    parser.add_argument("--seconds", type=int, default=60, help="steady-state duration")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="gunicorn worker processes (default: one per CPU; more cost more CPU per request)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (>1: gthread workers)"
    )
    parser.add_argument(
        "--think",
        default="0.2-1.2",
        help="seconds each user reads a page before the next one, as MIN-MAX (uniform)",
    )
    parser.add_argument(
        "--pace",
        help="instead of --think: seconds from the start of one page of a user to the start of "
        "the next, as MIN-MAX (uniform); the reading time is what the answer leaves of it, so "
        "the users ask for a set rate whatever the server's speed (150 users at 0.6-1.3: about "
        "158 pages a second)",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--per-page-cpu",
        action="store_true",
        help="also print gunicorn's CPU per request by page (bench/gunicorn_cpu.py)",
    )
    parser.add_argument("--json", help="write the summary to this file")
    parser.add_argument("--keep", action="store_true", help="keep the load database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept load database")
    return parser.parse_args()


def prepare(staff: int, tenants: int) -> dict:
    """The load's accounts and campaign (idempotent), in set-based inserts."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from housing.models import Landlord, Role, StaffMembership
    from outreach.models import Appointment, CallLog, Campaign, Need, Referral
    from outreach.services.queue import call_queue_refresh
    from portal.models import User
    from tenants.models import Lease, Person

    password = make_password(PASSWORD)  # hashed once, shared by every load account
    actis = Landlord.objects.get(slug="actis")
    callers = [f"appelant-{n:02d}@actis.demo" for n in range(staff)]
    User.objects.bulk_create(
        [
            User(email=e, password=password, first_name="Appelant", last_name=e[9:11])
            for e in callers
        ],
        ignore_conflicts=True,
    )
    StaffMembership.objects.bulk_create(
        [
            StaffMembership(user=user, landlord=actis, role=Role.CALLER)
            for user in User.objects.filter(email__in=callers)
        ],
        ignore_conflicts=True,
    )
    # Each run starts from the same state: the previous run's campaign (its calls, their needs and
    # referrals) and the load tenants' appointments go, so that the queue is full again and every
    # slot free (a run stopped mid-booking would otherwise leave slots taken for the next one).
    previous = Campaign.objects.filter(landlord=actis, name="Banc de charge")
    Need.objects.filter(campaign__in=previous).delete()
    Referral.objects.filter(campaign__in=previous).delete()
    CallLog.objects.filter(campaign__in=previous).delete()
    previous.delete()
    Appointment.objects.filter(booked_by__email__startswith="charge-locataire-").delete()
    campaign, _created = Campaign.objects.get_or_create(
        landlord=actis,
        name="Banc de charge",
        defaults={
            "status": Campaign.Status.ACTIVE,
            "call_weekdays": [0, 1, 2, 3, 4, 5, 6],
            "call_start": datetime.time(0, 0),
            "call_end": datetime.time(23, 59, 59, 999999),
            "max_attempts": 50,
            "retry_delay_minutes": 0,
        },
    )
    call_queue_refresh(campaign_id=campaign.pk)

    # Tenants: lease holders with a current lease and no account yet, spread over the landlords.
    emails = list(
        User.objects.filter(email__startswith="charge-locataire-").values_list("email", flat=True)
    )
    missing = tenants - len(emails)
    if missing > 0:
        eligible = Person.objects.filter(
            user__isnull=True,
            role=Person.Role.LEASE_HOLDER,
            household__in=Lease.objects.filter(end_date__isnull=True).values("household"),
        ).order_by("household__landlord_id", "pk")
        # One holder in three, to spread the accounts over the landlords, when there are enough.
        stride = max(1, min(3, eligible.count() // missing))
        holders = list(
            eligible.values_list("pk", "household__landlord__slug")[: missing * stride : stride]
        )
        start = len(emails)
        new = [
            User(email=f"charge-locataire-{start + n:03d}@{slug}.demo", password=password)
            for n, (_pk, slug) in enumerate(holders)
        ]
        User.objects.bulk_create(new)
        by_email = dict(
            User.objects.filter(email__in=[u.email for u in new]).values_list("email", "pk")
        )
        people = [
            Person(pk=pk, user_id=by_email[user.email])
            for (pk, _slug), user in zip(holders, new, strict=True)
        ]
        Person.objects.bulk_update(people, ["user"])
        emails += [u.email for u in new]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        # The seed's pages written out now, not by the checkpointer during the measured minute (a
        # first run after seeding 100,000 households saw its p95 triple). Superusers and
        # pg_checkpoint members only: without the right, the run goes on.
        cursor.execute(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') "
            "FROM pg_roles WHERE rolname = current_user"
        )
        if cursor.fetchone()[0]:
            cursor.execute("CHECKPOINT")
    return {"campaign": campaign.pk, "staff": callers, "tenants": sorted(emails)[:tenants]}


def next_monday() -> str:
    today = datetime.date.today()
    return (today + datetime.timedelta(days=7 - today.weekday())).isoformat()


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds} s")


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    args = parse_args()
    setup_django()
    require_postgres("load_test", "measures the portal on PostgreSQL")
    from django.core.management import call_command
    from django.db import connection

    server = None
    page_cpu = None
    with own_database("_load", reuse=args.reuse, keep=args.keep) as load_name:
        try:
            from tenants.models import Household

            if not Household.objects.exists():
                started = time.perf_counter()
                with open(os.devnull, "w") as quiet:
                    call_command("seed_demo", households=args.households, stdout=quiet)
                print(
                    f"  seeded {args.households} households in {time.perf_counter() - started:.0f} s"
                )
            households = Household.objects.count()
            plan = prepare(args.staff, args.tenants)
            connection.close()

            db = connection.settings_dict
            env = {
                **os.environ,
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{load_name}",
                "DEBUG": "False",
                "EMAIL_URL": "memorymail://",
                "LOG_LEVEL": "WARNING",
            }
            if db.get("PASSWORD"):
                env["DATABASE_URL"] = env["DATABASE_URL"].replace("@", f":{db['PASSWORD']}@", 1)
            page_cpu = ROOT / "var" / "bench" / "page_cpu" if args.per_page_cpu else None
            if page_cpu:
                shutil.rmtree(page_cpu, ignore_errors=True)
                page_cpu.mkdir(parents=True)
                env["LOAD_PAGE_CPU_DIR"] = str(page_cpu)
            server = subprocess.Popen(  # noqa: S603
                [
                    str(BIN / "gunicorn"),
                    "portal.wsgi",
                    "--bind",
                    f"127.0.0.1:{args.port}",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--log-level",
                    "warning",
                    *(["--config", str(ROOT / "bench" / "gunicorn_cpu.py")] if page_cpu else []),
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
            base = f"http://127.0.0.1:{args.port}"
            wait_for(base + "/comptes/login/")

            out = ROOT / "var" / "bench"
            out.mkdir(parents=True, exist_ok=True)
            prefix = out / f"load_{households}"
            users = args.staff + args.tenants
            print(
                f"load test: {args.staff} callers + {args.tenants} tenants, {args.seconds} s steady, "
                f"{households} households, "
                + (f"pace {args.pace} s" if args.pace else f"reading time {args.think} s")
                + f", gunicorn {args.workers} workers, {os.cpu_count()} CPUs, "
                f"{interpreter()} "
                f"(load average before: {load_average()})"
            )
            spawn_seconds = users / args.spawn_rate
            think_min, _, think_max = args.think.partition("-")
            pace_min, _, pace_max = (args.pace or "").partition("-")
            window_file = prefix.with_name(prefix.name + "_window.json")
            window_file.unlink(missing_ok=True)
            subprocess.run(  # noqa: S603
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",  # a bound: the locustfile stops the run itself
                    f"{int(spawn_seconds + LOGIN_ALLOWANCE + args.seconds)}s",
                    "--host",
                    base,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    "--stop-timeout",
                    "5",
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "LOAD_STAFF": ",".join(plan["staff"]),
                    "LOAD_TENANTS": ",".join(plan["tenants"]),
                    "LOAD_STAFF_USERS": str(args.staff),
                    "LOAD_TENANT_USERS": str(args.tenants),
                    "LOAD_CAMPAIGN": str(plan["campaign"]),
                    "LOAD_WEEK": next_monday(),
                    "LOAD_PASSWORD": PASSWORD,
                    "LOAD_SECONDS": str(args.seconds),
                    "LOAD_THINK_MIN": think_min,
                    "LOAD_THINK_MAX": think_max,
                    "LOAD_PACE_MIN": pace_min,
                    "LOAD_PACE_MAX": pace_max,
                    "LOAD_SERVER_PID": str(server.pid),
                    "LOAD_WINDOW_FILE": str(window_file),
                },
                check=False,
                stdout=subprocess.DEVNULL,
            )
            rows = read_stats(prefix)
            summary = report(rows, households)
            summary["pace" if args.pace else "think"] = args.pace or args.think
            summary["cpu_ms_per_request"] = report_window(window_file, summary)
            if args.json:
                Path(args.json).write_text(json.dumps(summary, indent=2))
        finally:
            if server is not None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            if server is not None and page_cpu:
                report_page_cpu(page_cpu)


def report_page_cpu(folder: Path) -> None:
    """gunicorn's CPU per request by page, over the whole run (logins included)."""
    totals: dict[str, list[float]] = {}
    for part in folder.glob("worker-*.json"):
        for key, (count, seconds) in json.loads(part.read_text()).items():
            entry = totals.setdefault(key, [0, 0.0])
            entry[0] += count
            entry[1] += seconds
    print(f"  {'gunicorn CPU by page':50} {'requests':>8} {'ms each':>8}")
    for key, (count, seconds) in sorted(totals.items(), key=lambda item: -item[1][1]):
        print(f"  {key[:50]:50} {count:8} {1000 * seconds / count:8.1f}")


def report_window(window_file: Path, summary: dict) -> dict:
    """Requests per second and CPU milliseconds per request (gunicorn, PostgreSQL, locust) of the
    steady state itself: locust's own rate also counts the seconds the users take to finish their
    journey once it ends, when fewer pages are asked for."""
    total = summary.get("total") or {}
    window = json.loads(window_file.read_text()) if window_file.exists() else {}
    if not window.get("requests") or not total:
        print("  requests/s and CPU per request: not measured (no steady state)")
        return {}
    total["rps"] = window["requests"] / window["seconds"]
    print(
        f"  steady state: {window['requests']} requests in {window['seconds']:.1f} s, "
        f"{total['rps']:.1f} req/s (target >= {RPS_TARGET}), {window['failures']} failures"
    )
    per_request = {part: 1000 * value / window["requests"] for part, value in window["cpu"].items()}
    if per_request:
        print(
            "  CPU per request: "
            + ", ".join(f"{part} {value:.1f} ms" for part, value in per_request.items())
            + f" (total {sum(per_request.values()):.1f} ms on {os.cpu_count()} CPUs)"
        )
    return per_request


def report(rows: list[dict], households: int) -> dict:
    print(f"  {'page':32} {'requests':>8} {'failures':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7}")
    pages = {}
    total = None
    for row in rows:
        name = row["Name"]
        if not int(row["Request Count"]):
            continue  # the login rows, emptied when the statistics were reset
        figures = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "rps": float(row["Requests/s"]),
        }
        if name == "Aggregated":
            total = figures
            continue
        pages[name] = figures
        print(
            f"  {name:32} {figures['requests']:8} {figures['failures']:8} {figures['p50']:7.0f} "
            f"{figures['p95']:7.0f} {figures['rps']:7.1f}"
        )
    if total:
        print(
            f"  {'all':32} {total['requests']:8} {total['failures']:8} {total['p50']:7.0f} "
            f"{total['p95']:7.0f} {total['rps']:7.1f}"
        )
    worst = max((p["p95"] for name, p in pages.items() if not name.startswith("login")), default=0)
    print(
        f"  worst page p95 {worst:.0f} ms (target < {P95_TARGET_MS}), "
        f"{total['failures'] if total else '?'} failures (target 0)"
    )
    return {"households": households, "pages": pages, "total": total, "worst_p95": worst}


if __name__ == "__main__":
    main()
