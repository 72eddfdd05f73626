"""Demo data of the appointments with advisers: weekly rules for every demo adviser, and slots.

``seed_appointments_demo()`` is idempotent: rules are looked up before they are created, and slot
generation only adds what is missing. Call it after the tenants demo (which creates the staff).
"""

import datetime

from housing.models import Agency, Role, StaffMembership
from outreach.models import AvailabilityRule
from outreach.services.appointments import slots_generate

# (role, weekdays, start, end, slot minutes)
DEMO_RULES = [
    (Role.RECOVERY_OFFICER, (1, 3), datetime.time(9, 0), datetime.time(12, 0), 30),
    (Role.SOCIAL_ADVISER, (0, 2), datetime.time(14, 0), datetime.time(17, 0), 45),
]


def seed_appointments_demo() -> dict[str, int]:
    first_agency = {}
    for agency in Agency.objects.order_by("landlord_id", "name"):
        first_agency.setdefault(agency.landlord_id, agency)
    memberships = StaffMembership.objects.filter(
        role__in=[Role.RECOVERY_OFFICER, Role.SOCIAL_ADVISER]
    ).values_list("user_id", "landlord_id", "role")
    existing = set(AvailabilityRule.objects.values_list("adviser_id", "landlord_id", "weekday"))
    new_rules = []
    for user_id, landlord_id, role in memberships:
        agency = first_agency.get(landlord_id)
        if agency is None:
            continue
        for rule_role, weekdays, start, end, minutes in DEMO_RULES:
            if role != rule_role:
                continue
            for weekday in weekdays:
                if (user_id, landlord_id, weekday) in existing:
                    continue
                new_rules.append(
                    AvailabilityRule(
                        landlord_id=landlord_id,
                        agency=agency,
                        adviser_id=user_id,
                        kind=role,
                        weekday=weekday,
                        start_time=start,
                        end_time=end,
                        slot_minutes=minutes,
                    )
                )
    AvailabilityRule.objects.bulk_create(new_rules)
    slots = sum(slots_generate(landlord_id=pk)["created"] for pk in first_agency)
    return {"rules": len(new_rules), "slots": slots}
