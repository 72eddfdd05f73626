from django.utils.functional import SimpleLazyObject

from allocations.models import CommitteeMember
from allocations.rehousing import REHOUSING_ROLES
from allocations.views import COMMITTEE_ROLES, LETTING_ROLES
from housing.scoping import landlord_ids_with_role


def allocations_nav(request):
    """Which letting and committee links the navigation shows.

    Roles come from the memberships already read; so does the committee seat when the user was
    read by housing.auth.PortalBackend, else its lookup (one query) runs only when a template asks.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "allocations_can_let": False,
            "allocations_can_committee": False,
            "allocations_is_member": False,
            "allocations_can_rehouse": False,
        }

    def is_member() -> bool:
        known = getattr(user, "_portal_committee_member", None)  # read with the user (housing.auth)
        if known is not None:
            return known
        return CommitteeMember.objects.filter(user=user).exists()

    return {
        "allocations_can_let": bool(landlord_ids_with_role(user, LETTING_ROLES)),
        "allocations_can_committee": bool(landlord_ids_with_role(user, COMMITTEE_ROLES)),
        "allocations_is_member": SimpleLazyObject(is_member),
        "allocations_can_rehouse": bool(landlord_ids_with_role(user, REHOUSING_ROLES)),
    }


def applicant_nav(request):
    """Whether the tenant space shows "Ma demande de logement" (one query, only when asked)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"allocations_is_applicant": False}
    from allocations.applicant import is_applicant

    return {"allocations_is_applicant": SimpleLazyObject(lambda: is_applicant(user))}
