"""E-mails: absolute links to the portal, and sending once (the row that records a sending and the
sending itself go together)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction


def portal_url(path: str) -> str:
    """The absolute address of ``path`` for an e-mail (``PORTAL_BASE_URL`` in front)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def send_once(message: Callable[[], EmailMessage], *, record: Callable[[], object]) -> bool:
    """Send the message ``message()`` builds unless it was sent already; True when it left.

    ``record()`` writes the row that says it was sent, whose unique constraint refuses a second
    one (an IntegrityError: an earlier run, or one running alongside, sent it). The row and the
    sending share one transaction: a sending that fails rolls the row back and the error goes up,
    so a later run sends it. The message is built only once the row is written.
    """
    try:
        with transaction.atomic():
            record()
            message().send()
    except IntegrityError:
        return False
    return True
