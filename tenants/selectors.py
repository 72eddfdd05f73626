"""Reads of households shared by several views."""

import datetime
import functools

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import pgettext

from housing.models import Landlord
from portal.compiled import compiled_query
from portal.sql import column, instance_from_row, select_columns
from tenants.models import Household, Lease, Person, VulnerabilityFlag


def current_leases(*related: str) -> Prefetch:
    """A household's current leases, as ``current_leases``, with ``related`` read alongside."""
    return Prefetch(
        "leases",
        queryset=Lease.objects.current().select_related(*related),
        to_attr="current_leases",
    )


def household_list(user, *, search: str = "", senior: bool = False, flag: str = ""):
    """The households a staff user may see, with what the list shows, in a fixed number of queries."""
    queryset = (
        Household.objects.visible_to(user)
        .select_related("landlord")
        # A subquery, not MIN over a join: the count and the page then read only the households
        # they need (at 100,000 households the join grouped every visible one, twice).
        .annotate(
            oldest_birth_date=Subquery(
                Person.objects.filter(household=OuterRef("pk"), birth_date__isnull=False)
                .order_by("birth_date")
                .values("birth_date")[:1]
            )
        )
        .prefetch_related(
            current_leases("dwelling__building"),
            Prefetch("flags", queryset=VulnerabilityFlag.objects.active(), to_attr="active_flags"),
        )
        .order_by("name", "reference")
    )
    if search.strip():
        queryset = queryset.search(search)
    if senior:
        queryset = queryset.with_senior()
    if flag:
        queryset = queryset.filter(
            Exists(VulnerabilityFlag.objects.active().filter(household=OuterRef("pk"), kind=flag))
        )
    return queryset


def household_detail_queryset(user):
    """One household with everything its page shows, scoped to the user."""
    return (
        Household.objects.visible_to(user)
        .select_related("landlord")
        .prefetch_related(
            "people",
            Prefetch(
                "leases",
                queryset=Lease.objects.select_related("dwelling__building__estate").order_by(
                    "-start_date"
                ),
            ),
            Prefetch("flags", queryset=VulnerabilityFlag.objects.order_by("end_date", "kind")),
        )
    )


def tenant_household(user):
    """The household of a tenant user, with its landlord, or None.

    Read through the user's own person row (the scoping's tenant rule itself: a tenant sees the
    household they belong to), in one query; its id is then kept where
    :func:`housing.scoping.tenant_household_ids` looks, so that the page's other scoped queries
    filter on it without asking again. Nothing more: every tenant page asks for the household,
    few show its people or leases (the home does, with :func:`household_with_home`). Plain SQL:
    every tenant page runs it, and the ORM spent four times PostgreSQL's time building it.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_tenant_household_sql(), [user.pk])
        row = cursor.fetchone()  # one person per user (unique)
    if row is None:
        user._portal_household_ids = []
        return None
    width = len(Household._meta.concrete_fields)
    household = instance_from_row(Household, row[:width])
    household.landlord = instance_from_row(Landlord, row[width:])
    user._portal_household_ids = [household.pk]
    return household


@functools.cache
def _tenant_household_sql() -> str:
    quote = connection.ops.quote_name
    person, household = Person._meta, Household._meta

    # Every name comes from the models' metadata; the user id is the one parameter.
    return (
        f"SELECT {select_columns(Household, 'h')}, {select_columns(Landlord, 'l')}"  # noqa: S608
        f" FROM {quote(person.db_table)} p"
        f" JOIN {quote(household.db_table)} h ON h.{column(household, household.pk.name)} = p.{column(person, 'household')}"
        f" JOIN {quote(Landlord._meta.db_table)} l"
        f" ON l.{column(Landlord._meta, Landlord._meta.pk.name)} = h.{column(household, 'landlord')}"
        f" WHERE p.{column(person, 'user')} = %s"
    )


# The tenant home's reads, compiled once per connection (portal.compiled): it is the busiest
# tenant page. The scope is the household itself, the tenant's own (tenant_household).


@compiled_query
def _household_people(*, household_id):
    return Person.objects.filter(household_id=household_id)


@compiled_query
def _household_current_leases(*, household_id, today):
    return (
        Lease.objects.current(today)
        .filter(household_id=household_id)
        .select_related("dwelling__building__agency")
    )


def _requests_of_household(household_id):
    from tenants.models import TechnicalRequest

    return (
        TechnicalRequest.objects.filter(household_id=household_id)
        .select_related("assignee")
        .order_by("-created_at", "-pk")
    )


@compiled_query
def _requests_of(*, household_id):
    return _requests_of_household(household_id)


@compiled_query
def _open_requests_of(*, household_id):
    return _requests_of_household(household_id).open()


# The tenant's home lists this many of the household's latest call-back requests.
HOME_CALLBACK_REQUESTS = 5


@compiled_query
def _callback_requests_of(*, household_id):
    from tenants.models import ContactRequest

    return ContactRequest.objects.filter(
        household_id=household_id, kind=ContactRequest.Kind.CALLBACK
    ).order_by("-created_at", "-pk")[:HOME_CALLBACK_REQUESTS]


def household_with_home(household):
    """``household`` with its people (``home_people``) and its current leases with their dwelling,
    building and agency (``current_leases``)."""
    household.home_people = _household_people(household_id=household.pk)
    household.current_leases = _household_current_leases(
        household_id=household.pk, today=timezone.localdate()
    )
    return household


def tenant_request_list(household) -> list:
    """The household's technical requests, newest first (« Mes demandes »)."""
    return _requests_of(household_id=household.pk)


