"""The second wall: PostgreSQL row-level security on the tables that hold tenant data.

The first wall is :func:`housing.scoping.scope`. This one holds even when a query forgot it: when
the portal connects as the application role (neither owner nor superuser), PostgreSQL only returns
(and only accepts) rows of the landlords named in the connection's ``portal.landlord_ids`` setting,
or every row when ``portal.all_landlords`` is ``on`` (superusers, Celery tasks). The owner role
(``migrate``, management commands) bypasses the policies: they are enabled, not forced.

Who sets the settings: :class:`portal.middleware.RowSecurityMiddleware` for each request (from the
landlord resolvers the apps register here), the API's token authentication, Celery's
``task_prerun``/``task_postrun`` signals (portal/celery.py). Nothing set means no row.

The list of protected tables is :data:`PROTECTED`: the policies (applied after every ``migrate``
by :func:`apply_policies`) and the tests read it. The portal app names higher apps' models by
label only (strings), so the layers hold.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

LANDLORD_IDS = "portal.landlord_ids"
ALL_LANDLORDS = "portal.all_landlords"
POLICY = "portal_landlord"

# Model label -> path from the model to its landlord (as in scoped_queryset). A path through a
# parent becomes an EXISTS on the parent in the policy.
PROTECTED: dict[str, str] = {
    # Households and everything about them.
    "tenants.Household": "landlord",
    "tenants.HistoricalHousehold": "landlord",
    "tenants.Person": "household__landlord",
    "tenants.Lease": "household__landlord",
    "tenants.VulnerabilityFlag": "household__landlord",
    "tenants.HistoricalVulnerabilityFlag": "household__landlord",
    "tenants.TechnicalRequest": "landlord",
    "tenants.HistoricalTechnicalRequest": "landlord",
    "tenants.RequestEvent": "request__landlord",
    "tenants.RequestPhoto": "request__landlord",
    "tenants.ContactRequest": "landlord",
    "tenants.HouseholdAccess": "landlord",
    "tenants.WorksNoticeDelivery": "household__landlord",
    # Calls, needs, referrals, solidarity, appointments.
    "outreach.CallTask": "landlord",
    "outreach.CallLog": "landlord",
    "outreach.HistoricalCallLog": "landlord",
    "outreach.Need": "household__landlord",
    "outreach.Referral": "landlord",
    "outreach.SolidarityEntry": "landlord",
    "outreach.SolidarityTask": "landlord",
    "outreach.Appointment": "landlord",
    "outreach.Reminder": "appointment__landlord",
    "outreach.WaitingListEntry": "landlord",
    # Allocations: applications, decisions, occupancy reviews, rehousing files.
    "allocations.HousingApplication": "landlord",
    "allocations.Decision": "agenda_item__sitting__committee__landlord",
    "allocations.HistoricalDecision": "agenda_item__sitting__committee__landlord",
    "allocations.OccupancyReview": "household__landlord",
    "allocations.RehousingFile": "landlord",
}

# Models with a landlord that are deliberately left outside the wall, and why (a test checks that
# every landlord-owned model is in one of the two lists).
LEFT_OUT: dict[str, str] = {
    "housing.Agency": "patrimoine, pas de donnée de locataire",
    "housing.Building": "patrimoine ; la page publique des travaux le lit",
    "housing.Dwelling": "patrimoine",
    "housing.StaffMembership": "lu pour savoir de quels bailleurs est l'utilisateur",
    "housing.WorksSite": "chantiers publics (/travaux/)",
    "housing.WorksEvent": "chantiers publics (/travaux/)",
    "housing.WorksNotice": "avis publics (/travaux/)",
    "housing.CaretakerAssignment": "organisation du personnel",
    "housing.DutyRound": "organisation du personnel",
    "housing.DutyCompletion": "organisation du personnel",
    "housing.IntegrationToken": "lu avant de savoir quel bailleur appelle (empreinte de clé)",
    "housing.RetentionPolicy": "paramètres du bailleur",
    "housing.RetentionRun": "compte rendu chiffré, sans donnée personnelle",
    "tenants.TenantInvitation": "lu par code secret avant la connexion du locataire",
    "tenants.ActivationCode": "lu par code secret avant la connexion du locataire",
    "allocations.Vacancy": "logements vacants, pas de donnée de ménage",
    "allocations.ScoringGrid": "paramètres du bailleur",
    "allocations.Committee": "organisation du bailleur",
    "allocations.CommitteeMember": "organisation du bailleur",
    "allocations.Sitting": "organisation du bailleur",
    "allocations.AgendaItem": "logement à l'ordre du jour, sans ménage",
    "allocations.Candidacy": "lien vers une demande, elle-même protégée",
    "allocations.Offer": "lien vers une demande, elle-même protégée ; lue par le demandeur",
    "allocations.LetterDispatch": "trace d'envoi, lue par la tâche d'envoi",
    "allocations.LettingEvent": "étapes de relocation d'un logement",
    "allocations.VacancyPhoto": "photos de logements",
    "allocations.VisitSlot": "créneaux de visite d'un logement",
    "allocations.VisitBooking": "réservée par un demandeur d'un autre bailleur",
    "outreach.Partner": "annuaire partagé (bailleur vide = commun)",
    "outreach.Campaign": "paramètres de campagne",
    "outreach.Question": "questionnaire de campagne",
    "outreach.QueueBuild": "suivi technique de construction de file",
    "outreach.BookingSettings": "paramètres du bailleur",
    "outreach.AvailabilityRule": "disponibilités des conseillers",
    "outreach.AvailabilityException": "disponibilités des conseillers",
    "outreach.Slot": "créneaux libres proposés aux locataires",
}

# Who may see which landlords: the apps register functions user -> landlord ids, a list (staff
# memberships, read once per request anyway) or a values_list queryset of landlord ids over
# protected tables (a tenant's household, an applicant's applications), read with the wall open.
LandlordResolver = Callable[[object], Iterable[int]]
_resolvers: list[LandlordResolver] = []


def register_landlord_resolver(resolver: LandlordResolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def is_active(using: str = DEFAULT_DB_ALIAS) -> bool:
    """The settings are written only on PostgreSQL and when the deployment asks (PORTAL_RLS)."""
    return getattr(settings, "PORTAL_RLS", False) and connections[using].vendor == "postgresql"


def set_scope(
    *, landlord_ids: Iterable[int] = (), all_landlords: bool = False, using=DEFAULT_DB_ALIAS
) -> None:
    """Overwrite the connection's settings (session level: each request and task writes them)."""
    ids = ",".join(str(int(pk)) for pk in sorted(set(landlord_ids)))
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
            [LANDLORD_IDS, ids, ALL_LANDLORDS, "on" if all_landlords else "off"],
        )


