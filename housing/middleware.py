"""Staff sessions end after a while without activity (tenants keep Django's longer default)."""

from django.conf import settings

from housing.scoping import is_landlord_staff


class StaffSessionExpiryMiddleware:
    """Each request of a staff member pushes their session's end STAFF_SESSION_IDLE_MINUTES ahead.

    The session's expiry date is kept by the session store, so an idle session is refused by the
    server itself (the person lands on the login page), not only forgotten by the browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.is_staff or is_landlord_staff(user))
        ):
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        return self.get_response(request)
