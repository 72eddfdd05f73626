"""manage.py import_households: upsert by reference, every row checked first, French reports."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command

from housing.models import Dwelling
from tenants.models import Household, Lease, Person
from tests.factories import (
    BuildingFactory,
    DwellingFactory,
    HouseholdFactory,
    LeaseFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "reference",
    "name",
    "email",
    "phone",
    "mobile_phone",
    "preferred_language",
    "contact_preference",
    "dwelling_reference",
    "lease_start",
    "holder_first_name",
    "holder_last_name",
    "holder_birth_date",
]


def write_csv(tmp_path, rows, *, header=HEADER, sep=";", encoding="utf-8", name="menages.csv"):
    path = tmp_path / name
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def household_row(reference, dwelling, **overrides):
    values = {
        "reference": reference,
        "name": f"Famille {reference}",
        "email": f"{reference.lower()}@exemple.fr",
        "phone": "04 76 12 34 56",
        "mobile_phone": "06 12 34 56 78",
        "preferred_language": "fr",
        "contact_preference": "téléphone",
        "dwelling_reference": dwelling,
        "lease_start": "01/09/2015",
        "holder_first_name": "Jeanne",
        "holder_last_name": "Martin",
        "holder_birth_date": "17/05/1950",
    }
    values.update(overrides)
    return [values[column] for column in HEADER]


def summary(out):
    """(created, updated, unchanged, refused) from the summary line, whatever the plural rule."""
    match = re.search(
        r"Ménages : (\d+) créés?, (\d+) mis à jour, (\d+) inchangés?, (\d+) lignes? refusées?\.",
        out,
    )
    assert match, out
    return tuple(int(number) for number in match.groups())


def run_import(path, landlord="actis", *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_households", str(path), "--landlord", landlord, *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


@pytest.fixture
def dwellings(actis):
    building = BuildingFactory(landlord=actis, reference="BAT-1")
    return {
        reference: DwellingFactory(building=building, reference=reference)
        for reference in ("L-101", "L-102", "L-103", "L-104")
    }


def test_import_creates_households_with_their_lease_and_lease_holder(tmp_path, actis, dwellings):
    # A French Excel export: Windows-1252, semicolons, accents.
    path = write_csv(
        tmp_path,
        [
            household_row("M-1", "L-101", name="M. et Mme Lefèvre", holder_last_name="Lefèvre"),
            household_row(
                "M-2", "L-102", phone="", mobile_phone="+33 7 81 23 45 67", contact_preference="SMS"
            ),
        ],
        encoding="cp1252",
    )

    out, _ = run_import(path)

    assert summary(out) == (2, 0, 0, 0)
    first = Household.objects.get(landlord=actis, reference="M-1")
    assert first.name == "M. et Mme Lefèvre"
    assert first.phone.as_e164 == "+33476123456"
    assert first.mobile_phone.as_e164 == "+33612345678"
    lease = Lease.objects.get(household=first)
    assert (lease.dwelling.reference, lease.start_date, lease.end_date) == (
        "L-101",
        datetime.date(2015, 9, 1),
        None,
    )
    holder = Person.objects.get(household=first)
    assert (holder.first_name, holder.last_name, holder.birth_date, holder.role) == (
        "Jeanne",
        "Lefèvre",
        datetime.date(1950, 5, 17),
        Person.Role.LEASE_HOLDER,
    )
    second = Household.objects.get(landlord=actis, reference="M-2")
    assert (second.phone, second.mobile_phone.as_e164, second.contact_preference) == (
        "",
        "+33781234567",
        "sms",
    )


def test_import_reads_utf8_with_bom_commas_and_iso_dates(tmp_path, actis, dwellings):
    path = tmp_path / "menages.csv"
    path.write_bytes(
        "\ufeffreference,name,dwelling_reference,lease_start,holder_first_name,holder_last_name\n"
        '"M-1","Martin, Jeanne",L-101,2019-03-01,Jeanne,Martin\n'.encode()
    )

    run_import(path)

    household = Household.objects.get(reference="M-1")
    assert household.name == "Martin, Jeanne"
    assert household.leases.get().start_date == datetime.date(2019, 3, 1)


def test_bad_rows_import_nothing_and_each_line_is_named(tmp_path, actis, dwellings):
    path = write_csv(
        tmp_path,
        [
            household_row("M-1", "L-101"),
            household_row("M-2", "L-102"),
            household_row("M-3", "L-103", lease_start="31/02/2020"),
            household_row("M-4", "L-999"),
            household_row("M-5", "L-104", mobile_phone="06 12"),
            household_row("M-2", "L-104"),
        ],
    )

    with pytest.raises(CommandError) as error:
        run_import(path)

    message = str(error.value)
    assert "ligne 4 : date d'entrée « 31/02/2020 » invalide (format attendu JJ/MM/AAAA)" in message
    assert "ligne 5 : logement « L-999 » inconnu chez Actis" in message
    assert "ligne 6 : téléphone portable « 06 12 » invalide" in message
    assert "ligne 7 : référence du ménage « M-2 » en double (déjà à la ligne 3)" in message
    assert "ligne 2 :" not in message
    assert "4 lignes refusées, rien n'a été enregistré" in message
    assert not Household.objects.exists()
    assert not Lease.objects.exists()
    assert not Person.objects.exists()


def test_skip_invalid_imports_only_the_good_rows(tmp_path, actis, dwellings):
    path = write_csv(
        tmp_path,
        [
            household_row("M-1", "L-101"),
            household_row("M-2", "L-102", lease_start="2020/01/01"),
            household_row("M-3", "L-103", email="pas-une-adresse"),
            household_row("M-4", "L-104"),
        ],
    )

    out, err = run_import(path, "actis", "--skip-invalid")

    assert sorted(Household.objects.values_list("reference", flat=True)) == ["M-1", "M-4"]
    assert Lease.objects.count() == Person.objects.count() == 2
    assert "ligne 3 : date d'entrée « 2020/01/01 » invalide" in err
    assert "ligne 4 : e-mail « pas-une-adresse » invalide" in err
    assert summary(out) == (2, 0, 0, 2)


def test_reimporting_the_same_file_changes_nothing(tmp_path, actis, dwellings):
    path = write_csv(tmp_path, [household_row("M-1", "L-101"), household_row("M-2", "L-102")])
    run_import(path)
    before = list(Household.objects.order_by("pk").values("pk", "updated_at"))

    out, _ = run_import(path)

    assert summary(out) == (0, 0, 2, 0)
    assert list(Household.objects.order_by("pk").values("pk", "updated_at")) == before
    assert Lease.objects.count() == Person.objects.count() == 2


def test_import_updates_an_existing_household_its_holder_and_lease_date(tmp_path, actis, dwellings):
    household = HouseholdFactory(landlord=actis, reference="M-1", name="Ancien nom")
    holder = PersonFactory(household=household, first_name="Jean", last_name="Ancien")
    lease = LeaseFactory(
        household=household, dwelling=dwellings["L-101"], start_date=datetime.date(2015, 1, 1)
    )
    path = write_csv(
        tmp_path,
        [household_row("M-1", "L-101", name="Nouveau nom", mobile_phone="07 81 23 45 67")],
    )

    out, _ = run_import(path)

    assert summary(out) == (0, 1, 0, 0)
    household.refresh_from_db()
    holder.refresh_from_db()
    lease.refresh_from_db()
    assert (household.name, household.mobile_phone.as_e164) == ("Nouveau nom", "+33781234567")
    assert (holder.first_name, holder.last_name) == ("Jeanne", "Martin")
    assert (lease.start_date, lease.end_date) == (datetime.date(2015, 9, 1), None)
    assert Person.objects.filter(household=household).count() == 1
    assert Lease.objects.filter(household=household).count() == 1


def test_a_column_left_out_of_the_file_keeps_its_value(tmp_path, actis, dwellings):
    household = HouseholdFactory(landlord=actis, reference="M-1", email="garde@exemple.fr")
    header = [column for column in HEADER if column != "email"]
    values = dict(zip(HEADER, household_row("M-1", "L-101"), strict=True))
    row = [values[column] for column in header]

    run_import(write_csv(tmp_path, [row], header=header))

    household.refresh_from_db()
    assert household.email == "garde@exemple.fr"


def test_import_touches_only_the_given_landlord(tmp_path, actis, sdh, dwellings):
    sdh_household = HouseholdFactory(landlord=sdh, reference="M-1", name="Famille de SDH")
    PersonFactory(household=sdh_household, first_name="Fatima", last_name="Benali")
    sdh_dwelling = DwellingFactory(building=BuildingFactory(landlord=sdh), reference="L-500")
    path = write_csv(tmp_path, [household_row("M-1", "L-101")])

    run_import(path)

    sdh_household.refresh_from_db()
    assert sdh_household.name == "Famille de SDH"
    assert sdh_household.people.get().last_name == "Benali"
    assert Household.objects.get(landlord=actis, reference="M-1").name == "Famille M-1"

    # A dwelling of another landlord is unknown here.
    with pytest.raises(CommandError, match="logement « L-500 » inconnu chez Actis"):
        run_import(write_csv(tmp_path, [household_row("M-2", sdh_dwelling.reference)]))


def test_a_dwelling_let_to_another_household_is_refused(tmp_path, actis, dwellings):
    tenant = HouseholdFactory(landlord=actis, reference="M-9")
    LeaseFactory(
        household=tenant, dwelling=dwellings["L-101"], start_date=datetime.date(2010, 1, 1)
    )
    path = write_csv(
        tmp_path,
        [
            household_row("M-1", "L-101"),
            household_row("M-2", "L-102"),
            household_row("M-3", "L-102"),
        ],
    )

    with pytest.raises(CommandError) as error:
        run_import(path)

    message = str(error.value)
    assert (
        "ligne 2 : logement « L-101 » déjà loué au ménage « M-9 » depuis le 01/01/2010" in message
    )
    assert "ligne 4 : logement « L-102 » déjà attribué par la ligne 3" in message
    assert not Household.objects.exclude(pk=tenant.pk).exists()


def test_a_household_that_moves_ends_its_old_lease_and_frees_the_dwelling(
    tmp_path, actis, dwellings
):
    mover = HouseholdFactory(landlord=actis, reference="M-1")
    old_lease = LeaseFactory(
        household=mover, dwelling=dwellings["L-101"], start_date=datetime.date(2010, 1, 1)
    )
    path = write_csv(
        tmp_path,
        [
            household_row("M-2", "L-101", lease_start="01/04/2024"),
            household_row("M-1", "L-102", lease_start="15/03/2024"),
        ],
    )

    out, _ = run_import(path)

    old_lease.refresh_from_db()
    assert old_lease.end_date == datetime.date(2024, 3, 14)
    assert mover.leases.get(end_date=None).dwelling.reference == "L-102"
    newcomer = Household.objects.get(reference="M-2")
    assert newcomer.leases.get().dwelling.reference == "L-101"
    assert "1 clos" in out


def test_a_move_into_a_dwelling_before_its_tenant_leaves_is_refused(tmp_path, actis, dwellings):
    mover = HouseholdFactory(landlord=actis, reference="M-1")
    LeaseFactory(household=mover, dwelling=dwellings["L-101"], start_date=datetime.date(2010, 1, 1))
    path = write_csv(
        tmp_path,
        [
            household_row("M-2", "L-101", lease_start="01/03/2024"),
            household_row("M-1", "L-102", lease_start="15/03/2024"),
        ],
    )

    with pytest.raises(CommandError, match="jusqu'au 14/03/2024"):
        run_import(path)

    assert Lease.objects.get().end_date is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ([c for c in HEADER if c != "lease_start"], "Colonne obligatoire absente : lease_start."),
        ([*HEADER, "loyer"], "Colonne inconnue : loyer"),
    ],
)
def test_a_file_with_wrong_columns_is_refused(tmp_path, actis, header, expected):
    path = write_csv(tmp_path, [], header=header)

    with pytest.raises(CommandError, match=expected):
        run_import(path)


def test_an_unknown_landlord_is_refused(tmp_path, actis):
    path = write_csv(tmp_path, [])

    with pytest.raises(CommandError, match="Bailleur « inconnu » inconnu"):
        run_import(path, "inconnu")


@pytest.mark.parametrize("rows", [10, 300])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    tmp_path, actis, django_assert_max_num_queries, rows
):
    building = BuildingFactory(landlord=actis)
    Dwelling.objects.bulk_create(
        Dwelling(
            landlord=actis,
            building=building,
            reference=f"L-{n}",
            typology="T3",
            surface=50,
            rent=400,
        )
        for n in range(rows)
    )
    path = write_csv(tmp_path, [household_row(f"M-{n}", f"L-{n}") for n in range(rows)])

    # SQLite caps statement parameters, so its batches are smaller: the bound leaves room for
    # that, and is far below one query per row.
    with django_assert_max_num_queries(25):
        run_import(path)
    with django_assert_max_num_queries(25):
        run_import(path)

    assert Household.objects.count() == Lease.objects.count() == Person.objects.count() == rows


def test_a_move_dated_before_the_current_lease_began_is_refused(tmp_path, actis, dwellings):
    mover = HouseholdFactory(landlord=actis, reference="M-1")
    LeaseFactory(household=mover, dwelling=dwellings["L-101"], start_date=datetime.date(2015, 9, 1))

    with pytest.raises(CommandError) as error:
        run_import(write_csv(tmp_path, [household_row("M-1", "L-102", lease_start="01/09/2015")]))

    assert (
        "ligne 2 : date d'entrée « 01/09/2015 » trop ancienne : le bail en cours du ménage dans "
        "le logement « L-101 » a commencé le 01/09/2015"
    ) in str(error.value)
    assert Lease.objects.get().end_date is None


def test_dwellings_follow_their_leases_occupied_or_vacant(tmp_path, actis, dwellings):
    from housing.models import Dwelling

    Dwelling.objects.filter(pk__in=[d.pk for d in dwellings.values()]).update(status="vacant")
    mover = HouseholdFactory(landlord=actis, reference="M-1")
    LeaseFactory(household=mover, dwelling=dwellings["L-101"], start_date=datetime.date(2010, 1, 1))
    Dwelling.objects.filter(pk=dwellings["L-101"].pk).update(status="occupied")

    run_import(write_csv(tmp_path, [household_row("M-1", "L-103", lease_start="15/03/2024")]))

    statuses = dict(Dwelling.objects.values_list("reference", "status"))
    assert statuses["L-103"] == "occupied"  # the new home
    assert statuses["L-101"] == "vacant"  # the dwelling left behind
