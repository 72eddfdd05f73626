"""Time slot generation for 50 advisers over 8 weeks (``slots_generate``), then an idempotent rerun.

Works in a database of its own beside the configured one (the configured name plus ``_slots`` on
PostgreSQL, ``var/bench_slots.sqlite3`` on SQLite): one landlord, one agency, N advisers (half
recovery officers, half social advisers), each with weekly hours Monday to Friday, 9:00–12:00 and
14:00–17:00 in 30-minute slots, booking settings 8 weeks ahead. It prints the time of the first
generation (every slot created), of a second one (nothing to do) and of a third after one adviser's
Wednesday afternoon was removed (a small change), and the number of slots.

    .venv/bin/python bench/slots.py [--advisers 50] [--weeks 8] [--keep]
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import load_average, own_database, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisers", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--json", help="write the summary to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    setup_django()
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from housing.models import Agency, Landlord, Role, StaffMembership
    from outreach.models import AvailabilityRule, BookingSettings, Slot
    from outreach.services.appointments import slots_generate
    from portal.models import User

    with own_database("_slots", keep=args.keep):
        landlord = Landlord.objects.create(slug="banc-creneaux", name="Bailleur d'essai")
        agency = Agency.objects.create(landlord=landlord, name="Agence d'essai", city="Grenoble")
        BookingSettings.objects.update_or_create(
            landlord=landlord, defaults={"weeks_ahead": args.weeks}
        )
        password = make_password(None)
        advisers = User.objects.bulk_create(
            User(email=f"conseiller{n}@banc-essai.example", password=password)
            for n in range(args.advisers)
        )
        kinds = [Role.RECOVERY_OFFICER, Role.SOCIAL_ADVISER]
        StaffMembership.objects.bulk_create(
            StaffMembership(user=user, landlord=landlord, role=kinds[n % 2])
            for n, user in enumerate(advisers)
        )
        AvailabilityRule.objects.bulk_create(
            AvailabilityRule(
                landlord=landlord,
                agency=agency,
                adviser=user,
                kind=kinds[n % 2],
                weekday=weekday,
                start_time=datetime.time(start),
                end_time=datetime.time(start + 3),
                slot_minutes=30,
            )
            for n, user in enumerate(advisers)
            for weekday in range(5)
            for start in (9, 14)
        )
        print(
            f"slots_generate: {args.advisers} advisers, {args.weeks} weeks, on {connection.vendor} "
            f"({os.cpu_count()} CPUs, load average {load_average()})"
        )
        figures = {}
        for label, change in (
            ("first", None),
            ("again", None),
            (
                "one rule removed",
                lambda: AvailabilityRule.objects.filter(
                    adviser=advisers[0], weekday=2, start_time=datetime.time(14)
                ).delete(),
            ),
        ):
            if change:
                change()
            started = time.perf_counter()
            result = slots_generate(landlord_id=landlord.pk)
            seconds = time.perf_counter() - started
            figures[label] = seconds
            print(f"  {label:18} {seconds:6.2f} s  {result}")
        figures["slots"] = Slot.objects.filter(landlord=landlord).count()
        print(f"  {figures['slots']} slots")
        if args.json:
            Path(args.json).write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
