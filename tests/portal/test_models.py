"""The models' common base (portal.models.TimeStampedModel)."""

import pytest
from django.utils import translation

from tenants.models import Household, Person, PersonRole
from tests.factories import HouseholdFactory


def test_a_choice_label_is_read_in_the_language_of_the_moment():
    """``get_…_display()`` keeps each field's labels once, lazy: French, then English, then
    French again, and a value outside the choices shows as it is (as Django does)."""
    person = Person(role=PersonRole.LEASE_HOLDER)
    with translation.override("fr"):
        assert person.get_role_display() == "titulaire du bail"
    with translation.override("en"):
        assert person.get_role_display() == "lease holder"
    with translation.override("fr"):
        assert person.get_role_display() == "titulaire du bail"
    person.role = "inconnu"
    assert person.get_role_display() == "inconnu"


@pytest.mark.django_db
def test_phone_numbers_read_back_are_each_rows_own(actis):
    """Numbers are parsed once per distinct number (portal.fields.PhoneField), yet each row gets
    its own object, formatted in the French way; a number stored malformed reads back as typed."""
    first = HouseholdFactory(landlord=actis, phone="04 76 12 34 56", mobile_phone="")
    second = HouseholdFactory(landlord=actis, phone="+33476123456")
    Household.objects.filter(pk=second.pk).update(mobile_phone="pas un numéro")
    one, two = Household.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert one.phone == two.phone
    assert one.phone is not two.phone
    assert str(one.phone) == "04 76 12 34 56"
    assert str(two.mobile_phone) == "pas un numéro"
    assert one.mobile_phone == ""
