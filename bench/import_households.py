"""Time the CSV imports: N dwellings, then N households, then the same households again.

Generates the files into a temporary folder as a French spreadsheet exports them (semicolons,
dwellings in UTF-8 with a byte-order mark, households in Windows-1252, decimal commas, DD/MM/YYYY
dates), then runs ``manage.py import_dwellings`` and ``manage.py import_households`` against the
configured database (``DATABASE_URL``, SQLite under var/ by default), migrated first. Everything
is written for a landlord of its own (slug ``bench``, estate ``bench``), deleted before the run and
again after it unless ``--keep``: demo data is never touched.

    .venv/bin/python bench/import_households.py [--rows 50000] [--keep]
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

SLUG = "bench"
DWELLINGS_PER_BUILDING = 100
FIRST_NAMES = ["Jeanne", "Hélène", "Fatima", "Joël", "Noémie", "Raphaël", "Zoé", "Loïc", "Inès"]
LAST_NAMES = ["Martin", "Lefèvre", "Benali", "Nguyen", "Garçon", "Diallo", "Müller", "Roussel"]


def dwellings_csv(rows: int) -> bytes:
    lines = [
        "reference;building_reference;building_name;estate;address;postal_code;city;typology;"
        "floor;door;surface;rent;charges;status;adapted_reduced_mobility"
    ]
    for n in range(rows):
        building = n // DWELLINGS_PER_BUILDING
        lines.append(
            f"LOG-{n:06d};BAT-{building:04d};{building} galerie de l'Arlequin;{SLUG};"
            f"{building} galerie de l'Arlequin;38100;Grenoble;T{n % 6 + 1};{n % 15};{n % 8};"
            f"{45 + n % 60},{n % 100:02d};{300 + n % 400},50;{80 + n % 50},00;occupé;"
            f"{'oui' if n % 11 == 0 else 'non'}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def households_csv(rows: int, *, edition: int = 0) -> bytes:
    lines = [
        "reference;name;email;phone;mobile_phone;preferred_language;contact_preference;"
        "dwelling_reference;lease_start;holder_first_name;holder_last_name;holder_birth_date"
    ]
    for n in range(rows):
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        lines.append(
            f"MEN-{n:06d};Famille {last} {n + edition};menage{n}@exemple.fr;"
            f"04 76 {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d};"
            f"06 {10 + edition + n // 1000000 % 80:02d} {n // 10000 % 100:02d} "
            f"{n // 100 % 100:02d} {n % 100:02d};"
            f"{'en' if n % 20 == 0 else 'fr'};{'SMS' if n % 3 == 0 else 'téléphone'};"
            f"LOG-{n:06d};{1 + n % 28:02d}/{1 + n % 12:02d}/{1990 + n % 34};{first};{last};"
            f"{1 + n % 28:02d}/{1 + n % 12:02d}/{1930 + n % 70}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def clean(*, drop_landlord: bool) -> None:
    from housing.models import Building, Dwelling, Estate, Landlord
    from tenants.models import Household, Lease, Person

    Lease.objects.filter(household__landlord__slug=SLUG).delete()
    Person.objects.filter(household__landlord__slug=SLUG).delete()
    Household.objects.filter(landlord__slug=SLUG).delete()
    Dwelling.objects.filter(landlord__slug=SLUG).delete()
    Building.objects.filter(landlord__slug=SLUG).delete()
    if drop_landlord:
        Landlord.objects.filter(slug=SLUG).delete()
        Estate.objects.filter(slug=SLUG).delete()


def timed_import(command: str, path: Path, rows: int, label: str) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command(command, str(path), "--landlord", SLUG, stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    summary = out.getvalue().splitlines()[0]
    print(f"  {label:<34} {seconds:7.2f} s  {rows / seconds:9.0f} rows/s   {summary}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="households (and dwellings)")
    parser.add_argument("--keep", action="store_true", help="keep the bench landlord's data")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from housing.models import Estate, Landlord
    from tenants.models import Household, Lease, Person

    call_command("migrate", verbosity=0)
    clean(drop_landlord=False)
    Landlord.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bailleur de test (bench)", "kind": Landlord.Kind.OPH}
    )
    Estate.objects.get_or_create(
        slug=SLUG, defaults={"name": "Quartier de test (bench)", "city": "Grenoble"}
    )

    rows = args.rows
    print(f"CSV import of {rows} dwellings and {rows} households on {connection.vendor}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            dwellings, households, edited = (
                Path(folder) / name for name in ("logements.csv", "menages.csv", "menages-2.csv")
            )
            started = time.perf_counter()
            dwellings.write_bytes(dwellings_csv(rows))
            households.write_bytes(households_csv(rows))
            edited.write_bytes(households_csv(rows, edition=1))
            print(f"  {'generate the three files':<34} {time.perf_counter() - started:7.2f} s")

            timed_import("import_dwellings", dwellings, rows, "dwellings, first import")
            timed_import("import_dwellings", dwellings, rows, "dwellings, same file again")
            timed_import("import_households", households, rows, "households, first import")
            timed_import("import_households", households, rows, "households, same file again")
            timed_import("import_households", edited, rows, "households, every row changed")

        counts = (
            Household.objects.filter(landlord__slug=SLUG).count(),
            Lease.objects.filter(household__landlord__slug=SLUG, end_date=None).count(),
            Person.objects.filter(household__landlord__slug=SLUG).count(),
        )
        print(f"  in the database: {counts[0]} households, {counts[1]} leases, {counts[2]} people")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of this process: {peak:.0f} MB")
        if counts != (rows, rows, rows):
            sys.exit("unexpected row counts")
    finally:
        if not args.keep:
            clean(drop_landlord=True)


if __name__ == "__main__":
    main()
