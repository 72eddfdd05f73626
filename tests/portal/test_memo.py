"""``{% memo %}``: the navigation, rendered once per combination of roles and language, stays right
for each user (portal/templatetags/fragments.py)."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from housing.models import Role
from tests.factories import make_staff

ENGINE = Engine(
    builtins=[
        "django.templatetags.i18n",
        "django.templatetags.static",
        "portal.templatetags.fragments",
    ],
)


def _nav(page: str) -> str:
    """The navigation's links (the logout form's token changes with each page)."""
    return page.split('class="site-nav"', 1)[1].split('<form action="', 1)[0]


@pytest.mark.django_db
def test_each_role_keeps_its_own_links_when_pages_alternate(client, actis):
    """A caller, then a recovery officer, then the caller again: each sees their own menu."""
    caller = make_staff(actis, Role.CALLER, email="appelante@actis.example")
    officer = make_staff(actis, Role.RECOVERY_OFFICER, email="recouvrement@actis.example")
    pages = {}
    for user in (caller, officer, caller):
        client.force_login(user)
        pages.setdefault(user.email, []).append(
            _nav(client.get(reverse("housing:staff_home")).content.decode())
        )
    calls, appointments = reverse("outreach:caller_home"), reverse("outreach:appointment_day")
    first, again = pages[caller.email]
    assert first == again
    assert calls in first
    assert appointments not in first
    (officer_nav,) = pages[officer.email]
    assert appointments in officer_nav
    assert calls not in officer_nav


@pytest.mark.django_db
def test_the_menu_follows_the_language(client, actis):
    client.force_login(make_staff(actis, Role.CALLER, email="appelante@actis.example"))
    french = _nav(client.get(reverse("housing:staff_home")).content.decode())
    english = _nav(
        client.get(
            reverse("housing:staff_home"), headers={"accept-language": "en"}
        ).content.decode()
    )
    assert "Ménages" in french
    assert "Households" not in french
    assert "Households" in english
    assert "Ménages" not in english


def test_a_fragment_is_kept_per_value_of_what_it_reads():
    template = ENGINE.from_string(
        "{% memo %}{% if on %}{{ label }}{% else %}off{% endif %}{% endmemo %}"
    )
    (node,) = template.nodelist
    assert [e.token for e in node.expressions] == ["on", "label"]
    with translation.override("fr"):
        assert template.render(Context({"on": True, "label": "A & B"})) == "A &amp; B"
        assert template.render(Context({"on": False, "label": "A & B"})) == "off"
        assert template.render(Context({"on": True, "label": "C"})) == "C"
        assert template.render(Context({"on": True, "label": "A & B"})) == "A &amp; B"
    assert len(node.rendered) == 3


def test_values_that_are_not_plain_are_rendered_each_time():
    template = ENGINE.from_string(
        "{% memo %}{% if names %}some{% else %}none{% endif %}{% endmemo %}"
    )
    assert template.render(Context({"names": ["Ana", "Léo"]})) == "some"
    assert template.render(Context({"names": []})) == "none"
    assert template.nodelist[0].rendered == {}


@pytest.mark.parametrize(
    "inside",
    [
        "{% csrf_token %}",
        "{% include 'base.html' %}",
        "{% for x in items %}{{ x }}{% endfor %}",
        "{% url 'home' as address %}",
        "{% blocktranslate %}Bonjour {{ name }}{% endblocktranslate %}",
    ],
)
def test_tags_whose_output_may_depend_on_more_are_refused(inside):
    with pytest.raises(TemplateSyntaxError, match="memo"):
        ENGINE.from_string("{% memo %}" + inside + "{% endmemo %}")


def test_a_changed_setting_empties_what_was_kept():
    template = ENGINE.from_string("{% memo %}{% static 'css/portal.css' %}{% endmemo %}")
    with override_settings(STATIC_URL="/a/"):
        assert template.render(Context()) == "/a/css/portal.css"
    with override_settings(STATIC_URL="/b/"):
        assert template.render(Context()) == "/b/css/portal.css"


def test_values_equal_in_python_but_not_in_html_are_kept_apart():
    from django.utils.safestring import mark_safe

    template = ENGINE.from_string("{% memo %}{{ x }}{% endmemo %}")
    assert template.render(Context({"x": mark_safe("<b>")})) == "<b>"
    assert template.render(Context({"x": "<b>"})) == "&lt;b&gt;"
    assert template.render(Context({"x": True})) == "True"
    assert template.render(Context({"x": 1})) == "1"


def test_a_missing_variable_is_not_an_empty_string():
    template = ENGINE.from_string(
        "{% memo %}{% if x is None %}absent{% else %}là{% endif %}{% endmemo %}"
    )
    assert template.render(Context({"x": ""})) == "là"
    assert template.render(Context({})) == "absent"
