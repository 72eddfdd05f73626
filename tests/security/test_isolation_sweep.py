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

import re
from collections import Counter
from dataclasses import dataclass, field

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
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from allocations.models import (
    AgendaItem,
    Candidacy,
    Committee,
    CommitteeMember,
    Decision,
    HousingApplication,
    OccupancyReview,
    Offer,
    ScoringGrid,
    Sitting,
    Vacancy,
)
from housing.models import Agency, Building, Dwelling, Landlord, Role, StaffMembership
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
    WaitingListEntry,
)
from portal.models import User
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
)
from tests.factories import LandlordFactory, UserFactory, make_tenant
from tests.security.summary import SWEEP_FIGURES
from tests.security.world import build_appointments, build_household, build_world

pytestmark = pytest.mark.django_db

# --- The tables: one line per route, per model, per public page. ---------------------------------

# Route name → {URL parameter: model of the object it names}. Admin per-model routes
# (``admin:<app>_<model>_change`` …) are derived from the admin and need no line here.
ROUTE_OBJECTS: dict[str, dict[str, type]] = {
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
}

# Parameters that name no object: the value the sweep puts in them (a forged token, etc.).
PLAIN_PARAMETERS = {
    "token": "jeton-contrefait",
    "uidb64": "MQ",
    "app_label": "tenants",
    "url": "nulle-part/",  # the admin's catch-all
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
}

ADMIN_OBJECT_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/")
TENANT_PREFIX = "espace/"
STAFF_PREFIX = "personnel/"
ADMIN_PREFIX = "admin/"
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


# --- Walking the resolver. -----------------------------------------------------------------------


@dataclass
class Route:
    name: str  # namespaced name, or the route string when the pattern has none
    route: str  # the whole route, e.g. "personnel/menages/<int:pk>/"
    parameters: list[str]
    named: bool
    objects: dict[str, type] = field(default_factory=dict)

    def url(self, values: dict) -> str:
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
        if pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        else:
            name = route
        yield Route(name=name, route=route, parameters=parameters, named=bool(pattern.name))


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def admin_model(route: Route):
    match = ADMIN_OBJECT_ROUTE.match(route.route)
    if not match:
        return None
    return apps.get_model(match["app"], match["model"])


def resolve_objects(route: Route, problems: list[str]) -> None:
    """Fill ``route.objects`` from the tables; record what is missing in ``problems``."""
    table = dict(ROUTE_OBJECTS.get(route.name, {}))
    model = admin_model(route)
    if model is not None:
        table["object_id"] = model
    if route.name == "admin:view_on_site":
        table = {"content_type_id": ContentType, "object_id": Household}
    for parameter in route.parameters:
        if parameter in table:
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
        response = getattr(client, method)(url, follow=follow)
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

    def refuses(self, kind, client, url, route, *, refusal: int) -> None:
        """GET and POST are both refused, and at least one with ``refusal`` (405: wrong method)."""
        codes = {
            self.check(kind, client, method, url, {refusal, 405}, route)
            for method in ("get", "post")
        }
        if refusal not in codes:
            self.failures.append(f"[{kind}] {url} ({route.name}) never answered {refusal}")


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
    sweep = Sweep()
    login_pages = ["/comptes/login/", "/admin/login/"]
    for route in routes:
        is_tenant = route.route.startswith(TENANT_PREFIX)
        is_staff_page = route.route.startswith((STAFF_PREFIX, ADMIN_PREFIX))
        foreign = neighbour if is_tenant else other_landlord
        url = route.url(_values(route, foreign))

        if route.name not in PUBLIC_ROUTES:
            sweep.check("anonyme", anonymous, "get", url, {302}, route, location=login_pages)
        if not (is_tenant or is_staff_page) or route.name in PUBLIC_ROUTES:
            continue
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
