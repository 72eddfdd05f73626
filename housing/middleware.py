"""Staff sessions: they end after a while without activity, and ask for the second factor."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from housing.scoping import is_landlord_staff

LAST_ACTIVITY = "staff_last_activity"
# The session is written at most once a minute to remember activity (not on every request).
ACTIVITY_RESOLUTION_SECONDS = 60


def _is_staff(user) -> bool:
    return user.is_staff or is_landlord_staff(user)


def remember_login_time(sender, request, user, **kwargs):
    """``user_logged_in``: the idle clock starts at login."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = time.time()


class StaffSessionExpiryMiddleware:
    """A staff session ends after STAFF_SESSION_IDLE_MINUTES without a request.

    The time of the last activity is kept in the session (so the server decides, not the browser's
    cookie), refreshed at most once a minute so that pages don't write the session on every hit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        idle = settings.STAFF_SESSION_IDLE_MINUTES
        if idle and user is not None and user.is_authenticated and _is_staff(user):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > idle * 60:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if last is None or now - last > ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY] = now
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
