"""Locust users of bench/load_test.py: callers working the call queue, tenants browsing and booking.

Run through bench/load_test.py, which prepares the database, starts gunicorn and passes, in the
environment, the accounts (LOAD_STAFF, LOAD_TENANTS: comma-separated e-mails), the campaign
(LOAD_CAMPAIGN), the week to book in (LOAD_WEEK) and the password (LOAD_PASSWORD).
"""

import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.cpu import snapshot  # noqa: E402

PASSWORD = os.environ.get("LOAD_PASSWORD", "villeneuves2026")
CAMPAIGN = os.environ.get("LOAD_CAMPAIGN", "0")
WEEK = os.environ.get("LOAD_WEEK", "")
SLOT = re.compile(r'name="creneau"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="creneau"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _accounts(name: str) -> list[str]:
    return [e for e in os.environ.get(name, "").split(",") if e]


STAFF = _accounts("LOAD_STAFF")
TENANTS = _accounts("LOAD_TENANTS")
STEADY_SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
SERVER_PID = int(os.environ.get("LOAD_SERVER_PID", "0"))
# Where the steady state's figures go: its length, the requests answered, the CPU of each part.
WINDOW_FILE = os.environ.get("LOAD_WINDOW_FILE", "")
# A person reads a page before the next one: each user waits this long after every page (seconds).
THINK = between(
    float(os.environ.get("LOAD_THINK_MIN", "0.2")), float(os.environ.get("LOAD_THINK_MAX", "1.2"))
)
# Or a set pace (load_test.py --pace): each user starts a page this long after the start of the
# previous one, whatever the answer took (the next at once if it took longer): the users then ask
# for a set number of pages a second, which the server serves or not.
PACE = (
    between(float(os.environ["LOAD_PACE_MIN"]), float(os.environ["LOAD_PACE_MAX"]))
    if os.environ.get("LOAD_PACE_MIN")
    else None
)
USERS = int(os.environ.get("LOAD_STAFF_USERS", "50")) + int(
    os.environ.get("LOAD_TENANT_USERS", "100")
)
# Seconds between the last login and the start of the measured window: the pages asked for while
# the last users were logging in wait behind their PBKDF2 (seconds of CPU in all) and would
# otherwise be counted, a few seconds long, in the steady state's figures.
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE_SECONDS", "10"))
_logged_in = 0


def _logged(environment) -> None:
    """Once every user has logged in (PBKDF2, slow on purpose: not what is measured) and the
    pages queued behind the logins are served, start the steady state."""
    global _logged_in
    _logged_in += 1
    if _logged_in == USERS:
        gevent.spawn_later(SETTLE_SECONDS, _steady, environment)


def _steady(environment) -> None:
    """Reset the statistics and stop the run STEADY_SECONDS later: the figures are the steady
    state's."""
    environment.runner.stats.reset_all()
    started = snapshot(SERVER_PID) if SERVER_PID else {}
    gevent.spawn_later(STEADY_SECONDS, _stop, environment, started, time.monotonic())


def _stop(environment, started: dict, since: float) -> None:
    """End of the steady state: write the requests answered and the CPU each part used during
    it, then stop the run (the users finish their journey first: those pages, after the steady
    state, count in the percentiles but neither in the requests per second nor in the CPU)."""
    if WINDOW_FILE:
        ended = snapshot(SERVER_PID) if started else {}
        total = environment.runner.stats.total
        window = {
            "seconds": time.monotonic() - since,
            "requests": total.num_requests,
            "failures": total.num_failures,
            "cpu": {part: ended[part] - started[part] for part in started},
        }
        Path(WINDOW_FILE).write_text(json.dumps(window))
    environment.runner.quit()


class PortalUser(FastHttpUser):
    abstract = True
    accounts: list[str] = []

    def on_start(self):
        email = self.accounts.pop() if self.accounts else None
        if email is None:
            _logged(self.environment)  # counted, so that the steady state still starts
            raise RuntimeError("more users than accounts: see bench/load_test.py --tenants")
        self.client.get("/comptes/login/", name="login (page)")
        with self.client.post(
            "/comptes/login/",
            data=urlencode(
                {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()}
            ),
            headers=FORM,
            name="login (post)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused for {email}")
        _logged(self.environment)

    def csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def read(self, started: float) -> None:
        """The time it takes to read the page asked for at ``started`` (time.monotonic())."""
        if PACE is None:
            gevent.sleep(THINK(self))
        else:
            gevent.sleep(max(0.0, PACE(self) - (time.monotonic() - started)))

    def page(self, url: str, *, name: str):
        """A page, then the time it takes to read it."""
        started = time.monotonic()
        response = self.client.get(url, name=name)
        self.read(started)
        return response

    def post(self, url: str, data: dict, *, name: str, expect=(302,)):
        data = urlencode({**data, "csrfmiddlewaretoken": self.csrf()})
        started = time.monotonic()
        with self.client.post(
            url, data=data, headers=FORM, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code} instead of {expect}")
        self.read(started)
        return response


class Caller(PortalUser):
    """A caller: next call, read the household card, log the call (no answer or reached)."""

    fixed_count = int(os.environ.get("LOAD_STAFF_USERS", "50"))
    accounts = STAFF
    wait_time = constant(0)  # the reading time is after each page (PortalUser.page, .post)

    @task
    def work_the_queue(self):
        self.page("/personnel/appels/", name="caller home")
        response = self.post(f"/personnel/appels/{CAMPAIGN}/suivant/", {}, name="next call (post)")
        target = response.headers.get("Location", "")
        match = re.search(r"/appels/appel/(\d+)/", target)
        if not match:
            return  # the queue is empty or the campaign is outside its hours: the home says so
        call = f"/personnel/appels/appel/{match.group(1)}/"
        self.page(call, name="call page")
        outcome = random.choice(["no_answer", "voicemail", "reached_well"])
        self.post(
            call + "compte-rendu/",
            {"outcome": outcome, "notes": "Banc de charge"},
            name="log call (post)",
        )


class Tenant(PortalUser):
    """A tenant: home, requests, appointments; books a slot of next week, then cancels it."""

    fixed_count = int(os.environ.get("LOAD_TENANT_USERS", "100"))
    accounts = TENANTS
    wait_time = constant(0)  # the reading time is after each page (PortalUser.page, .post)

    @task(3)
    def browse(self):
        self.page("/espace/", name="tenant home")
        self.page("/espace/demandes/", name="tenant requests")
        self.page("/espace/rendez-vous/", name="my appointments")

    @task(1)
    def book(self):
        self.post(
            "/espace/rendez-vous/prendre/",
            {"reason": "budget_advice", "mode": "phone", "phone": "0612345678"},
            name="book: reason (post)",
        )
        week = self.page(
            f"/espace/rendez-vous/prendre/creneaux/?semaine={WEEK}", name="book: week of slots"
        )
        slots = [a or b for a, b in SLOT.findall(week.text)]
        if not slots:
            return
        slot = random.choice(slots)
        self.page(
            f"/espace/rendez-vous/prendre/confirmer/?creneau={slot}", name="book: confirm page"
        )
        response = self.post(
            f"/espace/rendez-vous/prendre/confirmer/?creneau={slot}",
            {},
            name="book: confirm (post)",
            expect=(200, 302),  # 200: taken meanwhile, the week comes back with alternatives
        )
        location = response.headers.get("Location", "")
        match = re.search(r"/rendez-vous/(\d+)/confirmation/", location)
        if match:
            self.page(location, name="book: confirmation")
            self.post(f"/espace/rendez-vous/{match.group(1)}/annuler/", {}, name="cancel (post)")