def clear_scope(using=DEFAULT_DB_ALIAS) -> None:
    set_scope(using=using)


def current_scope(using=DEFAULT_DB_ALIAS) -> tuple[list[int], bool]:
    """The connection's (landlord ids, all landlords) settings, to put them back later."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(%s, true), current_setting(%s, true)",
            [LANDLORD_IDS, ALL_LANDLORDS],
        )
        ids, everything = cursor.fetchone()
    return [int(pk) for pk in (ids or "").split(",") if pk], everything == "on"


def restore_scope(saved: tuple[list[int], bool], using=DEFAULT_DB_ALIAS) -> None:
    set_scope(landlord_ids=saved[0], all_landlords=saved[1], using=using)


@contextmanager
def all_landlords(using=DEFAULT_DB_ALIAS):
    """Trusted system work inside a request (e.g. a page opened by a secret link)."""
    if not is_active(using):
        yield
        return
    saved = current_scope(using)
    set_scope(all_landlords=True, using=using)
    try:
        yield
    finally:
        restore_scope(saved, using)


def scope_request_user(user, using=DEFAULT_DB_ALIAS) -> None:
    """Superuser: all; anonymous or inactive: none; otherwise the landlords of the resolvers.

    One query, or two when a resolver answers with a queryset (a tenant's household, an
    applicant's applications: protected tables): the wall is opened by the first, and the second
    reads those querysets (as one UNION, an InitPlan evaluated before the target list) and writes
    the landlord ids with the wall closed again, in the same statement.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        set_scope(using=using)
        return
    if getattr(user, "is_superuser", False):
        set_scope(all_landlords=True, using=using)
        return
    ids: set[int] = set()
    querysets = []
    for resolver in _resolvers:
        found = resolver(user)
        if isinstance(found, QuerySet):
            querysets.append(found.order_by())
        else:
            ids.update(found)
    if not querysets:
        set_scope(landlord_ids=ids, using=using)
        return
    set_scope(all_landlords=True, using=using)
    union = querysets[0].union(*querysets[1:]) if len(querysets) > 1 else querysets[0]
    union_sql, union_params = union.query.sql_with_params()
    known = ",".join(str(int(pk)) for pk in sorted(ids))
    with connections[using].cursor() as cursor:
        cursor.execute(
            # The inner SQL is Django's own compilation of the resolvers' querysets, with params.
            "SELECT set_config(%s, concat_ws(',', NULLIF(%s, ''), "  # noqa: S608
            f"(SELECT string_agg(DISTINCT found::text, ',') FROM ({union_sql}) AS resolved(found))"
            "), false), set_config(%s, 'off', false)",
            [LANDLORD_IDS, known, *union_params, ALL_LANDLORDS],
        )


def after_request(using=DEFAULT_DB_ALIAS) -> None:
    """Called by the middleware when the view returns: nothing to do in the portal.

    The settings are not cleared here: a streamed response (CSV exports, files) still reads after
    the middleware has returned. Every request and task overwrites them before its first query,
    and a new connection starts with none. The test suite's RLS_APP_ROLE=1 mode puts the trusted
    scope back here, for the test's own assertions.
    """


# ---------------------------------------------------------------------------------------------
# SQL: the functions and the policies (applied by post_migrate, as the owner)

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION portal_landlord_ids() RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN coalesce(current_setting('{LANDLORD_IDS}', true), '') = ''
                THEN '{{}}'::bigint[]
                ELSE string_to_array(current_setting('{LANDLORD_IDS}', true), ',')::bigint[] END
$$;
CREATE OR REPLACE FUNCTION portal_all_landlords() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('{ALL_LANDLORDS}', true), '') = 'on'
$$;
"""


def _qn(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def landlord_condition(model, path: str, alias: str, depth: int = 0) -> str:
    """SQL true when the row ``alias`` of ``model`` belongs to one of the current landlords."""
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    if not rest:
        return f"{alias}.{_qn(field.column)} = ANY (portal_landlord_ids())"
    parent = field.related_model
    parent_alias = f"p{depth}"
    # Table and column names come from the models' _meta, quoted: nothing from a user.
    return (
        f"EXISTS (SELECT 1 FROM {_qn(parent._meta.db_table)} {parent_alias} "  # noqa: S608
        f"WHERE {parent_alias}.{_qn(parent._meta.pk.column)} = {alias}.{_qn(field.column)} "
        f"AND {landlord_condition(parent, rest, parent_alias, depth + 1)})"
    )


def policy_sql(model, path: str) -> str:
    table = _qn(model._meta.db_table)
    condition = f"portal_all_landlords() OR {landlord_condition(model, path, table)}"
    return (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
        f"DROP POLICY IF EXISTS {POLICY} ON {table};\n"
        f"CREATE POLICY {POLICY} ON {table} USING ({condition}) WITH CHECK ({condition});"
    )


def protected_models():
    from django.apps import apps

    return {label: apps.get_model(label) for label in PROTECTED}


def apply_policies(*, using=DEFAULT_DB_ALIAS) -> int:
    """Create or replace the functions and every policy (idempotent). Returns the table count.

    Tables not created yet (a partial ``migrate``) are skipped; the next ``migrate`` covers them.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    existing = set(connection.introspection.table_names())
    models = [
        (model, PROTECTED[label])
        for label, model in protected_models().items()
        if model._meta.db_table in existing
    ]
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        for model, path in models:
            cursor.execute(policy_sql(model, path))
    return len(models)


def apply_policies_after_migrate(sender, *, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate handler: once per ``migrate`` (sent for the portal app), as the owner."""
    if sender.name == "portal":
        apply_policies(using=using)


def app_role_grants_sql(role: str) -> str:
    """What the application role may do: rows of every table of the schema, through the policies."""
    role = _qn(role)
    return (
        f"GRANT USAGE ON SCHEMA public TO {role};\n"
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};\n"
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};\n"
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};\n"
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role};"
    )


class SecretLinkMixin:
    """Pages opened without a login by a secret (invitation link, activation code, signed link).

    The secret is the authorisation, checked by the view's service, and it names exactly one row;
    the row may belong to any landlord, so the whole view runs with every landlord open (wrapped
    around ``as_view()``, so that a ``dispatch()`` of the view is covered too). The response is
    rendered inside, so that the template's lazy reads are covered as well.
    """

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)

        @functools.wraps(view)
        def secret_link_view(request, *args, **kwargs):
            with all_landlords():
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            return response

        return secret_link_view
