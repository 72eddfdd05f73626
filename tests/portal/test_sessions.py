"""The session store: Django's database sessions, read with one plain query."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_in_one_query(django_assert_num_queries):
    store = SessionStore()
    store["panier"] = {"raison": "budget_advice", "montant": "12,50 €"}
    store.save()
    again = SessionStore(session_key=store.session_key)
    with django_assert_num_queries(1):
        assert again["panier"] == {"raison": "budget_advice", "montant": "12,50 €"}
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key():
    store = SessionStore()
    store["a"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore(session_key="inconnue" * 4).load() == {}


def test_a_logged_in_page_keeps_its_session(client, alice):
    client.force_login(alice)
    assert client.get("/personnel/appels/").status_code == 200
    assert client.session.session_key
