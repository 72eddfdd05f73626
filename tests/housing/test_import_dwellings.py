"""manage.py import_dwellings: upsert by reference, every row checked first, French reports."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from housing.models import Building, Dwelling
from tests.factories import BuildingFactory, DwellingFactory, EstateFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "reference",
    "building_reference",
    "building_name",
    "estate",
    "address",
    "postal_code",
    "city",
    "typology",
    "floor",
    "door",
    "surface",
    "rent",
    "charges",
    "status",
    "adapted_reduced_mobility",
]


def write_csv(tmp_path, rows, *, header=HEADER, sep=";", encoding="utf-8", name="logements.csv"):
    path = tmp_path / name
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def dwelling_row(reference, building="BAT-1", **overrides):
    values = {
        "reference": reference,
        "building_reference": building,
        "building_name": "7-9 Limousin",
        "estate": "villeneuve-grenoble",
        "address": "7-9 rue du Limousin",
        "postal_code": "38100",
        "city": "Grenoble",
        "typology": "T3",
        "floor": "2",
        "door": "B",
        "surface": "65,50",
        "rent": "412,30",
        "charges": "98",
        "status": "occupé",
        "adapted_reduced_mobility": "non",
    }
    values.update(overrides)
    return [values[column] for column in HEADER]


def summary(out):
    """(created, updated, unchanged, refused) from the summary line, whatever the plural rule."""
    match = re.search(
        r"Logements : (\d+) créés?, (\d+) mis à jour, (\d+) inchangés?, (\d+) lignes? refusées?\.",
        out,
    )
    assert match, out
    return tuple(int(number) for number in match.groups())


def run_import(path, landlord="actis", *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_dwellings", str(path), "--landlord", landlord, *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


@pytest.fixture
def estate(db):
    return EstateFactory(slug="villeneuve-grenoble")


def test_import_creates_dwellings_and_their_building_from_a_french_excel_file(
    tmp_path, actis, estate
):
    path = write_csv(
        tmp_path,
        [
            dwelling_row("L-101", floor="RDC", surface="1 065,5", adapted_reduced_mobility="oui"),
            dwelling_row("L-102", typology="F4", status="Vacant", charges=""),
        ],
        encoding="cp1252",
    )

    out, _ = run_import(path)

    assert summary(out) == (2, 0, 0, 0)
    building = Building.objects.get(landlord=actis, reference="BAT-1")
    assert (building.name, building.estate, building.address, building.postal_code) == (
        "7-9 Limousin",
        estate,
        "7-9 rue du Limousin",
        "38100",
    )
    first = Dwelling.objects.get(landlord=actis, reference="L-101")
    assert (first.building, first.floor, first.surface, first.rent, first.charges) == (
        building,
        0,
        Decimal("1065.50"),
        Decimal("412.30"),
        Decimal("98.00"),
    )
    assert (first.status, first.adapted_reduced_mobility) == ("occupied", True)
    second = Dwelling.objects.get(landlord=actis, reference="L-102")
    assert (second.typology, second.status, second.charges) == ("T4", "vacant", Decimal("0"))


def test_a_known_building_needs_only_its_reference(tmp_path, actis, estate):
    building = BuildingFactory(landlord=actis, reference="BAT-7", name="Arlequin 40")
    header = ["reference", "building_reference", "typology", "surface", "rent"]

    run_import(write_csv(tmp_path, [["L-1", "BAT-7", "T2", "45.2", "300.00"]], header=header))

    dwelling = Dwelling.objects.get(reference="L-1")
    assert dwelling.building == building
    building.refresh_from_db()
    assert building.name == "Arlequin 40"


def test_bad_rows_import_nothing_and_each_line_is_named(tmp_path, actis, estate):
    path = write_csv(
        tmp_path,
        [
            dwelling_row("L-101"),
            dwelling_row("L-102", typology="T9"),
            dwelling_row("L-103", surface="soixante"),
            dwelling_row("L-104", rent="-5"),
            dwelling_row("L-101"),
            dwelling_row(
                "L-105",
                building="BAT-404",
                building_name="",
                estate="",
                address="",
                postal_code="",
                city="",
            ),
            dwelling_row("L-106", building="BAT-2", estate="la-lune"),
            dwelling_row("L-107", floor="deux", status="hanté"),
            dwelling_row("L-108", rent=""),
        ],
    )

    with pytest.raises(CommandError) as error:
        run_import(path)

    message = str(error.value)
    assert "ligne 2 :" not in message
    assert "ligne 3 : typologie « T9 » invalide (valeurs possibles : T1, T2, T3" in message
    assert "ligne 4 : surface « soixante » invalide (nombre attendu" in message
    assert "ligne 5 : loyer « -5 » invalide (0 au minimum)" in message
    assert "ligne 6 : référence du logement « L-101 » en double (déjà à la ligne 2)" in message
    assert "ligne 7 : immeuble « BAT-404 » inconnu chez Actis" in message
    assert "ligne 8 : quartier « la-lune » inconnu" in message
    assert "ligne 9 : étage « deux » invalide (nombre entier attendu) ; état du logement" in message
    assert "ligne 10 : valeur manquante : loyer" in message
    assert "8 lignes refusées, rien n'a été enregistré" in message
    assert not Dwelling.objects.exists()
    assert not Building.objects.exists()


def test_skip_invalid_imports_only_the_good_rows(tmp_path, actis, estate):
    path = write_csv(
        tmp_path,
        [dwelling_row("L-101"), dwelling_row("L-102", surface="0"), dwelling_row("L-103")],
    )

    out, err = run_import(path, "actis", "--skip-invalid")

    assert sorted(Dwelling.objects.values_list("reference", flat=True)) == ["L-101", "L-103"]
    assert "ligne 3 : surface « 0 » invalide (valeur strictement positive attendue)" in err
    assert summary(out) == (2, 0, 0, 1)


def test_reimporting_the_same_file_changes_nothing(tmp_path, actis, estate):
    path = write_csv(tmp_path, [dwelling_row("L-101"), dwelling_row("L-102")])
    run_import(path)
    before = list(Dwelling.objects.order_by("pk").values("pk", "updated_at"))

    out, _ = run_import(path)

    assert summary(out) == (0, 0, 2, 0)
    assert list(Dwelling.objects.order_by("pk").values("pk", "updated_at")) == before
    assert Building.objects.count() == 1


def test_import_updates_an_existing_dwelling_and_its_building(tmp_path, actis, estate):
    building = BuildingFactory(landlord=actis, reference="BAT-1", name="Ancien nom", estate=estate)
    dwelling = DwellingFactory(
        building=building, reference="L-101", rent=Decimal("350"), status="occupied"
    )
    header = [column for column in HEADER if column != "status"]
    values = dict(zip(HEADER, dwelling_row("L-101", rent="420,00"), strict=True))

    out, _ = run_import(write_csv(tmp_path, [[values[column] for column in header]], header=header))

    assert summary(out) == (0, 1, 0, 0)
    dwelling.refresh_from_db()
    building.refresh_from_db()
    assert dwelling.rent == Decimal("420.00")
    assert dwelling.status == "occupied"  # no status column: left alone
    assert building.name == "7-9 Limousin"


def test_rows_that_disagree_about_their_building_are_refused(tmp_path, actis, estate):
    path = write_csv(
        tmp_path,
        [dwelling_row("L-101"), dwelling_row("L-102", building_name="Autre nom")],
    )

    with pytest.raises(CommandError) as error:
        run_import(path)

    assert (
        "ligne 3 : immeuble « BAT-1 » : nom de l'immeuble « Autre nom » différent de la "
        "ligne 2 (« 7-9 Limousin »)"
    ) in str(error.value)


def test_import_touches_only_the_given_landlord(tmp_path, actis, sdh, estate):
    sdh_building = BuildingFactory(landlord=sdh, reference="BAT-1", name="Immeuble SDH")
    sdh_dwelling = DwellingFactory(building=sdh_building, reference="L-101", rent=Decimal("300"))
    path = write_csv(tmp_path, [dwelling_row("L-101", rent="999")])

    out, _ = run_import(path)

    assert summary(out) == (1, 0, 0, 0)
    sdh_dwelling.refresh_from_db()
    sdh_building.refresh_from_db()
    assert (sdh_dwelling.rent, sdh_dwelling.building, sdh_building.name) == (
        Decimal("300.00"),
        sdh_building,
        "Immeuble SDH",
    )
    actis_dwelling = Dwelling.objects.get(landlord=actis, reference="L-101")
    assert actis_dwelling.rent == Decimal("999.00")
    assert actis_dwelling.building.landlord == actis


def test_dry_run_counts_but_saves_nothing(tmp_path, actis, estate):
    out, _ = run_import(write_csv(tmp_path, [dwelling_row("L-101")]), "actis", "--dry-run")

    assert "Simulation : rien n'a été enregistré." in out
    assert summary(out) == (1, 0, 0, 0)
    assert not Dwelling.objects.exists()


def test_an_unknown_landlord_is_refused(tmp_path, actis, estate):
    with pytest.raises(CommandError, match="Bailleur « actys » inconnu"):
        run_import(write_csv(tmp_path, [dwelling_row("L-101")]), "actys")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"reference;building_reference;typology;surface\nL-1;B;T2;40\n", "absente : rent"),
        (b"", "Le fichier est vide"),
        (b"reference;reference;building_reference;typology;surface;rent\n", "en double"),
        (b"\x81\x8d\xff\xfe\x00", "ni en UTF-8 ni en Windows-1252"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(tmp_path, actis, content, expected):
    path = tmp_path / "logements.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=expected):
        run_import(path)


@pytest.mark.parametrize("rows", [10, 300])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    tmp_path, actis, estate, django_assert_max_num_queries, rows
):
    path = write_csv(
        tmp_path,
        [dwelling_row(f"L-{n}", building=f"BAT-{n % 7}") for n in range(rows)],
    )

    # SQLite caps statement parameters, so its batches are smaller: the bound leaves room for
    # that, and is far below one query per row.
    with django_assert_max_num_queries(20):
        run_import(path)

    assert Dwelling.objects.count() == rows
