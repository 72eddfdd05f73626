"""Time a bulk upsert of N households through the API (POST /api/v1/households/bulk/).

Dwellings are imported first (the CSV import of bench/import_households.py), then the same N
households are sent as JSON with a write token, three times: created, the same payload again
(nothing changes), every item changed. Runs against the configured database (``DATABASE_URL``,
SQLite under var/ by default), for a landlord of its own (slug ``bench``), deleted before and after.

    .venv/bin/python bench/api_upsert.py [--rows 10000]
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from bench.import_households import FIRST_NAMES, LAST_NAMES, SLUG, clean, dwellings_csv  # noqa: E402


def households(rows: int, *, edition: int = 0) -> list[dict]:
    return [
        {
            "reference": f"MEN-{n:06d}",
            "name": f"Famille {LAST_NAMES[n % len(LAST_NAMES)]} {n + edition}",
            "email": f"menage{n}@exemple.fr",
            "mobile_phone": f"06 {10 + edition:02d} {n // 10000 % 100:02d} "
            f"{n // 100 % 100:02d} {n % 100:02d}",
            "preferred_language": "en" if n % 20 == 0 else "fr",
            "dwelling_reference": f"LOG-{n:06d}",
            "lease_start": f"{1990 + n % 34}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "holder_first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
            "holder_last_name": LAST_NAMES[n % len(LAST_NAMES)],
            "holder_birth_date": f"{1930 + n % 70}-{1 + n % 12:02d}-{1 + n % 28:02d}",
        }
        for n in range(rows)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="households (and dwellings)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone
    from rest_framework.test import APIClient

    from housing.models import Estate, IntegrationToken, Landlord, TokenScope
    from housing.services import dwellings_import, integration_token_create

    call_command("migrate", verbosity=0)
    clean(drop_landlord=False)
    landlord, _ = Landlord.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bailleur de test (bench)", "kind": Landlord.Kind.OPH}
    )
    Estate.objects.get_or_create(
        slug=SLUG, defaults={"name": "Quartier de test (bench)", "city": "Grenoble"}
    )
    rows = args.rows
    print(f"API bulk upsert of {rows} households on {connection.vendor}")
    try:
        dwellings_import(landlord=landlord, source=dwellings_csv(rows))
        _token, key = integration_token_create(
            landlord=landlord,
            name="bench",
            scope=TokenScope.WRITE,
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        payloads = [
            ("households, created", households(rows)),
            ("same payload again", households(rows)),
            ("every item changed", households(rows, edition=1)),
        ]
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            for label, items in payloads:
                body = json.dumps({"items": items})
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/households/bulk/", body, content_type="application/json"
                )
                seconds = time.perf_counter() - started
                print(
                    f"  {label:<24} {seconds:7.2f} s  {rows / seconds:8.0f} items/s  "
                    f"{len(body) / 1e6:.1f} MB  {response.status_code} {response.json()}"
                )
                if response.status_code != 200:
                    sys.exit("the upsert was refused")
    finally:
        IntegrationToken.objects.filter(landlord__slug=SLUG).delete()
        clean(drop_landlord=True)


if __name__ == "__main__":
    main()
