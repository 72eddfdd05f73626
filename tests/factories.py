"""factory_boy factories for the whole suite."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from housing.models import (
    Agency,
    Building,
    Dwelling,
    Estate,
    Landlord,
    Role,
    StaffMembership,
    WorksEvent,
    WorksNotice,
    WorksSite,
)
from portal.models import User
from tenants.models import Household, Lease, Person, VulnerabilityFlag

PASSWORD = "mot-de-passe-de-test-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class LandlordFactory(DjangoModelFactory):
    class Meta:
        model = Landlord
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"bailleur-{n}")
    name = factory.Sequence(lambda n: f"Bailleur {n}")
    kind = Landlord.Kind.OPH
    email = factory.LazyAttribute(lambda o: f"contact@{o.slug}.fr")


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    landlord = factory.SubFactory(LandlordFactory)
    name = factory.Sequence(lambda n: f"Agence {n}")
    address = "10 avenue de la Vanoise"
    postal_code = "38100"
    city = "Grenoble"
    email = factory.Sequence(lambda n: f"agence{n}@exemple.fr")
    phone = "+33476000000"
    opening_hours = "Du lundi au vendredi, 8 h 30 – 12 h"


class EstateFactory(DjangoModelFactory):
    class Meta:
        model = Estate
        django_get_or_create = ["slug"]

    slug = "villeneuve-grenoble"
    name = "Villeneuve de Grenoble"
    city = "Grenoble"


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    landlord = factory.SubFactory(LandlordFactory)
    estate = factory.SubFactory(EstateFactory)
    reference = factory.Sequence(lambda n: f"BAT-{n:04d}")
    name = factory.Sequence(lambda n: f"{n} galerie de l'Arlequin")
    address = factory.LazyAttribute(lambda o: o.name)
    postal_code = "38100"
    city = "Grenoble"
    floors = 10
    has_lift = True


class DwellingFactory(DjangoModelFactory):
    class Meta:
        model = Dwelling

    building = factory.SubFactory(BuildingFactory)
    landlord = factory.SelfAttribute("building.landlord")
    reference = factory.Sequence(lambda n: f"LOG-{n:06d}")
    typology = Dwelling.Typology.T3
    floor = 2
    surface = Decimal("65.50")
    rent = Decimal("412.30")
    charges = Decimal("98.00")
    status = Dwelling.Status.OCCUPIED


def make_staff(landlord, role=Role.CALLER, **user_fields) -> User:
    """A staff user holding ``role`` at ``landlord``."""
    user = UserFactory(**user_fields)
    StaffMembership.objects.create(user=user, landlord=landlord, role=role)
    return user


def make_tenant(household, **user_fields) -> User:
    """A tenant user: the lease holder of ``household`` with a login."""
    user = UserFactory(**user_fields)
    PersonFactory(household=household, user=user)
    return user


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    landlord = factory.SubFactory(LandlordFactory)
    reference = factory.Sequence(lambda n: f"MEN-{n:06d}")
    name = factory.LazyAttribute(lambda o: f"Famille {o.reference}")
    mobile_phone = "+33612345678"
    email = factory.Sequence(lambda n: f"menage{n}@exemple.fr")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = datetime.date(1970, 5, 17)
    role = Person.Role.LEASE_HOLDER


class LeaseFactory(DjangoModelFactory):
    class Meta:
        model = Lease

    household = factory.SubFactory(HouseholdFactory)
    dwelling = factory.SubFactory(
        DwellingFactory, building__landlord=factory.SelfAttribute("...household.landlord")
    )
    start_date = datetime.date(2015, 9, 1)
    end_date = None


class VulnerabilityFlagFactory(DjangoModelFactory):
    class Meta:
        model = VulnerabilityFlag

    household = factory.SubFactory(HouseholdFactory)
    kind = VulnerabilityFlag.Kind.ISOLATED
    start_date = datetime.date(2020, 3, 17)


class WorksSiteFactory(DjangoModelFactory):
    class Meta:
        model = WorksSite
        skip_postgeneration_save = True

    landlord = factory.SubFactory(LandlordFactory)
    kind = WorksSite.Kind.REHABILITATION
    name = factory.Sequence(lambda n: f"Réhabilitation n° {n}")
    contractor = "BTP Dauphiné"
    planned_start = datetime.date(2020, 1, 6)
    planned_end = datetime.date(2021, 6, 30)

    @factory.post_generation
    def buildings(self, create, extracted, **kwargs):
        if create and extracted:
            self.buildings.set(extracted)


class WorksEventFactory(DjangoModelFactory):
    class Meta:
        model = WorksEvent

    site = factory.SubFactory(WorksSiteFactory)
    kind = WorksEvent.Kind.STARTED
    date = datetime.date(2020, 1, 6)


class WorksNoticeFactory(DjangoModelFactory):
    class Meta:
        model = WorksNotice

    site = factory.SubFactory(WorksSiteFactory)
    title = factory.Sequence(lambda n: f"Avis n° {n}")
    body = "Les travaux de façade reprennent lundi."
    published_on = datetime.date(2020, 5, 11)
