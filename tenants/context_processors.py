from housing.models import Role
from housing.scoping import landlord_ids_with_role
from tenants.services.requests import REQUEST_HANDLERS, REQUEST_SUPERVISORS


def tenant_requests_nav(request):
    """Which technical-request links the staff navigation shows (memberships already read)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "requests_can_handle": False,
            "requests_can_supervise": False,
            "access_log_can_read": False,
        }
    return {
        "access_log_can_read": bool(landlord_ids_with_role(user, [Role.LANDLORD_ADMIN])),
        "requests_can_handle": bool(landlord_ids_with_role(user, REQUEST_HANDLERS)),
        "requests_can_supervise": bool(landlord_ids_with_role(user, REQUEST_SUPERVISORS)),
    }
