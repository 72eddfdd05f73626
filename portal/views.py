import logging

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def home(request):
    """Send each person to their own start page: staff, tenant, or the login form."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if hasattr(user, "tenant_person"):
        return redirect("tenant_home")
    return redirect("housing:staff_home")


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: database unreachable")
        return False


def _check_broker() -> bool | None:
    """None when the broker is the embedded filesystem transport (nothing to reach)."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return None
    from portal.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        logger.exception("Health check: broker unreachable")
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database()}
    broker = _check_broker()
    if broker is not None:
        checks["broker"] = broker
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


class PortalLoginView(LoginView):
    """Django's login, which then shows the portal in the language the person chose."""

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' answer to a locked-out account: a French page, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
