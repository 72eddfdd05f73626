"""``make bench``: every benchmark against PostgreSQL and Redis, then one table of figures.

Each script runs in its own process under ``/usr/bin/time -v`` (for its peak memory) with
``DATABASE_URL`` pointing at the configured server and database name plus ``_bench`` (created if
missing; each script then works in databases of its own beside it, and drops them), so no data of
the configured database is touched. It prints, at the end, one table: figure, value, target,
machine. The scripts' own output goes to ``var/bench/<script>.log``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/run_all.py [--households 100000] [--rows 50000] [--quick]

``--quick`` runs every script with small sizes (a smoke test of the whole chain, in minutes).
"""

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import interpreter  # noqa: E402

OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
MB = 1024


def machine() -> str:
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / MB / MB:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {memory}, {interpreter()}"


def run(name: str, args: list[str], env: dict, *, log_name: str = "") -> tuple[str, float]:
    """Run bench/<name>.py; return its output and its peak memory in MB. Its output goes to
    var/bench/<log_name or name>.log."""
    log = OUT / f"{log_name or name}.log"
    command = ["/usr/bin/time", "-v", PYTHON, str(ROOT / "bench" / f"{name}.py"), *args]
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    log.write_text(result.stdout + result.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    load = os.getloadavg()[0]
    print(
        f"  {name:18} {time.perf_counter() - started:6.0f} s  exit {result.returncode}  "
        f"(load average {load:.1f}; log {log.relative_to(ROOT)})"
    )
    return result.stdout, (int(peak.group(1)) / MB if peak else 0.0)


def figure(pattern: str, text: str, cast=float):
    match = re.search(pattern, text)
    return cast(match.group(1)) if match else None


def read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def bench_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_bench"))


@contextlib.contextmanager
def server_cursor(url: str):
    """A cursor on the server's ``postgres`` database, in autocommit (CREATE/DROP DATABASE)."""
    import psycopg2

    connection = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def ensure_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with server_cursor(url) as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')


# The load test's pace: each user starts a page 0.6 to 1.3 s after the start of the previous one,
# 150 users about 158 pages a second; and the reading time of its capacity run.
LOAD_PACE = "0.6-1.3"
LOAD_THINK = "0.2-1.2"


def drop_database(url: str, *, suffix: str) -> None:
    name = urlsplit(url).path.lstrip("/") + suffix
    with server_cursor(url) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=50_000, help="CSV import rows")
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the chain")
    args = parser.parse_args()
    if args.quick:
        args.households, args.rows, args.load_seconds = 3000, 3000, 15

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("make bench measures PostgreSQL and Redis: set DATABASE_URL=postgres://… and")
        print("CELERY_BROKER_URL=redis://… (see bench/README.md).")
        sys.exit(2)
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": bench_url(url)}
    ensure_database(env["DATABASE_URL"])
    n = args.households
    print(f"make bench: {n} households, {machine()}, broker {env.get('CELERY_BROKER_URL', '-')}")

    rows: list[tuple[str, str, str]] = []

    out, peak = run("seed_demo", ["--households", str(n)], env)
    rows.append((f"seed_demo, {n:,} households", _s(figure(r"first run:\s+([\d.]+) s", out)), "-"))
    rows.append(("  second run (idempotent)", _s(figure(r"second run:\s+([\d.]+) s", out)), "-"))
    rows.append(("  peak memory", f"{peak:.0f} MB", "< 500 MB"))

    out, peak = run("import_households", ["--rows", str(args.rows)], env)
    first = figure(r"households, first import\s+([\d.]+) s", out)
    rows.append((f"CSV import, {args.rows:,} households", _s(first), "-"))
    rows.append(
        (
            f"CSV import, {args.rows:,} dwellings",
            _s(figure(r"dwellings, first import\s+([\d.]+) s", out)),
            "-",
        )
    )
    rows.append(("  peak memory", f"{peak:.0f} MB", "< 500 MB"))

    sample = "2000" if not args.quick else "500"
    out, _peak = run(
        "call_queue",
        ["--households", str(n), "--loop-sample", sample, "--seconds", "20"],
        env,
    )
    rows.append(
        (f"queue build, {n:,} households", _s(figure(r"tasks queued in ([\d.]+) s", out)), "< 3 s")
    )
    rows.append(("  claims/s, 50 callers", _n(figure(r": (\d+) claims/s", out)), "-"))
    rows.append(("  claim p95", _ms(figure(r"p95 ([\d.]+) ms", out)), "-"))

    slots_json = OUT / "slots.json"
    run("slots", ["--advisers", "50", "--weeks", "8", "--json", str(slots_json)], env)
    slots = read_json(slots_json)
    rows.append(
        (
            f"slot generation, 50 advisers x 8 weeks ({slots.get('slots', '?')} slots)",
            _s(slots.get("first")),
            "-",
        )
    )
    rows.append(("  again, nothing to do", _s(slots.get("again")), "-"))

    dash_json = OUT / "dashboard.json"
    logs = 3
    run("dashboard", ["--households", str(n), "--json", str(dash_json)], env)
    dash = read_json(dash_json)
    scale = f"{dash.get('tasks', n):,} tasks, {dash.get('logs', n * logs):,} logs"
    rows.append((f"dashboard page, {scale}", _ms(dash.get("page_ms")), "< 300 ms"))
    rows.append(("  same, every log aggregated live", _ms(dash.get("page_before_ms")), "-"))
    rows.append(("  first fold of every log (beat job)", _ms(dash.get("fold_ms")), "-"))

    api_rows = 1000 if args.quick else 10_000
    out, _peak = run("api_upsert", ["--rows", str(api_rows)], env)
    rows.append(
        (
            f"API bulk upsert, {api_rows:,} households created",
            _s(figure(r"households, created\s+([\d.]+) s", out)),
            "-",
        )
    )
    rows.append(("  same payload again", _s(figure(r"same payload again\s+([\d.]+) s", out)), "-"))

    buildings = 200 if args.quick else 2000
    out, _peak = run("duty_board", ["--buildings", str(buildings), "--weeks", "12"], env)
    rows.append(
        (
            f"caretakers' week board, {buildings:,} buildings (median)",
            _ms(figure(r"week board .*?median (\d+) ms", out)),
            "-",
        )
    )

    # Each size at a set pace of about 158 pages a second (the targets), then the small one again
    # with the users reading 0.7 s on average, as fast as the server lets them (its capacity), on
    # the database its paced run kept. The large one is kept for explain_pages below.
    loads = {}
    sizes = (300 if args.quick else 2000, n)
    runs = [
        (sizes[0], "paced", ["--keep"]),
        (sizes[0], "capacity", ["--reuse"]),
        (sizes[1], "paced", ["--keep"]),
    ]
    for households, mode, extra in runs:
        load_json = OUT / f"load_{households}_{mode}.json"
        pacing = ["--pace", LOAD_PACE] if mode == "paced" else ["--think", LOAD_THINK]
        run(
            "load_test",
            [
                "--households",
                str(households),
                "--seconds",
                str(args.load_seconds),
                "--json",
                str(load_json),
                *pacing,
                *extra,
            ],
            env,
            log_name=f"load_test_{households}_{mode}",
        )
        result = read_json(load_json)
        total = result.get("total") or {}
        if mode == "capacity":
            rows.append(
                (
                    f"load test, {households:,} households, reading {LOAD_THINK} s: requests/s",
                    _n(total.get("rps")),
                    "-",
                )
            )
            rows.append(("  worst page p95", _ms(result.get("worst_p95")), "-"))
            continue
        loads[households] = result
        rows.append(
            (
                f"load test, {households:,} households, pace {LOAD_PACE} s: worst page p95",
                _ms(result.get("worst_p95")),
                "< 150 ms",
            )
        )
        rows.append(("  failures", _n(total.get("failures")), "0"))
        rows.append(("  requests/s", _n(total.get("rps")), ">= 150"))
        cpu = result.get("cpu_ms_per_request") or {}
        if cpu:
            parts = ", ".join(f"{part} {value:.1f}" for part, value in cpu.items())
            rows.append(("  CPU ms per request", f"{sum(cpu.values()):.1f} ({parts})", "-"))
    small, large = (loads[k].get("worst_p95") for k in sizes)
    if small and large:
        rows.append(("  p95 large / small database", f"{large / small:.2f}", "<= 1.5"))

    # The pages' queries on the large database the load test kept, then it goes.
    explain_json = OUT / "explain_pages.json"
    run("explain_pages", ["--json", str(explain_json)], env)
    drop_database(env["DATABASE_URL"], suffix="_load")
    pages = read_json(explain_json)
    if pages:
        label, worst = max(pages.items(), key=lambda item: item[1]["slowest_ms"])
        rows.append(
            (
                f"slowest query of any page, {n:,} households ({label})",
                _ms(worst["slowest_ms"]),
                "-",
            )
        )

    width = max(len(row[0]) for row in rows)
    where = machine() + f", load average {os.getloadavg()[0]:.1f}"
    print(f"\n{'figure':<{width}}  {'value':>10}  {'target':>9}  machine")
    for label, value, target in rows:
        print(f"{label:<{width}}  {value:>10}  {target:>9}  {where}")


def _s(value) -> str:
    return "?" if value is None else f"{value:.2f} s"


def _ms(value) -> str:
    return "?" if value is None else f"{value:.0f} ms"


def _n(value) -> str:
    return "?" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    main()
