"""Helpers for the API tests: a client that sends an integration token."""

import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from housing.models import TokenScope
from housing.services import integration_token_create


def make_token(landlord, *, scope=TokenScope.READ, days=30, name="Progiciel"):
    """A token of ``landlord`` and its key."""
    return integration_token_create(
        landlord=landlord,
        name=name,
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def token_client(landlord=None, *, scope=TokenScope.READ, key=None) -> APIClient:
    """An API client authenticated with a new token of ``landlord`` (or with ``key``)."""
    if key is None:
        _token, key = make_token(landlord, scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client
