"""Views get ``request.user`` as the user object itself (portal.middleware.ResolvedUserMiddleware),
with what authentication and the second factor set on it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import LazyObject

pytestmark = pytest.mark.django_db


def test_a_logged_in_views_user_is_the_user_with_its_second_factor_state(client, alice):
    client.force_login(alice)
    response = client.get("/personnel/appels/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert not isinstance(user, LazyObject)  # no proxy left between the views and the user
    assert user == alice
    assert user.is_verified() is False  # django-otp's answer: no device confirmed this session
    assert user.otp_device is None


def test_an_anonymous_visitor_is_anonymous_and_still_sent_to_the_login(client):
    response = client.get("/personnel/appels/")
    assert response.status_code == 302
    assert "/comptes/login/" in response.url
    user = response.wsgi_request.user
    assert isinstance(user, AnonymousUser)
    assert not isinstance(user, LazyObject)
