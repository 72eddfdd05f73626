"""The database refuses bad tokens and exports, whatever the code above it does."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from housing.models import Export, IntegrationToken

pytestmark = pytest.mark.django_db


def token(landlord, **fields):
    values = {
        "landlord": landlord,
        "name": "Progiciel",
        "prefix": "abcd1234",
        "key_hash": "0" * 64,
        "scope": "read",
        "expires_at": timezone.now() + datetime.timedelta(days=1),
    }
    return IntegrationToken(**(values | fields))


@pytest.mark.parametrize("fields", [{"scope": "admin"}, {"key_hash": ""}])
def test_the_database_refuses_a_bad_token(actis, fields):
    with pytest.raises(IntegrityError):
        token(actis, **fields).save()


def test_two_tokens_cannot_share_a_prefix(actis):
    token(actis).save()
    with pytest.raises(IntegrityError):
        token(actis, key_hash="1" * 64).save()


@pytest.mark.parametrize("fields", [{"format": "pdf"}, {"status": "lost"}])
def test_the_database_refuses_a_bad_export(alice, fields):
    with pytest.raises(IntegrityError):
        Export.objects.create(
            created_by=alice, **({"kind": "households", "format": "csv"} | fields)
        )
