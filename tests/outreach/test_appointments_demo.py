"""The appointments demo gives every demo adviser weekly hours and bookable slots, once."""

from housing.models import Role
from outreach.demo_appointments import seed_appointments_demo
from outreach.models import AvailabilityRule, Slot
from tests.factories import AgencyFactory, make_staff


def test_demo_advisers_get_rules_and_slots_once(actis):
    AgencyFactory(landlord=actis)
    make_staff(actis, Role.RECOVERY_OFFICER, email="recovery-officer@actis.example")
    make_staff(actis, Role.SOCIAL_ADVISER, email="social-adviser@actis.example")
    first = seed_appointments_demo()
    assert first["rules"] == 4
    assert first["slots"] > 0
    assert seed_appointments_demo() == {"rules": 0, "slots": 0}
    assert AvailabilityRule.objects.count() == 4
    assert set(Slot.objects.values_list("kind", flat=True)) == {
        "recovery_officer",
        "social_adviser",
    }
