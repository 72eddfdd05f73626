"""Reads whose SQL the ORM writes once per connection, not on every request.

Building a queryset (``filter``, ``select_related``, …) and compiling it to SQL cost the busiest
pages more CPU than PostgreSQL spends answering them: about 40 % of a call page or a tenant home
(bench/README.md, load_test, « 27 November, night »). A read that runs on every view of such a
page is written once, as a function of its parameters, and decorated::

    @compiled_query
    def household_people(*, household_id):
        return Person.objects.filter(household_id=household_id).order_by("birth_date", "pk")

    people = household_people(household_id=household.pk)  # a list of Person
    first = household_people.first(household_id=household.pk)  # a Person, or None

On PostgreSQL, the first call on a connection builds the queryset with placeholders
(:class:`Slot`) in place of the parameters and lets the ORM compile it. Every call then runs that SQL with its own values,
and the ORM reads the rows into instances as usual (``select_related``, annotations, converters,
``prefetch_related`` after the rows). The same SQL each time also suits the prepared statements
of :mod:`portal.postgresql`.

What the function may do, checked where it can be:

- Its parameters are keyword-only, scalar (ids, strings, dates, datetimes…) or lists of scalars.
  ``None`` is refused at the call: ``= NULL`` would match nothing where the ORM writes ``IS NULL``.
  A list is compiled once per length (``IN (%s, %s)``); an empty list returns ``[]`` without a
  query, as the ORM does.
- A parameter only reaches the queryset: the function must not test it (it receives a
  placeholder), so that the query's shape never depends on a value. The check below catches it.
- Nothing else may vary from one call to the next: the time (``timezone.now()``, today's date),
  the current user, the language, a setting. They are parameters. The first compilation builds
  the queryset twice and refuses the function if the SQL or any value that is not a parameter
  differs, which catches ``timezone.now()``; today's date or the language would not differ within
  the two builds, hence the rule, and the check below.
- Values go to the database as they are (the ORM would first convert them by field): a naive
  datetime is refused, alone or in a list; a date is compared with a date column and an aware
  datetime with a datetime column, never the other way (PostgreSQL would cast it in UTC, where
  the ORM's day is Paris's); and a parameter must not reach a ``Prefetch`` queryset (refused
  too: the prefetch runs later, with the ORM).
- Every parameter must reach the SQL (unless an empty list took the branch that held it away).

With ``settings.COMPILED_QUERIES_CHECK`` (on in the test suite), every call also compiles the
queryset with its real values the ORM's way and fails unless the SQL and the values are the same:
each test that reaches a compiled read checks it.
"""

from __future__ import annotations

import datetime
import functools
import inspect
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, QuerySet
from django.utils import timezone

__all__ = ["CompiledQueryError", "Slot", "compiled_query"]


class CompiledQueryError(Exception):
    """A function cannot be compiled once: its query depends on more than its parameters."""


class SlotValue:
    """Where a parameter's value goes in the compiled query's parameters."""

    __slots__ = ("index", "name")

    def __init__(self, name: str, index: int | None):
        self.name, self.index = name, index

    def __repr__(self):
        return f"<slot {self.name}{'' if self.index is None else f'[{self.index}]'}>"


class Slot(Expression):
    """The placeholder a compiled function receives for a parameter: ``%s`` in the SQL."""

    def __init__(self, name: str, index: int | None = None, output_field=None):
        super().__init__(output_field=output_field)
        self.name, self.index = name, index

    def __repr__(self):
        return f"Slot({self.name!r}{'' if self.index is None else f', {self.index}'})"

    def as_sql(self, compiler, connection):
        return "%s", [SlotValue(self.name, self.index)]

    @property
    def identity(self):
        return (Slot, self.name, self.index)

    def __eq__(self, other):
        return isinstance(other, (Slot, SlotList)) and other.identity == self.identity

    def __hash__(self):
        return hash(self.identity)


