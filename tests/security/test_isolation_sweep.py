"""The isolation sweep: every route of the project, filled with somebody else's objects.

It walks the whole URL resolver (staff pages, tenant space, Django admin with its per-model pages,
exports, file downloads, and whatever is added later) and checks that:

- an anonymous visitor is sent to a login page (except on the few public routes listed below);
- a staff member of Actis holding EVERY role (and every admin permission, without being a superuser)
  gets 404 on every route filled with objects of another landlord (SDH), in GET and in POST;
- a tenant of an Actis household gets 404 on every tenant route filled with objects of another
  household of the same landlord, and is refused the staff pages (403) and the admin (login);
- staff are refused the tenant space (404).

Each object parameter is filled through ONE explicit table, ``ROUTE_OBJECTS`` (route name → URL
parameter → model; admin per-model routes are derived from the admin itself). A route with a
parameter that is not in the table makes the sweep fail and says which line to add: a new URL
can't slip in unscoped or unchecked. The figures (routes and cases) are printed at the end of the
run, and written in docs/security.md.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from allocations.models import (
    AgendaItem,
    Candidacy,
    Committee,
    CommitteeMember,
    Decision,
    HousingApplication,
    LetterDispatch,
    LettingEvent,
    OccupancyReview,
    Offer,
    RehousingFile,
    ScoringGrid,
    Sitting,
    Vacancy,
    VacancyPhoto,
    VisitBooking,
    VisitSlot,
)
from housing.models import (
    Agency,
    Building,
    CaretakerAssignment,
    DutyCompletion,
    DutyRound,
    Dwelling,
    Estate,
    Export,
    IntegrationToken,
    Landlord,
    RetentionPolicy,
    RetentionRun,
    Role,
    StaffMembership,
    WorksEvent,
    WorksNotice,
    WorksSite,
)
from housing.services import integration_token_create
from outreach.models import (
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    CallLog,
    CallTask,
    Campaign,
    Need,
    Partner,
    QueueBuild,
    Referral,
    Reminder,
    Slot,
    SolidarityEntry,
    SolidarityTask,
    WaitingListEntry,
)
from portal.models import OutboxMessage, User
from tenants.models import (
    ActivationCode,
    ContactRequest,
    Household,
    HouseholdAccess,
    Lease,
    Person,
    RequestPhoto,
    TechnicalRequest,
    TenantInvitation,
    VulnerabilityFlag,
    WorksNoticeDelivery,
)
from tests.factories import LandlordFactory, UserFactory, make_tenant
from tests.security.summary import SWEEP_FIGURES
from tests.security.world import (
    build_allocations,
    build_appointments,
    build_household,
    build_letting,
    build_works,
    build_world,
)

pytestmark = pytest.mark.django_db

# --- The tables: one line per route, per model, per public page. ---------------------------------

# Route name → {URL parameter: model of the object it names}. Admin per-model routes
# (``admin:<app>_<model>_change`` …) are derived from the admin and need no line here.
# A line may list several variants (a list): the route is swept once per variant, e.g. the letter
# pages, whose ``kind`` says which model ``pk`` names. A string value is put in the URL as is.
LETTERS = [
    {"kind": "decision", "pk": Decision},
    {"kind": "proposition", "pk": Offer},
    {"kind": "examen", "pk": OccupancyReview},
]
ROUTE_OBJECTS: dict[str, dict[str, type | str] | list[dict[str, type | str]]] = {
    "housing:building_detail": {"pk": Building},
    "tenants:household_detail": {"pk": Household},
    "tenants:request_create": {"pk": Household},
    "tenants:tenant_invite": {"pk": Household, "person_pk": Person},
    "tenants:activation_code": {"pk": Household, "person_pk": Person},
    "tenants:dwelling_detail": {"pk": Dwelling},
    "tenants:request_detail": {"pk": TechnicalRequest},
    "tenants:request_status": {"pk": TechnicalRequest},
    "tenants:request_assign": {"pk": TechnicalRequest},
    "tenants:request_note": {"pk": TechnicalRequest},
    "tenants:request_message": {"pk": TechnicalRequest},
    "tenants:request_photo": {"pk": TechnicalRequest, "photo_pk": RequestPhoto},
    "tenants:contact_handled": {"pk": ContactRequest},
    "outreach:campaign_detail": {"pk": Campaign},
    "outreach:campaign_update": {"pk": Campaign},
    "outreach:campaign_status": {"pk": Campaign},
    "outreach:campaign_build": {"pk": Campaign},
    "outreach:campaign_build_status": {"pk": Campaign, "build_pk": QueueBuild},
    "outreach:campaign_questions": {"pk": Campaign},
    "outreach:campaign_export": {"pk": Campaign},
    "outreach:caller_next": {"pk": Campaign},
    "outreach:caller_call": {"pk": CallTask},
    "outreach:caller_log": {"pk": CallTask},
    "outreach:caller_release": {"pk": CallTask},
    "outreach:caller_skip": {"pk": CallTask},
    "outreach:partner_update": {"pk": Partner},
    "outreach:referral_status": {"pk": Referral},
    "outreach:solidarity_close": {"pk": SolidarityEntry},
    "outreach:solidarity_follow_up": {"pk": SolidarityEntry},
    "outreach:appointment_staff_book": {"household_pk": Household},
    "outreach:appointment_detail": {"pk": Appointment},
    "outreach:availability_rule_end": {"pk": AvailabilityRule},
    "outreach:availability_rule_remove": {"pk": AvailabilityRule},
    "outreach:availability_absence_remove": {"pk": AvailabilityException},
    "allocations:vacancy_detail": {"pk": Vacancy},
    "allocations:sitting_minutes": {"pk": Sitting},
    "allocations:sitting_minutes_pdf": {"pk": Sitting},
    "allocations:member_agenda": {"pk": Sitting},
    "appointments:confirmation": {"pk": Appointment},
    "appointments:cancel": {"pk": Appointment},
    "appointments:move": {"pk": Appointment},
    "appointments:appointment_link_cancel": {"pk": Appointment},
    "appointments:appointment_link_move": {"pk": Appointment},
    "appointments:waiting_offer": {"pk": WaitingListEntry},
    "tenant_request_detail": {"pk": TechnicalRequest},
    "tenant_request_message": {"pk": TechnicalRequest},
    "tenant_request_confirm": {"pk": TechnicalRequest},
    "tenant_request_reopen": {"pk": TechnicalRequest},
    "tenant_request_join": {"pk": TechnicalRequest},
    "tenant_request_photo": {"pk": TechnicalRequest, "photo_pk": RequestPhoto},
    "admin:auth_user_password_change": {"id": User},
    "admin:otp_totp_totpdevice_config": {"pk": TOTPDevice},
    "admin:otp_totp_totpdevice_qrcode": {"pk": TOTPDevice},
    # Works sites, their notices, rehousing.
    "housing:works_detail": {"pk": WorksSite},
    "housing:works_event_add": {"pk": WorksSite},
    "tenants:works_notice_create": {"pk": WorksSite},
    "tenants:works_notice_publish": {"pk": WorksNotice},
    "tenants:works_notice_photo": {"pk": WorksNotice},
    "tenant_works_notice_photo": {"pk": WorksNotice},
    "allocations:rehousing_site": {"pk": WorksSite},
    "allocations:rehousing_open": {"pk": WorksSite},
    "allocations:rehousing_file": {"pk": RehousingFile},
    # Exports: a file is its author's only.
    "housing:export_status": {"pk": Export},
    "housing:export_download": {"pk": Export},
    # Caretakers.
    "outreach:caretaker_round_done": {"pk": DutyRound},
    "outreach:caretaker_task_done": {"pk": SolidarityTask},
    "outreach:solidarity_task_cancel": {"pk": SolidarityTask},
    # Letting: letters (one line per kind of letter), photos, visits; the applicant's pages.
    "allocations:staff_letter": LETTERS,
    "allocations:staff_letter_pdf": LETTERS,
    "allocations:vacancy_letting": {"pk": Vacancy},
    "allocations:vacancy_photo_add": {"pk": Vacancy},
    "allocations:vacancy_photo_delete": {"pk": Vacancy, "photo_pk": VacancyPhoto},
    "allocations:vacancy_photo": {"pk": VacancyPhoto},
    "allocations:visit_slot_add": {"pk": Vacancy},
    "allocations:visit_slot_book": {"pk": Vacancy, "slot_pk": VisitSlot},
    "allocations:visit_booking_cancel": {"pk": Vacancy, "booking_pk": VisitBooking},
    "applicant:offer_accept": {"pk": Offer},
    "applicant:offer_refuse": {"pk": Offer},
    "applicant:visit_book": {"slot_pk": VisitSlot},
    "applicant:visit_cancel": {"pk": VisitBooking},
    "applicant:letter": LETTERS,
    "applicant:letter_pdf": LETTERS,
    "applicant:photo": {"pk": VacancyPhoto},
    # The API (DRF router: each route also has a ``.<format>`` twin, same table line).
    "api:estate-detail": {"pk": Estate},
    "api:building-detail": {"pk": Building},
    "api:dwelling-detail": {"pk": Dwelling},
    "api:household-detail": {"pk": Household},
    "api:flag-detail": {"pk": VulnerabilityFlag},
    "api:request-detail": {"pk": TechnicalRequest},
    "api:request-set-status": {"pk": TechnicalRequest},
    "api:campaign-detail": {"pk": Campaign},
    "api:call-log-detail": {"pk": CallLog},
    "api:appointment-detail": {"pk": Appointment},
}

# Parameters that name no object: the value the sweep puts in them (a forged token, etc.).
PLAIN_PARAMETERS = {
    "token": "jeton-contrefait",
    "uidb64": "MQ",
    "app_label": "tenants",
    "url": "nulle-part/",  # the admin's catch-all
    "slug": "villeneuve-de-grenoble",  # the public works page of an estate
    "format": "json",  # the API's ``.json`` suffix
}

# Model → lookup from the model to its landlord. Proves the world really belongs to the other
# landlord, and lists every model that holds landlord data.
LANDLORD_OF: dict[type, str] = {
    Landlord: "pk",
    Agency: "landlord",
    Building: "landlord",
    Dwelling: "landlord",
    StaffMembership: "landlord",
    Household: "landlord",
    Person: "household__landlord",
    Lease: "household__landlord",
    VulnerabilityFlag: "household__landlord",
    TechnicalRequest: "landlord",
    RequestPhoto: "request__landlord",
    ContactRequest: "landlord",
    TenantInvitation: "person__household__landlord",
    ActivationCode: "person__household__landlord",
    HouseholdAccess: "landlord",
    WorksNoticeDelivery: "household__landlord",
    Vacancy: "landlord",
    HousingApplication: "landlord",
    ScoringGrid: "landlord",
    Committee: "landlord",
    Sitting: "committee__landlord",
    AgendaItem: "sitting__committee__landlord",
    Candidacy: "agenda_item__sitting__committee__landlord",
    Decision: "agenda_item__sitting__committee__landlord",
    Offer: "vacancy__landlord",
    OccupancyReview: "household__landlord",
    Partner: "landlord",
    Campaign: "landlord",
    CallTask: "landlord",
    CallLog: "landlord",
    Need: "household__landlord",
    Referral: "landlord",
    SolidarityEntry: "landlord",
    QueueBuild: "campaign__landlord",
    BookingSettings: "landlord",
    AvailabilityRule: "landlord",
    AvailabilityException: "landlord",
    Slot: "landlord",
    Appointment: "landlord",
    Reminder: "appointment__landlord",
    WaitingListEntry: "landlord",
    WorksSite: "landlord",
    WorksEvent: "site__landlord",
    WorksNotice: "site__landlord",
    RehousingFile: "landlord",
    CaretakerAssignment: "building__landlord",
    DutyRound: "building__landlord",
    DutyCompletion: "round__building__landlord",
    SolidarityTask: "landlord",
    IntegrationToken: "landlord",
    RetentionPolicy: "landlord",
    RetentionRun: "landlord",
    Export: "created_by__memberships__landlord",  # and its author only, colleagues included
    VacancyPhoto: "vacancy__landlord",
    VisitSlot: "vacancy__landlord",
    VisitBooking: "slot__vacancy__landlord",
    LetterDispatch: "landlord",
    LettingEvent: "vacancy__landlord",
    # Versions kept by django-simple-history (their admin page of one version).
    Household.history.model: "landlord",
    VulnerabilityFlag.history.model: "household__landlord",
    TechnicalRequest.history.model: "landlord",
    Decision.history.model: "agenda_item__sitting__committee__landlord",
    CallLog.history.model: "landlord",
}

# Admin models that hold no landlord data (shared by every landlord), with the reason.
GLOBAL_ADMIN_MODELS = {
    "auth.group": "groupes de permissions, communs",
    "housing.estate": "quartiers (Villeneuve de Grenoble, d'Échirolles), communs",
    "django_celery_beat.periodictask": "tâches périodiques de la plateforme",
    "django_celery_beat.clockedschedule": "tâches périodiques de la plateforme",
    "django_celery_beat.crontabschedule": "tâches périodiques de la plateforme",
    "django_celery_beat.solarschedule": "tâches périodiques de la plateforme",
    "django_celery_beat.intervalschedule": "tâches périodiques de la plateforme",
}
# Admin models only superusers reach: everybody else gets 403.
SUPERUSER_ONLY_ADMIN_MODELS = {
    "portal.user",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "portal.outboxmessage",  # task arguments of every landlord
}

# Routes an anonymous visitor may open, with the reason.
PUBLIC_ROUTES = {
    "home": "redirige vers la connexion",
    "healthz": "sonde de santé",
    "login": "connexion",
    "logout": "déconnexion",
    "password_reset": "mot de passe oublié",
    "password_reset_done": "mot de passe oublié",
    "password_reset_confirm": "lien signé du courriel",
    "password_reset_complete": "mot de passe oublié",
    "set_language": "choix de la langue",
    "tenant_invitation": "lien signé d'invitation",
    "tenant_activation": "code d'activation par courrier",
    "appointments:appointment_link_cancel": "lien signé du courriel",
    "appointments:appointment_link_move": "lien signé du courriel",
    "admin:login": "connexion à l'administration",
    "admin:logout": "déconnexion de l'administration",
    "public_works_index": "travaux en cours par quartier, sans données personnelles",
    "public_works": "travaux en cours d'un quartier, sans données personnelles",
    "api:schema": "description de l'API (OpenAPI), sans données",
    "api:docs": "documentation de l'API, sans données",
    "api:redoc": "documentation de l'API, sans données",
    "api/v1/": "toute autre adresse de l'API : la même erreur 404 en JSON pour tous",
}

# django-simple-history's page of one version: two unnamed groups, the object's id, the version's.
HISTORY_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/\^\(\[\^/\]\+\)/history/")
ADMIN_OBJECT_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/")
TENANT_PREFIX = "espace/"
STAFF_PREFIX = "personnel/"
API_PREFIX = "api/v1/"
ADMIN_PREFIX = "admin/"
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


# --- Walking the resolver. -----------------------------------------------------------------------


@dataclass
class Route:
    name: str  # namespaced name, or the route string when the pattern has none
    route: str  # the whole route, e.g. "personnel/menages/<int:pk>/"
    parameters: list[str]
    named: bool
    positional: bool = False  # unnamed regex groups: reversed with ``args``, in order
    objects: dict[str, type] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)  # plain values of this variant

    def url(self, values: dict) -> str:
        values = {**values, **self.fixed}
        if self.positional:
            return reverse(self.name, args=[values[p] for p in self.parameters])
        if self.named:
            return reverse(self.name, kwargs={p: values[p] for p in self.parameters})
        return "/" + PARAMETER.sub(lambda m: str(values[m["name"]]), self.route)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            continue
        route = prefix + str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern):
            parameters = [m["name"] for m in PARAMETER.finditer(route)]
        else:
            parameters = list(pattern.pattern.regex.groupindex)
        positional = not parameters and bool(HISTORY_ROUTE.match(route))
        if positional:
            parameters = ["object_id", "history_id"]
        if pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        else:
            name = route
        yield Route(
            name=name,
            route=route,
            parameters=parameters,
            named=bool(pattern.name),
            positional=positional,
        )


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def admin_model(route: Route):
    match = ADMIN_OBJECT_ROUTE.match(route.route) or HISTORY_ROUTE.match(route.route)
    if not match:
        return None
    return apps.get_model(match["app"], match["model"])


def resolve_objects(route: Route, problems: list[str]) -> list[Route]:
    """The route once per variant of its table line, with ``objects`` filled from the tables;
    what is missing is recorded in ``problems``."""
    lines = ROUTE_OBJECTS.get(route.name, {})
    variants = []
    for line in lines if isinstance(lines, list) else [lines]:
        variant = replace(route, objects={}, fixed={})
        _resolve_variant(variant, dict(line), problems)
        variants.append(variant)
    return variants


def _resolve_variant(route: Route, table: dict, problems: list[str]) -> None:
    model = admin_model(route)
    if model is not None:
        table["object_id"] = model
        if route.positional:
            table["history_id"] = model.history.model
    if route.name == "admin:view_on_site":
        table = {"content_type_id": ContentType, "object_id": Household}
    for parameter in route.parameters:
        if isinstance(table.get(parameter), str):
            route.fixed[parameter] = table[parameter]
        elif parameter in table:
            route.objects[parameter] = table[parameter]
        elif parameter not in PLAIN_PARAMETERS:
            problems.append(
                f"{route.name} ({route.route}): parameter « {parameter} » is unknown to the "
                f"sweep. Add a line to ROUTE_OBJECTS in {__name__}: "
                f'"{route.name}": {{"{parameter}": <Model>}}, (and scope the view!).'
            )
    for model in route.objects.values():
        if model is ContentType:
            continue
        label = model._meta.label_lower
        if (
            model not in LANDLORD_OF
            and label not in GLOBAL_ADMIN_MODELS
            and label not in SUPERUSER_ONLY_ADMIN_MODELS
        ):
            problems.append(
                f"{route.name}: model {model._meta.label} is unknown to the sweep. Add it to "
                "LANDLORD_OF (lookup to its landlord) and to tests/security/world.py, or to "
                "GLOBAL_ADMIN_MODELS with the reason it holds no landlord data."
            )


def _values(route: Route, world: dict) -> dict:
    values = dict(PLAIN_PARAMETERS)
    for parameter, model in route.objects.items():
        if model is ContentType:
            values[parameter] = ContentType.objects.get_for_model(Household).pk
        elif model in world:
            values[parameter] = world[model].pk
        else:  # shared models: any id does for the anonymous and tenant checks
            assert model not in LANDLORD_OF, f"{route.name}: the world has no {model.__name__}"
            values[parameter] = 1
    return values


def _is_global(route: Route) -> bool:
    return any(m._meta.label_lower in GLOBAL_ADMIN_MODELS for m in route.objects.values())


def _is_superuser_only(route: Route) -> bool:
    return any(m._meta.label_lower in SUPERUSER_ONLY_ADMIN_MODELS for m in route.objects.values())


# --- The sweep. ----------------------------------------------------------------------------------


def _close(response) -> None:
    """Close a file download's file, without the end-of-request signal closing the test's
    database connection (Django's test client disconnects it the same way)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@dataclass
class Sweep:
    failures: list[str] = field(default_factory=list)
    cases: Counter = field(default_factory=Counter)

    def check(self, kind, client, method, url, expected, route, *, location=None) -> int:
        # The admin's bare ``<object_id>/`` only redirects to ``change/``: judge where it leads.
        follow = not route.named and route.route.startswith(ADMIN_PREFIX) and location is None
        # The API reads JSON only: send an empty JSON body, so a refusal is not a 415.
        body = {"data": "{}", "content_type": "application/json"} if method != "get" else {}
        response = getattr(client, method)(url, follow=follow, **body)
        _close(response)
        self.cases[kind] += 1
        ok = response.status_code in expected
        if ok and location is not None:
            ok = any(response.get("Location", "").startswith(p) for p in location)
        if not ok:
            self.failures.append(
                f"[{kind}] {method.upper()} {url} ({route.name}) answered "
                f"{response.status_code} {response.get('Location', '')}, expected {expected}"
            )
        return response.status_code

    def refuses(self, kind, client, url, route, *, refusal: int, methods=("get", "post")) -> None:
        """Every method is refused, and at least one with ``refusal`` (405: wrong method)."""
        codes = {self.check(kind, client, method, url, {refusal, 405}, route) for method in methods}
        if refusal not in codes:
            self.failures.append(f"[{kind}] {url} ({route.name}) never answered {refusal}")


API_METHODS = ("get", "post", "put", "patch", "delete")


def _sweep_route(sweep: Sweep, route: Route, other_landlord, neighbour, login_pages, clients):
    is_tenant = route.route.startswith(TENANT_PREFIX)
    is_api = route.route.startswith(API_PREFIX)
    is_staff_page = route.route.startswith((STAFF_PREFIX, ADMIN_PREFIX))
    foreign = neighbour if is_tenant else other_landlord
    url = route.url(_values(route, foreign))
    public = route.name in PUBLIC_ROUTES
    if is_api:
        if public:
            return
        # The API answers in JSON: no redirection to a login page.
        sweep.check("anonyme", clients["anonymous"], "get", url, {401, 403}, route)
        expected = {403, 404} if route.objects else {403}
        sweep.check("locataire dans l'API", clients["tenant"], "get", url, expected, route)
        if route.objects and not _is_global(route):
            for kind, client in (
                ("API, personnel d'un autre bailleur", clients["staff"]),
                ("API, jeton d'un autre bailleur", clients["token"]),
            ):
                sweep.refuses(kind, client, url, route, refusal=404, methods=API_METHODS)
        return
    if not public:
        sweep.check("anonyme", clients["anonymous"], "get", url, {302}, route, location=login_pages)
    if not (is_tenant or is_staff_page) or public:
        return
    staff, tenant_client = clients["staff"], clients["tenant"]
    if route.objects and not _is_global(route):
        client = tenant_client if is_tenant else staff
        refusal = 403 if _is_superuser_only(route) else 404
        kind = "locataire, autre ménage" if is_tenant else "personnel, autre bailleur"
        sweep.refuses(kind, client, url, route, refusal=refusal)
    if is_tenant:
        url = route.url(_values(route, other_landlord))
        sweep.check("personnel dans l'espace locataire", staff, "get", url, {403, 404}, route)
    elif route.route.startswith(ADMIN_PREFIX):
        sweep.check(
            "locataire dans l'administration",
            tenant_client,
            "get",
            url,
            {302},
            route,
            location=["/admin/login/"],
        )
    else:
        expected = {403, 404} if route.objects else {403}
        sweep.check("locataire chez le personnel", tenant_client, "get", url, expected, route)


@pytest.fixture
def sweep_staff(actis):
    """Actis staff holding every role and every admin permission, but not a superuser."""
    user = UserFactory(email="tous-les-roles@actis.example", is_staff=True)
    StaffMembership.objects.bulk_create(
        [StaffMembership(user=user, landlord=actis, role=role) for role in Role.values]
    )
    user.user_permissions.set(Permission.objects.all())
    committee = Committee.objects.create(landlord=actis, name="CALEOL Actis", territory="Isère")
    CommitteeMember.objects.create(committee=committee, name="Membre", role="board", user=user)
    return user


@pytest.mark.slow
def test_every_route_refuses_other_landlords_and_households(
    actis, sweep_staff, settings, tmp_path, request
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sdh = LandlordFactory(slug="sdh", name="SDH", kind="esh")
    other_landlord = build_world(sdh, tag="sdh")
    own_household = build_household(actis, tag="a")[Household]
    tenant = make_tenant(own_household, email="locataire@actis.example")
    neighbour = build_household(actis, tag="b")
    neighbour.update(
        build_appointments(
            actis,
            neighbour[Household],
            other_landlord["staff"],
            other_landlord[Agency],
            tag="b",
            days=31,
        )
    )
    # The neighbour applies for a home too, and lives in a building with works.
    neighbour_staff = sweep_staff
    neighbour.update(build_allocations(actis, neighbour[Household], neighbour[Lease], tag="b"))
    neighbour.update(build_letting(actis, neighbour, neighbour_staff, tag="b"))
    neighbour.update(
        build_works(actis, neighbour[Household], neighbour[Lease], neighbour_staff, tag="b")
    )
    # Login attempts of another landlord's staff (superuser-only rows).
    other_landlord[AccessAttempt] = AccessAttempt.objects.create(
        username="charlie@sdh.example", ip_address="192.0.2.1", failures_since_start=1
    )
    other_landlord[AccessLog] = AccessLog.objects.create(
        username="charlie@sdh.example", ip_address="192.0.2.1"
    )
    other_landlord[AccessFailureLog] = AccessFailureLog.objects.create(
        username="charlie@sdh.example", ip_address="192.0.2.1"
    )
    other_landlord[TOTPDevice] = TOTPDevice.objects.create(user=other_landlord["staff"], name="t")
    other_landlord[StaticDevice] = StaticDevice.objects.create(
        user=other_landlord["staff"], name="s"
    )
    other_landlord[OutboxMessage] = OutboxMessage.objects.create(
        task_name="tenants.tasks.send_request_update",
        kwargs={"request_id": other_landlord[TechnicalRequest].pk},
    )
    for model, lookup in LANDLORD_OF.items():
        obj = other_landlord[model]
        assert model._default_manager.filter(**{lookup: sdh.pk}).filter(pk=obj.pk).exists(), model

    routes = all_routes()
    problems: list[str] = []
    for route in routes:
        resolve_objects(route, problems)
    assert not problems, "\n".join(problems)

    anonymous, staff, tenant_client = Client(), Client(), Client()
    staff.force_login(sweep_staff)
    tenant_client.force_login(tenant)
    # An integration token of Actis, allowed to write: SDH's objects must not exist for it.
    _token, key = integration_token_create(
        landlord=actis,
        name="Jeton Actis",
        scope=IntegrationToken.Scope.WRITE,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    token_client = Client(headers={"Authorization": f"Bearer {key}"})
    sweep = Sweep()
    login_pages = ["/comptes/login/", "/admin/login/"]
    for pattern in routes:
        for route in resolve_objects(pattern, []):
            _sweep_route(
                sweep,
                route,
                other_landlord,
                neighbour,
                login_pages,
                clients={
                    "anonymous": anonymous,
                    "staff": staff,
                    "tenant": tenant_client,
                    "token": token_client,
                },
            )

    request.config.stash[SWEEP_FIGURES] = {
        "routes": len(routes),
        "cases": dict(sweep.cases),
        "total": sum(sweep.cases.values()),
    }
    assert not sweep.failures, f"{len(sweep.failures)} leak(s):\n" + "\n".join(sweep.failures)


def test_a_route_with_an_unknown_parameter_fails_the_sweep_with_the_line_to_add():
    route = Route(
        name="outreach:new_page",
        route="personnel/x/<int:thing_pk>/",
        parameters=["thing_pk"],
        named=True,
    )
    problems: list[str] = []
    resolve_objects(route, problems)
    assert len(problems) == 1
    assert '"outreach:new_page": {"thing_pk": <Model>}' in problems[0]


def test_every_line_of_the_route_table_names_an_existing_route():
    names = {route.name for route in all_routes()}
    assert set(ROUTE_OBJECTS) - names == set()
    assert set(PUBLIC_ROUTES) - names == set()
