"""Compiled reads (portal.compiled): the ORM's rows, from SQL compiled once per connection."""

import datetime

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.compiled import CompiledQueryError, compiled_query
from tenants.models import Household, Lease, Person
from tests.factories import HouseholdFactory, LeaseFactory, PersonFactory

# PostgreSQL only: elsewhere a compiled read runs its queryset as it is.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@compiled_query
def leases_of(*, household_id, today):
    return (
        Lease.objects.current(today)
        .filter(household_id=household_id)
        .select_related("dwelling__building", "household")
        .order_by("pk")
    )


@compiled_query
def households_named(*, landlord_ids, name):
    return Household.objects.filter(landlord_id__in=landlord_ids, name=name).order_by("pk")


@compiled_query
def people_of(*, household_id):
    return Person.objects.filter(household_id=household_id).order_by("pk")


@pytest.fixture
def two_households(actis, sdh):
    first = HouseholdFactory(landlord=actis, name="Famille Martin")
    second = HouseholdFactory(landlord=sdh, name="Famille Martin")
    for household in (first, second):
        LeaseFactory(household=household)
        LeaseFactory(household=household, end_date=datetime.date(2019, 1, 31))  # ended
    return first, second


def _compilations(monkeypatch) -> list:
    seen = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        seen.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return seen


def test_rows_are_the_orms_rows_with_their_related_objects(two_households):
    first, _second = two_households
    today = timezone.localdate()
    expected = list(leases_of.queryset(household_id=first.pk, today=today))
    with CaptureQueriesContext(connection) as queries:
        leases = leases_of(household_id=first.pk, today=today)
        # select_related: the dwelling, its building and the household come with the rows.
        buildings = [lease.dwelling.building.name for lease in leases]
        households = [lease.household.name for lease in leases]
    assert len(queries) == 1
    assert leases == expected
    assert len(leases) == 1  # the ended lease is not current
    assert buildings == [expected[0].dwelling.building.name]
    assert households == ["Famille Martin"]
    for field in Lease._meta.concrete_fields:
        assert getattr(leases[0], field.attname) == getattr(expected[0], field.attname)


def test_the_sql_is_compiled_once_then_reused_with_each_calls_values(two_households, monkeypatch):
    first, second = two_households
    today = timezone.localdate()
    leases_of(household_id=first.pk, today=today)  # compiled here (if not already)
    compilations = _compilations(monkeypatch)
    monkeypatch.setattr(connection, "_portal_compiled_queries", {}, raising=False)
    from django.conf import settings

    monkeypatch.setattr(settings, "COMPILED_QUERIES_CHECK", False)
    assert [lease.household_id for lease in leases_of(household_id=first.pk, today=today)] == [
        first.pk
    ]
    assert len(compilations) == 2  # built twice the first time, to check nothing else varies
    assert [lease.household_id for lease in leases_of(household_id=second.pk, today=today)] == [
        second.pk
    ]
    # A day before the ended lease's end: both leases are current.
    assert len(leases_of(household_id=second.pk, today=datetime.date(2019, 1, 30))) == 2
    assert len(compilations) == 2


def test_a_list_is_compiled_per_length_and_an_empty_one_reads_nothing(two_households, actis, sdh):
    first, second = two_households
    named = {"name": "Famille Martin"}
    assert households_named(landlord_ids=[actis.pk], **named) == [first]
    assert households_named(landlord_ids=[actis.pk, sdh.pk], **named) == [first, second]
    assert households_named(landlord_ids=(sdh.pk, sdh.pk), **named) == [second]  # repeats go
    with CaptureQueriesContext(connection) as queries:
        assert households_named(landlord_ids=[], **named) == []
    assert len(queries) == 0


def test_none_is_refused_rather_than_matching_nothing(two_households):
    with pytest.raises(ValueError, match="household_id is None"):
        people_of(household_id=None)
    with pytest.raises(ValueError, match="holds None"):
        households_named(landlord_ids=[None], name="x")


def test_parameters_are_keyword_only_and_all_required():
    with pytest.raises(TypeError, match="keyword-only"):

        @compiled_query
        def positional(household_id):
            return Person.objects.filter(household_id=household_id)

    with pytest.raises(TypeError, match="takes household_id"):
        people_of()


