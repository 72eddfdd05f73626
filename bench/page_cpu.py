"""CPU per page of the load test's journeys, served in one process (Django's test client, no HTTP).

On a machine whose speed changes from one hour to the next (a shared virtual machine), requests per
second do not compare two versions of the code; the CPU time one process spends per page does,
within a few per cent, when the runs alternate. This script plays the load test's two journeys —
a caller (home, « Appel suivant », the call page, the report) and a tenant (home, requests,
appointments, then a booking of next week, its confirmation and its cancellation) — ``--rounds``
times, once per caller round and twice per tenant round, and prints the median wall time per page
and the process CPU per request.

It reads the database ``bench/load_test.py --keep`` leaves (the configured name plus ``_load``: its
accounts and campaign) and leaves it as it found it (the booking is cancelled, the caller's calls
are logged like the load test's). To compare two versions, run each checkout's copy in turn:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf .venv/bin/python bench/page_cpu.py [--rounds 30]
"""

import argparse
import datetime
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import interpreter, require_postgres, setup_django  # noqa: E402

PASSWORD = "villeneuves2026"  # the demo password (README)
SLOT = re.compile(r'name="creneau"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="creneau"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--caller", default="appelant-00@actis.demo")
    parser.add_argument("--tenant", default="charge-locataire-000@actis.demo")
    parser.add_argument(
        "--profile", metavar="FILE", help="also write cProfile statistics of the rounds to FILE"
    )
    return parser.parse_args()


class Journeys:
    def __init__(self, caller, tenant, campaign_id: int):
        self.caller, self.tenant, self.campaign_id = caller, tenant, campaign_id
        today = datetime.date.today()
        self.week = (today + datetime.timedelta(days=7 - today.weekday())).isoformat()
        self.times: dict[str, list[float]] = {}

    def timed(self, page: str, request):
        started = time.perf_counter()
        response = request()
        self.times.setdefault(page, []).append(time.perf_counter() - started)
        return response

    def call(self):
        c = self.caller
        self.timed("caller home", lambda: c.get("/personnel/appels/"))
        taken = self.timed(
            "next call (post)", lambda: c.post(f"/personnel/appels/{self.campaign_id}/suivant/")
        )
        match = re.search(r"/appels/appel/(\d+)/", taken.headers.get("Location", ""))
        if not match:
            raise SystemExit("the load campaign's queue is empty: run bench/load_test.py --keep")
        url = f"/personnel/appels/appel/{match.group(1)}/"
        self.timed("call page", lambda: c.get(url))
        outcome = random.choice(["no_answer", "voicemail", "reached_well"])
        self.timed(
            "log call (post)",
            lambda: c.post(url + "compte-rendu/", {"outcome": outcome, "notes": "Banc"}),
        )

    def browse_and_book(self):
        t = self.tenant
        self.timed("tenant home", lambda: t.get("/espace/"))
        self.timed("tenant requests", lambda: t.get("/espace/demandes/"))
        self.timed("my appointments", lambda: t.get("/espace/rendez-vous/"))
        reason = {"reason": "budget_advice", "mode": "phone", "phone": "0612345678"}
        self.timed("book: reason (post)", lambda: t.post("/espace/rendez-vous/prendre/", reason))
        week = self.timed(
            "book: week of slots",
            lambda: t.get(f"/espace/rendez-vous/prendre/creneaux/?semaine={self.week}"),
        )
        slots = [a or b for a, b in SLOT.findall(week.content.decode())]
        if not slots:
            return
        confirm = f"/espace/rendez-vous/prendre/confirmer/?creneau={random.choice(slots)}"
        self.timed("book: confirm page", lambda: t.get(confirm))
        booked = self.timed("book: confirm (post)", lambda: t.post(confirm))
        match = re.search(r"/rendez-vous/(\d+)/confirmation/", booked.headers.get("Location", ""))
        if match:
            self.timed("book: confirmation", lambda: t.get(booked.headers["Location"]))
            self.timed(
                "cancel (post)", lambda: t.post(f"/espace/rendez-vous/{match.group(1)}/annuler/")
            )


def main():
    args = parse_args()
    setup_django()
    from django.db import connection

    require_postgres("page_cpu", "reads the load test's database")
    connection.settings_dict["NAME"] += "_load"
    from django.test import Client

    from outreach.models import Appointment, Campaign

    def logged_in(email):
        client = Client()
        response = client.post("/comptes/login/", {"username": email, "password": PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"{email} cannot log in: run bench/load_test.py --keep first")
        return client

    campaign = Campaign.objects.get(name="Banc de charge")
    Appointment.objects.filter(booked_by__email=args.tenant).delete()
    journeys = Journeys(logged_in(args.caller), logged_in(args.tenant), campaign.pk)
    journeys.call()  # warm-up: templates, translations, connections
    journeys.browse_and_book()
    journeys.times.clear()

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu = time.process_time()
    for _ in range(args.rounds):
        journeys.call()
        journeys.browse_and_book()
        journeys.browse_and_book()
    cpu = time.process_time() - cpu
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    Appointment.objects.filter(booked_by__email=args.tenant).delete()

    requests = sum(len(times) for times in journeys.times.values())
    print(
        f"page_cpu: {args.rounds} rounds, {ROOT.name}, {interpreter()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"  {'page':24} {'requests':>8} {'median ms':>10}")
    for page, times in sorted(journeys.times.items()):
        times.sort()
        print(f"  {page:24} {len(times):8} {1000 * times[len(times) // 2]:10.1f}")
    print(f"  process CPU per request: {1000 * cpu / requests:.2f} ms over {requests} requests")


if __name__ == "__main__":
    main()
