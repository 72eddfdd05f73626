"""Staff sessions: they end after a while without activity, and ask for the second factor."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

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


class TwoFactorMiddleware:
    """Staff who must use a second factor (or enrolled one) reach nothing else until they did.

    Those without a device are sent to the enrolment page, the others to the code page. Django
    admin is covered like every page. Tenants are never concerned.
    """

    OPEN_PREFIXES = ("/comptes/", "/static/", "/i18n/", "/healthz")
    NOT_CONCERNED = "two_factor_not_concerned"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from housing.two_factor import has_confirmed_device, two_factor_required

        user = getattr(request, "user", None)
        if (
            settings.TWO_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.session.get(self.NOT_CONCERNED)
            and not request.path.startswith(self.OPEN_PREFIXES)
            and (user.is_superuser or is_landlord_staff(user))
        ):
            enrolled = has_confirmed_device(user)
            if enrolled or two_factor_required(user):
                target = "two_factor_verify" if enrolled else "two_factor_enrol"
                return redirect_to_login(request.get_full_path(), reverse(target))
            # Optional for this person, who did not enrol: no need to ask again this session.
            request.session[self.NOT_CONCERNED] = True
        return self.get_response(request)
