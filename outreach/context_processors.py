from housing.duties import DUTY_SUPERVISORS
from housing.models import Role
from housing.scoping import landlord_ids_with_role
from outreach.services.appointments import APPOINTMENT_DESK
from outreach.services.availability import AVAILABILITY_ROLES
from outreach.services.campaigns import CALLERS, CAMPAIGN_MANAGERS


def outreach_nav(request):
    """Which call-campaign links the navigation shows (from the memberships already read)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "outreach_can_call": False,
            "outreach_can_manage": False,
            "outreach_can_meet": False,
            "outreach_can_edit_hours": False,
            "outreach_is_caretaker": False,
            "outreach_can_supervise_duties": False,
        }
    return {
        "outreach_can_call": bool(landlord_ids_with_role(user, CALLERS)),
        "outreach_can_manage": bool(landlord_ids_with_role(user, CAMPAIGN_MANAGERS)),
        "outreach_can_meet": bool(landlord_ids_with_role(user, APPOINTMENT_DESK)),
        "outreach_can_edit_hours": bool(landlord_ids_with_role(user, AVAILABILITY_ROLES)),
        "outreach_is_caretaker": bool(landlord_ids_with_role(user, [Role.CARETAKER])),
        "outreach_can_supervise_duties": bool(landlord_ids_with_role(user, DUTY_SUPERVISORS)),
    }
