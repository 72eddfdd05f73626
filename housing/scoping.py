"""The one door to tenant data: which landlords (and which household) a user may see.

Every queryset that reaches landlord or tenant data goes through :func:`scope` (usually through a
model's ``.visible_to(user)``). Staff see the landlords they hold a membership of; a tenant sees
their own household; superusers see everything; anybody else sees nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import models
from django.db.models import Q


class LandlordPrincipal:
    """Who calls the API with an integration token: one landlord's data, as its staff see it.

    It stands where a user stands in :func:`scope` (``request.user`` in the API), so that the same
    ``visible_to()`` querysets serve tokens and people; it is never a tenant.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = id = None

    def __init__(self, token):
        self.token = token
        self.landlord_id = token.landlord_id
        self._portal_memberships = [(token.landlord_id, "integration")]

    def __str__(self):
        return str(self.token)


def _memberships(user) -> list[tuple[int, str]]:
    """(landlord id, role) pairs of the user, read once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        # Read by housing.auth.PortalBackend with the user on every request; for a user object
        # read otherwise, the same query, which keeps the landlords' names for the header
        # (landlord_badges) and the committee seat too.
        from housing.auth import remember_memberships

        remember_memberships(user)
        cached = user._portal_memberships
    return cached


def staff_landlord_ids(user) -> list[int]:
    """Ids of the landlords the user works for."""
    return sorted({landlord_id for landlord_id, _ in _memberships(user)})


def landlord_ids_with_role(user, roles) -> list[int]:
    """Ids of the landlords where the user holds one of ``roles`` (every landlord for superusers)."""
    if getattr(user, "is_superuser", False):
        cached = getattr(user, "_portal_all_landlord_ids", None)
        if cached is None:  # read once per request: the navigation asks a dozen times
            from housing.models import Landlord

            cached = list(Landlord.objects.values_list("pk", flat=True))
            user._portal_all_landlord_ids = cached
        return list(cached)
    wanted = set(roles)
    return sorted({landlord_id for landlord_id, role in _memberships(user) if role in wanted})


def visible_landlord_ids(user) -> list[int]:
    """Ids of the landlords whose rows ``user`` sees as staff (every landlord for superusers): the
    landlord part of :func:`scope`, for the compiled reads (portal.compiled) that take ids."""
    if getattr(user, "is_superuser", False):
        return landlord_ids_with_role(user, ())
    return staff_landlord_ids(user)


def is_landlord_staff(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or staff_landlord_ids(user))


def landlords_of(user):
    from housing.models import Landlord

    return Landlord.objects.visible_to(user)


def landlord_badges(user):
    """The landlords named in the page header: those the user works for (read with the
    memberships, no further query), else those :func:`landlords_of` finds (a superuser's, a
    tenant's)."""
    _memberships(user)
    names = getattr(user, "_portal_landlord_names", None)
    if names and not getattr(user, "is_superuser", False):
        return [LandlordBadge(pk, name) for pk, name in sorted(names.items(), key=lambda i: i[1])]
    return landlords_of(user)


class LandlordBadge(NamedTuple):
    pk: int
    name: str


def scope(
    queryset: models.QuerySet,
    user,
    *,
    landlord_path: str | None,
    tenant_path: str | None = None,
) -> models.QuerySet:
    """Filter ``queryset`` to the rows ``user`` may see.

    ``landlord_path`` leads from the model to its landlord's id ("landlord", "building__landlord");
    ``tenant_path`` leads from the model to the tenant user linked to its household
    ("people__user", "household__people__user"); a model without it is never shown to tenants.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q()
    landlord_ids = staff_landlord_ids(user)
    if landlord_ids and landlord_path is not None:
        lookup = f"{landlord_path}__in" if landlord_path else "pk__in"
        condition |= Q(**{lookup: landlord_ids})
    if tenant_path is not None and not isinstance(user, LandlordPrincipal):
        condition |= _own_household_condition(queryset.model, tenant_path, user)
    if not condition:
        return queryset.none()
    return queryset.filter(condition)


TENANT_LINK = "people__user"


def tenant_household_ids(user) -> list[int]:
    """Ids of the households the user belongs to as a tenant (one at most), read once per request
    and kept on the user object, like the memberships."""
    cached = getattr(user, "_portal_household_ids", None)
    if cached is None:
        from django.apps import apps

        person = apps.get_model("tenants", "Person")
        # No ORDER BY: the model's ordering would join and sort by the household's name.
        cached = list(
            person._base_manager.filter(user=user).order_by().values_list("household_id", flat=True)
        )
        user._portal_household_ids = cached
    return cached


def _own_household_condition(model, tenant_path: str, user) -> Q:
    """The rows of the user's own household.

    A tenant path ending in ``people__user`` ("household__people__user") is turned into the
    household's column ("household_id IN (…)", with the ids read once per request): no join
    through the people, no subquery, and for staff who are nobody's tenant, nothing at all (an
    empty IN drops out of the OR), so their queries keep a plain landlord condition an index
    serves. Through a one-to-many path, a subquery of the model's ids keeps each row once.
    """
    if not tenant_path.endswith(TENANT_LINK):
        # A subquery, not a join: joining through a household's people would repeat each row
        # once per person for everybody else (the OR keeps the join for staff too).
        return Q(pk__in=model._base_manager.filter(**{tenant_path: user}).values("pk"))
    household_path = tenant_path[: -len(TENANT_LINK)].rstrip("_")
    ids = tenant_household_ids(user)
    if not household_path:
        return Q(pk__in=ids)
    lookup = {f"{household_path}__in": ids}
    if _single_valued(model, household_path):
        return Q(**lookup)
    return Q(pk__in=model._base_manager.filter(**lookup).values("pk"))


def _single_valued(model, path: str) -> bool:
    """Whether each row reaches one object at most along ``path`` (foreign keys only)."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return False
        model = field.related_model
    return True


class ScopedQuerySet(models.QuerySet):
    """A queryset whose model says where its landlord (and its tenant) are."""

    landlord_path: str | None = "landlord"
    tenant_path: str | None = None

    def visible_to(self, user):
        return scope(self, user, landlord_path=self.landlord_path, tenant_path=self.tenant_path)

    def of_landlords(self, landlord_ids):
        """The rows of these landlords (ids the caller read from the user's roles): the scope
        of a compiled read (portal.compiled), which cannot take the user."""
        if self.landlord_path is None:
            return self.none()
        return self.filter(**{f"{self.landlord_path or 'pk'}__in": landlord_ids})


def scoped_queryset(landlord_path: str | None, tenant_path: str | None = None):
    """A ScopedQuerySet subclass for one model: ``objects = scoped_queryset("landlord").as_manager()``."""
    return type(
        "ScopedQuerySet",
        (ScopedQuerySet,),
        {"landlord_path": landlord_path, "tenant_path": tenant_path, "__module__": __name__},
    )
