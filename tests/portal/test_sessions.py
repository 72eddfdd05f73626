"""Navigation answers remembered in the session for a few minutes (portal/sessions.py)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.sessions import NAV_MEMO_SECONDS
from tests.allocations.conftest import make_application
from tests.factories import make_tenant

pytestmark = pytest.mark.django_db

LINK = "Ma demande de logement"


def test_a_new_application_shows_in_the_tenant_menu_within_minutes(client, actis, actis_household):
    client.force_login(make_tenant(actis_household, email="jeanne@exemple.fr"))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert LINK not in client.get(reverse("tenant_home")).content.decode()
        make_application(actis, current_household=actis_household)
        # Remembered: the next pages of the session do not ask again...
        assert LINK not in client.get(reverse("tenant_request_list")).content.decode()
    later = start + datetime.timedelta(seconds=NAV_MEMO_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        # ... until the answer is a few minutes old.
        assert LINK in client.get(reverse("tenant_request_list")).content.decode()


def test_the_answer_is_asked_once_per_session_not_on_every_page(client, actis, actis_household):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_application(actis, current_household=actis_household)
    client.force_login(make_tenant(actis_household, email="jeanne@exemple.fr"))
    assert LINK in client.get(reverse("tenant_home")).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert LINK in client.get(reverse("tenant_request_list")).content.decode()
    assert not [q for q in queries.captured_queries if "allocations_housingapplication" in q["sql"]]


def test_logging_out_forgets_what_was_remembered(client, actis, actis_household):
    tenant = make_tenant(actis_household, email="jeanne@exemple.fr")
    client.force_login(tenant)
    assert LINK not in client.get(reverse("tenant_home")).content.decode()
    make_application(actis, current_household=actis_household)
    client.post(reverse("logout"))
    client.force_login(tenant)
    assert LINK in client.get(reverse("tenant_home")).content.decode()
