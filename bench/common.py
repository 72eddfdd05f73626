"""What the bench scripts share: Django set-up and a database of their own beside the configured one."""

import contextlib
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def interpreter() -> str:
    """The CPython that runs the benchmark, by version and installation: how it was built (with
    PGO and LTO or not) moves the CPU of a page by a fifth (bench/README.md, load_test)."""
    return f"Python {platform.python_version()} of {sys.base_prefix}"


def setup_django() -> None:
    """Django for a benchmark: settings of the project, no query log (DEBUG off)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]


def verified_client(user):
    """A test client logged in as ``user`` past the second factor, as a supervisor's session is once
    the code is typed (it is required of supervisors): a confirmed TOTP device, marked verified."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="banc d'essai", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def require_postgres(script: str, why: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"bench/{script}.py {why}: set DATABASE_URL=postgres://… (see bench/README.md).")
        sys.exit(2)


@contextlib.contextmanager
def own_database(suffix: str, *, reuse: bool = False, keep: bool = False):
    """Work in the configured database name plus ``suffix`` (``var/bench<suffix>.sqlite3`` on
    SQLite): dropped and created migrated (kept as it is with ``reuse``), dropped at the end
    unless ``keep``. Yields its name."""
    from django.db import connection

    if connection.vendor == "sqlite":
        name = str(ROOT / "var" / f"bench{suffix}.sqlite3")
    else:
        name = f"{connection.settings_dict['NAME']}{suffix}"
        if not reuse:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=reuse
    )
    try:
        yield name
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