class SlotList(Expression):
    """The placeholder of a list parameter, for ``__in``: ``(%s, %s, …)``, one per item."""

    def __init__(self, name: str, length: int):
        super().__init__()
        self.name, self.length = name, length

    def __repr__(self):
        return f"SlotList({self.name!r}, {self.length})"

    def as_sql(self, compiler, connection):
        placeholders = ", ".join(["%s"] * self.length)
        return f"({placeholders})", [SlotValue(self.name, index) for index in range(self.length)]

    @property
    def identity(self):
        return (SlotList, self.name, self.length)

    __eq__ = Slot.__eq__
    __hash__ = Slot.__hash__


@dataclass
class _Compiled:
    """One function's query compiled on one connection, for one length of each list."""

    queryset: QuerySet | None  # None: the query can return nothing (an empty list)
    compiler: object = None
    sql: str = ""
    params: tuple = ()
    slots: tuple = ()  # (position in params, name, index in the list or None)
    converters: dict | None = None


def _placeholders(names, values: dict) -> dict:
    """A Slot for each parameter, a SlotList for a list (an empty list stays itself: the ORM
    knows it matches nothing)."""
    placeholders = {}
    for name in names:
        value = values[name]
        if isinstance(value, list):
            placeholders[name] = SlotList(name, len(value)) if value else []
        else:
            placeholders[name] = Slot(name)
    return placeholders


def _shape(names, values: dict) -> tuple:
    """What the compiled SQL depends on besides the function: the length of each list.

    Lists (and tuples, sets) become lists without repeats, as the ORM's ``__in`` writes them.
    """
    shape = []
    for name in names:
        value = values[name]
        if value is None:
            raise ValueError(f"compiled query: {name} is None (write that case with the ORM)")
        if isinstance(value, (list, tuple, set, frozenset)):
            value = values[name] = list(dict.fromkeys(value))
            if None in value:
                raise ValueError(f"compiled query: {name} holds None")
            for item in value:
                _check_scalar(name, item)
            shape.append(len(value))
        else:
            _check_scalar(name, value)
            shape.append(None)
    return tuple(shape)


def _check_scalar(name: str, value) -> None:
    if isinstance(value, (dict, list, tuple, set, frozenset, QuerySet)):
        raise TypeError(f"compiled query: {name} must be a scalar or a list, not {type(value)}")
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_naive(value):
        raise ValueError(f"compiled query: {name} is or holds a naive datetime")


def _is_empty_list(value) -> bool:
    return isinstance(value, list) and not value


def _holds_slot(queryset: QuerySet, connection) -> bool:
    try:
        _sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        return False
    return any(isinstance(param, SlotValue) for param in params)


def _values_of(params) -> list:
    return [p for p in params if not isinstance(p, SlotValue)]


