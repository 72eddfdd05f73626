"""Row-level security settings for each request (see portal/rls.py)."""

from __future__ import annotations

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
