"""``{% url %}`` (portal/templatetags/constant_urls.py): a constant address is reversed once,
and stays right for every prefix; anything else is reversed at each render, as Django does."""

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation


def _template(source: str):
    return engines["django"].from_string(source)


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_a_constant_address_is_djangos_under_every_script_prefix(prefix):
    template = _template("{% url 'tenant_home' %} {% url 'appointments:confirmation' 7 %}")
    seen = []
    for script_prefix in ("/", "/portail/", "/"):
        prefix(script_prefix)
        seen.append(template.render({}))
    expected = f"{reverse('tenant_home')} {reverse('appointments:confirmation', args=[7])}"
    assert seen == [expected, "/portail" + expected.replace(" /", " /portail/"), expected]


def test_a_constant_address_follows_the_language_and_the_url_configuration():
    template = _template("{% url 'aide' %}")
    with override_settings(ROOT_URLCONF="tests.portal.i18n_urls"):
        seen = []
        for language in ("fr", "en", "fr"):
            with translation.override(language):
                seen.append(template.render({}))
        assert seen == ["/fr/aide/", "/en/aide/", "/fr/aide/"]
    with pytest.raises(NoReverseMatch):  # the portal's own configuration has no such address
        template.render({})


def test_an_address_built_from_a_variable_follows_it():
    template = _template("{% url 'appointments:confirmation' pk %}")
    assert template.render({"pk": 1}) == reverse("appointments:confirmation", args=[1])
    assert template.render({"pk": 2}) == reverse("appointments:confirmation", args=[2])


def test_as_puts_the_address_in_the_context_and_an_unknown_name_still_fails():
    template = _template(
        "{% url 'tenant_home' as home %}[{{ home }}]{% url 'nowhere' as x %}{{ x }}"
    )
    assert template.render({}) == f"[{reverse('tenant_home')}]"
    assert template.render({}) == f"[{reverse('tenant_home')}]"
    with pytest.raises(NoReverseMatch):
        _template("{% url 'nowhere' %}").render({})
