from housing.scoping import landlords_of


def landlords(request):
    """The landlords the logged-in user works for, for the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_landlords": []}
    return {"portal_landlords": landlords_of(user)}
