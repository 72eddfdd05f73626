"""Who the request's user is, read in one query with what every page asks next.

Django's ``ModelBackend`` reads the user on each request; the pages then ask, each in a query of
its own, which landlords the user works for (:func:`housing.scoping.staff_landlord_ids`: every
page, for the scoping and the navigation) and, for the scoping's tenant side, which household the
user belongs to (:func:`housing.scoping.tenant_household_ids`). :class:`PortalBackend` reads the
three in one statement and leaves the answers where those functions look, so they do not ask
again. Written once per process as plain SQL: building and compiling the same ORM queries cost
more CPU than PostgreSQL spends running them (bench/README.md, load_test).
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from portal import rls

MEMBERSHIP_LANDLORD = "portal_membership_landlord"
MEMBERSHIP_ROLE = "portal_membership_role"
MEMBERSHIP_LANDLORD_NAME = "portal_membership_landlord_name"
HOUSEHOLD = "portal_household"


@functools.cache
def _identity_sql(with_household: bool) -> str:
    """One row per active membership (at least one row): the user's columns, then the
    membership's landlord, role and landlord name, then the user's household (one person per
    user) when asked."""
    user_table = get_user_model()._meta.db_table
    membership = apps.get_model("housing", "StaffMembership")._meta
    landlord = apps.get_model("housing", "Landlord")._meta
    person = apps.get_model("tenants", "Person")._meta

    def column(meta, name):
        return meta.get_field(name).column

    household = (
        f', p."{column(person, "household")}" AS "{HOUSEHOLD}"'
        if with_household
        else f', NULL AS "{HOUSEHOLD}"'
    )
    joins = (
        f' LEFT JOIN "{person.db_table}" p ON p."{column(person, "user")}" = u."id"'
        if with_household
        else ""
    )
    # Every name comes from the models' metadata; the user id is the one parameter.
    return (
        f'SELECT u.*, m."{column(membership, "landlord")}" AS "{MEMBERSHIP_LANDLORD}",'  # noqa: S608
        f' m."{column(membership, "role")}" AS "{MEMBERSHIP_ROLE}",'
        f' l."{column(landlord, "name")}" AS "{MEMBERSHIP_LANDLORD_NAME}"{household}'
        f' FROM "{user_table}" u'
        f' LEFT JOIN "{membership.db_table}" m ON m."{column(membership, "user")}" = u."id"'
        f' LEFT JOIN "{landlord.db_table}" l'
        f' ON l."id" = m."{column(membership, "landlord")}" AND l."{column(landlord, "is_active")}"'
        f"{joins}"
        ' WHERE u."id" = %s'
    )


def user_with_memberships(user_id):
    """The user of ``user_id`` (or None), with their memberships of active landlords (and,
    unless row-level security is on, their household ids) kept on the object."""
    # Row-level security: the connection still holds the previous request's landlords when the
    # user is read (before the middleware writes this request's), and people are protected rows;
    # the household is then read by tenant_household_ids, once the request's landlords are set.
    with_household = not rls.is_active()
    rows = list(get_user_model()._default_manager.raw(_identity_sql(with_household), [user_id]))
    if not rows:
        return None
    user = rows[0]
    memberships = [
        (
            row.portal_membership_landlord,
            row.portal_membership_role,
            row.portal_membership_landlord_name,
        )
        for row in rows
        if row.portal_membership_landlord_name is not None  # no membership, or inactive landlord
    ]
    user._portal_memberships = [(landlord_id, role) for landlord_id, role, _ in memberships]
    user._portal_landlord_names = {landlord_id: name for landlord_id, _, name in memberships}
    if with_household:
        user._portal_household_ids = (
            [user.portal_household] if user.portal_household is not None else []
        )
    return user


class PortalBackend(ModelBackend):
    """Django's ``ModelBackend`` (e-mail and password, permissions), whose ``get_user`` reads the
    user's memberships and household in the same query (:func:`user_with_memberships`)."""

    def get_user(self, user_id):
        user = user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