class CompiledQuery:
    def __init__(self, function):
        signature = inspect.signature(function)
        for parameter in signature.parameters.values():
            if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(
                    f"{function.__qualname__}: a compiled query takes keyword-only parameters"
                )
        self.function = function
        self.names = tuple(signature.parameters)
        self.key = f"{function.__module__}.{function.__qualname__}"
        functools.update_wrapper(self, function)

    def __repr__(self):
        return f"<compiled query {self.key}>"

    def queryset(self, **values) -> QuerySet:
        """The queryset the ORM's way, with the real values (for checks and other uses)."""
        return self.function(**values)

    def _compile(self, connection, values: dict) -> _Compiled:
        compiled = []
        for _attempt in range(2):
            queryset = self.function(**_placeholders(self.names, values))
            if not isinstance(queryset, QuerySet):
                raise CompiledQueryError(f"{self.key} must return a queryset")
            compiler = queryset.query.get_compiler(connection=connection)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:
                return _Compiled(queryset=None)
            compiled.append((queryset, compiler, sql, tuple(params)))
        (queryset, compiler, sql, params), (_q, _c, sql_again, params_again) = compiled
        if sql != sql_again or _values_of(params) != _values_of(params_again):
            raise CompiledQueryError(
                f"{self.key}: built twice, its query differed; something besides its parameters "
                "(the time, the user…) reaches it: make it a parameter"
            )
        for lookup in queryset._prefetch_related_lookups:
            prefetched = getattr(lookup, "queryset", None)
            if prefetched is not None and _holds_slot(prefetched, connection):
                raise CompiledQueryError(
                    f"{self.key}: a parameter reaches a Prefetch queryset, which runs later"
                )
        slots = tuple(
            (position, param.name, param.index)
            for position, param in enumerate(params)
            if isinstance(param, SlotValue)
        )
        missing = set(self.names) - {name for _position, name, _index in slots}
        # An empty list may take away the branch that held other parameters, as the ORM does.
        if missing and not any(_is_empty_list(values[name]) for name in self.names):
            raise CompiledQueryError(
                f"{self.key}: {', '.join(sorted(missing))} never reach the SQL"
            )
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        return _Compiled(
            queryset=queryset,
            compiler=compiler,
            sql=sql,
            params=params,
            slots=slots,
            converters=compiler.get_converters(fields),
        )

    def __call__(self, **values) -> list:
        if set(values) != set(self.names):
            raise TypeError(f"{self.key} takes {', '.join(self.names)}")
        connection = connections[DEFAULT_DB_ALIAS]
        shape = _shape(self.names, values)
        if connection.vendor != "postgresql":
            # Elsewhere (SQLite, for development) the ORM adapts some values by their field
            # (dates and datetimes become text): the queryset runs as it is.
            return list(self.queryset(**values))
        # Kept on the connection object: each thread has its own, and the converters and the
        # compiler belong to it. Keyed by this object, not its name: two functions of one name
        # (made by a factory, a reloaded module) are two queries.
        cache = connection.__dict__.setdefault("_portal_compiled_queries", {})
        entry = cache.get((self, shape))
        if entry is None:
            entry = cache[(self, shape)] = self._compile(connection, values)
        if entry.queryset is None:
            return []
        params = list(entry.params)
        for position, name, index in entry.slots:
            params[position] = values[name] if index is None else values[name][index]
        if getattr(settings, "COMPILED_QUERIES_CHECK", False):
            self._check(connection, entry, values, params)
        return list(_bound_queryset(entry, params))

    def first(self, **values):
        """The first row, or None."""
        rows = self(**values)
        return rows[0] if rows else None

    def _check(self, connection, entry: _Compiled, values: dict, params: list) -> None:
        sql, expected = self.queryset(**values).query.get_compiler(connection=connection).as_sql()
        # A lookup puts an expression in brackets (« = (%s) » where the ORM writes « = %s »).
        if sql.replace("(%s)", "%s") != entry.sql.replace("(%s)", "%s") or list(expected) != params:
            raise CompiledQueryError(
                f"{self.key}: the compiled query differs from the ORM's for {values!r}:\n"
                f"{entry.sql} {params!r}\n{sql} {list(expected)!r}"
            )


def _bound_queryset(entry: _Compiled, params: list) -> QuerySet:
    """A queryset like the compiled one whose compiler returns the compiled SQL with ``params``.

    The compiler and the query are shallow copies (the compiler keeps what compiling set up:
    ``select``, ``klass_info``, ``annotation_col_map``, which the ORM's iterables read), so
    nothing is compiled again.
    """
    template = entry.compiler
    compiler = template.__class__.__new__(template.__class__)
    compiler.__dict__.update(template.__dict__)  # its connection is this one: see __call__
    compiler.as_sql = lambda *args, **kwargs: (entry.sql, params)
    compiler.get_converters = lambda expressions: entry.converters
    source = entry.queryset
    query = source.query.__class__.__new__(source.query.__class__)
    query.__dict__.update(source.query.__dict__)
    query.get_compiler = lambda *args, **kwargs: compiler
    queryset = source.__class__(model=source.model, query=query, using=source._db)
    queryset._prefetch_related_lookups = source._prefetch_related_lookups
    queryset._iterable_class = source._iterable_class
    queryset._fields = source._fields
    return queryset


def compiled_query(function) -> CompiledQuery:
    """Decorate a function returning a queryset: calling it returns the rows, compiled once."""
    return CompiledQuery(function)
