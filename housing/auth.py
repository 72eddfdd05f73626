"""Who the request's user is, read in one query with what every page asks next.

Django's ``ModelBackend`` reads the user on each request; the pages then ask, each in a query of
its own, which landlords the user works for (:func:`housing.scoping.staff_landlord_ids`: every
page, for the scoping and the navigation), for the scoping's tenant side which household the user
belongs to (:func:`housing.scoping.tenant_household_ids`), and for the navigation whether the user
sits on a committee. :class:`PortalBackend` reads the four in one statement and leaves the answers
where those lookups look, so they do not ask again. Written once per process as plain SQL:
building and compiling the same ORM queries cost more CPU than PostgreSQL spends running them
(bench/README.md, load_test).
"""

from __future__ import annotations

import functools

from asgiref.sync import sync_to_async
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from portal import rls
from portal.sql import column, instance_from_row, select_columns


@functools.cache
def _identity_sql(with_household: bool) -> str:
    """One row per membership of an active landlord (at least one row): the user's columns, then
    the membership's landlord id, role and landlord name, the user's household (one person per
    user) when asked, and whether the user sits on a committee (the navigation's « Mes séances »).
    Other apps' tables are named by label, as in :mod:`housing.scoping`."""
    user_model = get_user_model()
    membership = apps.get_model("housing", "StaffMembership")._meta
    landlord = apps.get_model("housing", "Landlord")._meta
    person = apps.get_model("tenants", "Person")._meta
    member = apps.get_model("allocations", "CommitteeMember")._meta
    quote = connection.ops.quote_name
    user_pk = f"u.{quote(user_model._meta.pk.column)}"

    household, person_join = "NULL", ""
    if with_household:
        household = f"p.{column(person, 'household')}"
        person_join = (
            f" LEFT JOIN {quote(person.db_table)} p ON p.{column(person, 'user')} = {user_pk}"
        )
    # Every name comes from the models' metadata; the user id is the one parameter.
    return (
        f"SELECT {select_columns(user_model, 'u')}, m.{column(membership, 'landlord')},"  # noqa: S608
        f" m.{column(membership, 'role')}, l.{column(landlord, 'name')}, {household},"
        f" EXISTS (SELECT 1 FROM {quote(member.db_table)} c"
        f" WHERE c.{column(member, 'user')} = {user_pk})"
        f" FROM {quote(user_model._meta.db_table)} u"
        f" LEFT JOIN {quote(membership.db_table)} m ON m.{column(membership, 'user')} = {user_pk}"
        f" LEFT JOIN {quote(landlord.db_table)} l"
        f" ON l.{column(landlord, landlord.pk.name)} = m.{column(membership, 'landlord')}"
        f" AND l.{column(landlord, 'is_active')}"
        f"{person_join}"
        f" WHERE {user_pk} = %s"
    )


def _read(user_id) -> tuple[list[tuple], bool]:
    """The rows of :func:`_identity_sql` for ``user_id``, and whether they hold the household."""
    # Row-level security: the connection still holds the previous request's landlords when the
    # user is read (before the middleware writes this request's), and people are protected rows;
    # the household is then read by tenant_household_ids, once the request's landlords are set.
    with_household = not rls.is_active()
    with connection.cursor() as cursor:
        cursor.execute(
            _identity_sql(with_household), [get_user_model()._meta.pk.to_python(user_id)]
        )
        return cursor.fetchall(), with_household


def _remember(user, rows: list[tuple], with_household: bool) -> None:
    """Keep on ``user`` what the rows say, where housing.scoping and the navigation look."""
    width = len(get_user_model()._meta.concrete_fields)
    # No landlord name: no membership, or one of an inactive landlord (the join left it out).
    memberships = [row[width : width + 3] for row in rows if row[width + 2] is not None]
    user._portal_memberships = [(landlord_id, role) for landlord_id, role, _ in memberships]
    user._portal_landlord_names = {landlord_id: name for landlord_id, _, name in memberships}
    user._portal_committee_member = bool(rows and rows[0][width + 4])
    if with_household:
        household_id = rows[0][width + 3] if rows else None
        user._portal_household_ids = [household_id] if household_id is not None else []


def user_with_memberships(user_id):
    """The user of ``user_id`` (or None), with their memberships of active landlords, their
    committee seat and (unless row-level security is on) their household ids kept on it."""
    rows, with_household = _read(user_id)
    if not rows:
        return None
    user_model = get_user_model()
    user = instance_from_row(user_model, rows[0][: len(user_model._meta.concrete_fields)])
    _remember(user, rows, with_household)
    return user


def remember_memberships(user) -> None:
    """The same answers, in the same one query, for a user read some other way (the one
    ``login()`` puts on its request, a task's): :func:`housing.scoping.staff_landlord_ids` asks
    here when the user object holds none, so that the rule lives in one place."""
    rows, with_household = _read(user.pk)
    _remember(user, rows, with_household)


class PortalBackend(ModelBackend):
    """Django's ``ModelBackend`` (e-mail and password, permissions), whose ``get_user`` reads the
    user's memberships and household in the same query (:func:`user_with_memberships`)."""

    def get_user(self, user_id):
        user = user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)