def tenant_open_requests(household) -> list:
    """The household's technical requests still open, newest first (the tenant's home)."""
    return _open_requests_of(household_id=household.pk)


# ---------------------------------------------------------------------------------------------
# Technical requests


def request_triage_list(
    user,
    *,
    landlord_ids,
    status: str = "",
    category: str = "",
    building: int | None = None,
    channel: str = "",
    older_than_days: int | None = None,
    assignee: int | None = None,
    stale_only: bool = False,
    now=None,
):
    """Requests of the user's landlords, overdue first, then by due date, in constant queries."""
    from django.db.models import BooleanField, Case, Q, When
    from django.utils import timezone

    from tenants.models import OPEN_STATUSES, TechnicalRequest
    from tenants.services.requests import STALE_WORKING_DAYS, working_days_before

    now = now or timezone.now()
    stale_before = working_days_before(now, STALE_WORKING_DAYS)
    queryset = (
        TechnicalRequest.objects.visible_to(user)
        .filter(landlord_id__in=landlord_ids)
        .select_related("household", "dwelling__building", "building", "assignee", "landlord")
        .annotate(
            overdue=Case(
                When(Q(status__in=OPEN_STATUSES, due_at__lt=now), then=True),
                default=False,
                output_field=BooleanField(),
            ),
            stale=Case(
                When(Q(status__in=OPEN_STATUSES, last_update_at__lt=stale_before), then=True),
                default=False,
                output_field=BooleanField(),
            ),
        )
        .order_by("-overdue", "due_at", "pk")
    )
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if building:
        queryset = queryset.filter(Q(dwelling__building_id=building) | Q(building_id=building))
    if channel:
        queryset = queryset.filter(channel=channel)
    if older_than_days:
        queryset = queryset.filter(created_at__lt=now - datetime.timedelta(days=older_than_days))
    if assignee == 0:
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee:
        queryset = queryset.filter(assignee_id=assignee)
    if stale_only:
        queryset = queryset.filter(stale=True)
    return queryset


def stale_requests(*, landlord_ids=None, now=None):
    """Open requests with no news for 10 working days (for supervisors and the beat job)."""
    from django.utils import timezone

    from tenants.models import TechnicalRequest
    from tenants.services.requests import STALE_WORKING_DAYS, working_days_before

    now = now or timezone.now()
    queryset = TechnicalRequest.objects.open().filter(
        last_update_at__lt=working_days_before(now, STALE_WORKING_DAYS)
    )
    if landlord_ids is not None:
        queryset = queryset.filter(landlord_id__in=landlord_ids)
    return queryset.select_related("household", "building", "assignee").order_by("last_update_at")