def test_a_query_that_reads_the_time_itself_is_refused(two_households):
    @compiled_query
    def current_leases_now(*, household_id):
        return Lease.objects.filter(household_id=household_id, created_at__lte=timezone.now())

    with pytest.raises(CompiledQueryError, match="built twice"):
        current_leases_now(household_id=two_households[0].pk)


def test_a_parameter_that_never_reaches_the_sql_is_refused(two_households):
    @compiled_query
    def forgetful(*, household_id, today):
        return Lease.objects.filter(household_id=household_id)

    with pytest.raises(CompiledQueryError, match="today never reach"):
        forgetful(household_id=two_households[0].pk, today=datetime.date(2026, 1, 1))


def test_the_check_catches_a_shape_that_depends_on_a_value(two_households):
    """The test suite's check: a function that tests its parameter builds another query with the
    real value than with the placeholder."""

    @compiled_query
    def by_name(*, name):
        queryset = Household.objects.order_by("pk")
        return queryset if name == "" else queryset.filter(name=name)

    assert len(by_name(name="Famille Martin")) == 2
    with pytest.raises(CompiledQueryError, match="differs from the ORM"):
        by_name(name="")


def test_prefetch_related_runs_after_the_rows(two_households):
    @compiled_query
    def households_with_people(*, landlord_ids):
        return Household.objects.filter(landlord_id__in=landlord_ids).prefetch_related("people")

    first, _second = two_households
    PersonFactory(household=first, first_name="Jeanne")
    with CaptureQueriesContext(connection) as queries:
        (household,) = households_with_people(landlord_ids=[first.landlord_id])
        names = [person.first_name for person in household.people.all()]
    assert names == ["Jeanne"]
    assert len(queries) == 2


def test_a_naive_datetime_is_refused(two_households):
    @compiled_query
    def created_before(*, moment):
        return Household.objects.filter(created_at__lt=moment)

    @compiled_query
    def created_at(*, moments):
        return Household.objects.filter(created_at__in=moments)

    naive = datetime.datetime(2026, 3, 10, 9, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive datetime"):
        created_before(moment=naive)
    with pytest.raises(ValueError, match="holds a naive datetime"):
        created_at(moments=[timezone.now(), naive])
    assert len(created_before(moment=timezone.now())) == 2


def test_two_functions_of_one_name_are_two_queries(two_households):
    """A factory's functions share their name: each keeps its own SQL and values."""

    def named(name):
        @compiled_query
        def households(*, landlord_id):
            return Household.objects.filter(landlord_id=landlord_id, name=name)

        return households

    first, _second = two_households
    assert named("Famille Martin")(landlord_id=first.landlord_id) == [first]
    assert named("Famille Dupont")(landlord_id=first.landlord_id) == []


def test_an_empty_list_may_take_other_parameters_away_with_its_branch(two_households):
    from django.db.models import Q

    @compiled_query
    def named_or_unreferenced(*, landlord_ids, name):
        return Household.objects.filter(
            Q(landlord_id__in=landlord_ids, name=name) | Q(reference="")
        ).order_by("pk")

    first, second = two_households
    Household.objects.filter(pk=second.pk).update(reference="")
    Household.objects.filter(pk=first.pk).update(reference="HLM-1")
    assert named_or_unreferenced(landlord_ids=[first.landlord_id], name=first.name) == [
        first,
        second,
    ]
    assert named_or_unreferenced(landlord_ids=[], name=first.name) == [second]


def test_a_parameter_inside_a_prefetch_is_refused(two_households):
    from django.db.models import Prefetch

    @compiled_query
    def households_with_some_people(*, landlord_ids, first_name):
        return Household.objects.filter(landlord_id__in=landlord_ids).prefetch_related(
            Prefetch("people", queryset=Person.objects.filter(first_name=first_name))
        )

    with pytest.raises(CompiledQueryError, match="Prefetch"):
        households_with_some_people(landlord_ids=[two_households[0].landlord_id], first_name="J")


def test_first_is_the_first_row_or_none(two_households):
    first, _second = two_households
    assert people_of.first(household_id=first.pk) is None  # nobody recorded yet
    jeanne = PersonFactory(household=first, first_name="Jeanne")
    PersonFactory(household=first, first_name="Paul")
    assert people_of.first(household_id=first.pk) == jeanne
