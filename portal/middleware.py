"""Per-request middlewares: the user resolved once, row-level security (see portal/rls.py)."""

from __future__ import annotations

from django.utils.functional import LazyObject, empty

from portal import rls


class RowSecurityMiddleware:
    """Write the user's landlords into the connection before the view, and clear them after.

    Session-level ``set_config`` (not ``SET LOCAL``): the portal does not wrap requests in one
    transaction (no ATOMIC_REQUESTS), so a transaction-local setting would vanish after the first
    autocommitted query. Connections are reused (CONN_MAX_AGE), hence the overwrite at the start
    of every request, whoever asks (anonymous: no landlord). Placed after authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not rls.is_active():
            return self.get_response(request)
        rls.scope_request_user(request.user)
        try:
            return self.get_response(request)
        finally:
            rls.after_request()


class ResolvedUserMiddleware:
    """``request.user`` as the user object itself, once authentication and the second factor have
    set it up (placed where the staff idle timeout read it first).

    Django's authentication middleware and django-otp's each wrap the user in a
    ``SimpleLazyObject``: every ``request.user.…`` went through two proxies, each a few Python calls
    and an AttributeError, some five hundred times a page. The portal's middlewares read the user
    on every request anyway (the staff idle timeout, the second factor), so resolving it here loads
    nothing that was not loaded.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if isinstance(user, LazyObject):
            while isinstance(user, LazyObject):
                if user._wrapped is empty:
                    user._setup()
                user = user._wrapped
            request.user = user
        return self.get_response(request)
