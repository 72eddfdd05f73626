"""Logging in and out, changing and resetting a password, switching language."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_reset_sends_a_french_email_with_a_working_link(client, alice):
    response = client.post(reverse("password_reset"), {"email": "Alice@Actis.example"}, follow=True)
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert "nouveau mot de passe" in message.subject
    link = re.search(r"https?://[^/]+(/comptes/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in form_page.content.decode()
    new_password = "Un-nouveau-mot-de-passe-2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "Mot de passe enregistré" in done.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(new_password)


def test_password_reset_does_not_reveal_whether_an_account_exists(client, alice):
    known = client.post(reverse("password_reset"), {"email": alice.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "inconnu@exemple.fr"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert len(mail.outbox) == 1


def test_password_change_requires_the_old_password(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "faux",
            "new_password1": "Xy-12345678-z",
            "new_password2": "Xy-12345678-z",
        },
    )
    assert response.status_code == 200
    assert "ancien mot de passe" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_logout_is_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    client.post(reverse("logout"))
    assert client.get(reverse("housing:staff_home")).status_code == 302


def test_pages_are_french_by_default_and_english_on_request(client):
    french = client.get(reverse("login"))
    assert '<html lang="fr">' in french.content.decode()
    assert "Mot de passe oublié" in french.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("login"))
    assert '<html lang="en">' in english.content.decode()
    assert "Forgotten your password?" in english.content.decode()


def test_the_layout_has_a_skip_link_to_the_main_content(client):
    page = client.get(reverse("login")).content.decode()
    assert '<a class="skip-link" href="#contenu">' in page
    assert '<main id="contenu"' in page


def test_a_person_who_chose_english_gets_english_after_logging_in(client, alice):
    alice.language = "en"
    alice.save()
    response = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("housing:staff_home")
    assert '<html lang="en">' in response.content.decode()