def tenant_requests(user, household):
    return _requests_of_household(household.pk).visible_to(user)


def tenant_callback_requests(household) -> list:
    """The household's latest call-back requests, handled or not, for the tenant's home page."""
    return _callback_requests_of(household_id=household.pk)


def request_timeline(request, *, include_internal: bool):
    from tenants.models import RequestEvent

    events = RequestEvent.objects.filter(request=request).select_related("author")
    if not include_internal:
        events = events.filter(is_internal=False)
    return events.order_by("created_at", "pk")


# Apps above tenants add their own sections to the household's export (right of access) by
# connecting a receiver that returns ``{section title: rows}``; see outreach.data_export.
household_data_export_sections = Signal()


def data_export_history_key() -> str:
    """The key of a technical request's messages in the export (the page lists them apart)."""
    return pgettext("mes données", "historique")


def household_data_export(household) -> dict:
    """Everything the landlord holds about a household: the right of access (RGPD, article 15).

    The tenant space's pages leave out what staff keep for their work (vulnerability flags,
    internal notes); this export does not: a person's right of access covers the data held about
    them. Sections of the other apps (calls with their notes, appointments…) come through
    ``household_data_export_sections``. A constant number of queries.

    The keys are written for the person reading them, in the language of the request: French
    (``"ménage" → "référence"``) or English (``"household" → "reference"``), the same shape in
    both. Every key is ``pgettext("mes données", …)`` (a person's last name: context
    ``"mes données, personne"``), so the export's wording stays its own; sections of the other
    apps follow the same rule. Values keep their own form: dates ISO 8601, amounts as decimal
    strings, yes/no as JSON booleans, labels of coded values in the reader's language.
    """
    from tenants.models import ContactRequest, HouseholdAccess, RequestEvent, TechnicalRequest

    leases = Lease.objects.filter(household=household).select_related("dwelling__building")
    requests = TechnicalRequest.objects.filter(household=household).order_by("created_at", "pk")
    messages = RequestEvent.objects.filter(request__household=household).order_by(
        "request_id", "created_at", "pk"
    )
    by_request: dict[int, list] = {}
    for event in messages:
        by_request.setdefault(event.request_id, []).append(
            {
                pgettext("mes données", "date"): event.created_at.isoformat(),
                pgettext("mes données", "type"): event.get_kind_display(),
                pgettext("mes données", "état"): event.get_to_status_display()
                if event.to_status
                else "",
                pgettext("mes données", "texte"): event.body,
                pgettext("mes données", "note interne du bailleur"): event.is_internal,
            }
        )
    return {
        pgettext("mes données", "ménage"): {
            pgettext("mes données", "référence"): household.reference,
            pgettext("mes données", "nom"): household.name,
            pgettext("mes données", "bailleur"): household.landlord.name,
            pgettext("mes données", "téléphone fixe"): str(household.phone or ""),
            pgettext("mes données", "téléphone portable"): str(household.mobile_phone or ""),
            pgettext("mes données", "e-mail"): household.email,
            pgettext("mes données", "langue préférée"): household.preferred_language,
            pgettext(
                "mes données", "moyen de contact préféré"
            ): household.get_contact_preference_display(),
            pgettext("mes données", "ne souhaite pas être appelé"): household.do_not_call,
        },
        pgettext("mes données", "personnes"): [
            {
                pgettext("mes données", "prénom"): person.first_name,
                pgettext("mes données, personne", "nom"): person.last_name,
                pgettext("mes données", "date de naissance"): person.birth_date.isoformat()
                if person.birth_date
                else None,
                pgettext("mes données", "rôle"): person.get_role_display(),
                pgettext("mes données", "compte"): person.user.email if person.user_id else None,
            }
            for person in household.people.select_related("user").order_by("pk")
        ],
        pgettext("mes données", "baux"): [
            {
                pgettext("mes données", "logement"): lease.dwelling.reference,
                pgettext("mes données", "adresse"): f"{lease.dwelling.building.address}, "
                f"{lease.dwelling.building.postal_code} {lease.dwelling.building.city}",
                pgettext("mes données", "typologie"): lease.dwelling.typology,
                pgettext("mes données", "étage"): lease.dwelling.floor,
                pgettext("mes données", "loyer"): str(lease.dwelling.rent),
                pgettext("mes données", "charges"): str(lease.dwelling.charges),
                pgettext("mes données", "début"): lease.start_date.isoformat(),
                pgettext("mes données", "fin"): lease.end_date.isoformat()
                if lease.end_date
                else None,
            }
            for lease in leases
        ],
        pgettext("mes données", "demandes techniques"): [
            {
                pgettext("mes données", "référence"): request.reference,
                pgettext("mes données", "date"): request.created_at.isoformat(),
                pgettext("mes données", "catégorie"): request.get_category_display(),
                pgettext("mes données", "description"): request.description,
                pgettext("mes données", "état"): request.get_status_display(),
                data_export_history_key(): by_request.get(request.pk, []),
            }
            for request in requests
        ],
        pgettext("mes données", "fragilités enregistrées"): [
            {
                pgettext("mes données", "type"): flag.get_kind_display(),
                pgettext("mes données", "depuis"): flag.start_date.isoformat(),
                pgettext("mes données", "jusqu'au"): flag.end_date.isoformat()
                if flag.end_date
                else None,
                pgettext("mes données", "montant de l'impayé"): str(flag.arrears_amount)
                if flag.arrears_amount is not None
                else None,
                pgettext("mes données", "origine"): flag.get_source_display(),
                pgettext("mes données", "note"): flag.note,
            }
            for flag in VulnerabilityFlag.objects.filter(household=household).order_by(
                "start_date", "pk"
            )
        ],
        pgettext("mes données", "consultations du dossier"): [
            {
                pgettext("mes données", "date"): access.accessed_at.isoformat(),
                pgettext("mes données", "personne"): access.user.get_full_name()
                or access.landlord.name,
                pgettext("mes données", "écran"): access.get_screen_display(),
            }
            for access in HouseholdAccess.objects.filter(household_id=household.pk)
            .select_related("user", "landlord")
            .order_by("accessed_at", "pk")
        ],
        pgettext("mes données", "demandes de contact"): [
            {
                pgettext("mes données", "date"): contact.created_at.isoformat(),
                pgettext("mes données", "type"): contact.get_kind_display(),
                pgettext("mes données", "motif"): contact.reason,
                pgettext("mes données", "traitée"): contact.handled_at is not None,
            }
            for contact in ContactRequest.objects.filter(household=household).order_by("pk")
        ],
        **{
            title: rows
            for _receiver, sections in household_data_export_sections.send(
                sender=Household, household=household
            )
            for title, rows in sections.items()
        },
    }


def request_statistics(*, landlord_ids, since=None):
    """Per category and per technician: volumes, overdue, average delay to close, satisfaction.

    Two grouped queries whatever the number of requests.
    """
    from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
    from django.utils import timezone

    from tenants.models import OPEN_STATUSES, RequestStatus, TechnicalRequest

    now = timezone.now()
    queryset = TechnicalRequest.objects.filter(landlord_id__in=landlord_ids)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    delay = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    done = Q(status=RequestStatus.DONE)
    measures = {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        "done_late": Count("pk", filter=done & Q(closed_at__gt=F("due_at"))),
        "done": Count("pk", filter=done),
        "average_delay": Avg(delay, filter=done),
        "rated": Count("rating"),
        "average_rating": Avg("rating"),
    }
    by_category = list(queryset.values("category").annotate(**measures).order_by("category"))
    labels = dict(TechnicalRequest.Category.choices)
    for row in by_category:
        row["label"] = labels[row["category"]]
    by_assignee = list(
        queryset.values(
            "assignee", "assignee__first_name", "assignee__last_name", "assignee__email"
        )
        .annotate(**measures)
        .order_by("assignee__last_name", "assignee__first_name", "assignee")
    )
    return {"by_category": by_category, "by_assignee": by_assignee}
