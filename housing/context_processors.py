from housing.scoping import is_landlord_staff, landlord_badges


def landlords(request):
    """The landlords the logged-in user works for, for the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_landlords": [], "portal_is_staff": False}
    return {
        "portal_landlords": landlord_badges(user),
        # Staff navigation or the tenant's (from the memberships already read: no query).
        "portal_is_staff": user.is_staff or is_landlord_staff(user),
    }
