"""``{% load i18n %}`` (portal/templatetags/translated.py): Django's library, whose translation of
a literal is kept per language."""

from django.template import engines
from django.utils import translation

from portal.templatetags.translated import LiteralTranslateNode


def _render(source: str, **context) -> str:
    return engines["django"].from_string("{% load i18n %}" + source).render(context)


def test_a_literal_follows_the_language_of_each_render():
    template = engines["django"].from_string(
        '{% load i18n %}{% translate "Langue" %} / {% translate "Changer" as label %}{{ label }}'
    )
    seen = []
    for language in ("fr", "en", "fr", "en"):
        with translation.override(language):
            seen.append(template.render({}))
    assert seen == ["Langue / Changer", "Language / Change"] * 2


def test_a_message_context_given_as_a_literal_is_kept_too():
    with translation.override("en"):
        assert _render('{% translate "appels" context "mes données" %}') == "calls"


def test_a_variable_is_translated_at_each_render():
    """Only literals are kept: a variable's text can change from one render to the next."""
    template = engines["django"].from_string("{% load i18n %}{% translate word %}")
    with translation.override("en"):
        assert template.render({"word": "Langue"}) == "Language"
        assert template.render({"word": "Changer"}) == "Change"
        assert template.render({"word": "Inconnu"}) == "Inconnu"


def test_the_rest_of_djangos_library_is_there():
    with translation.override("en"):
        html = _render(
            "{% get_current_language as code %}{{ code }} "
            "{% blocktranslate with n=3 %}{{ n }} appels{% endblocktranslate %} "
            '{{ "fr"|language_name_local }}'
        )
    assert html == "en 3 appels français"
    node = engines["django"].from_string('{% load i18n %}{% trans "Langue" %}').template.nodelist
    assert isinstance(node[-1], LiteralTranslateNode)


def test_i18n_is_the_only_label_given_to_two_libraries():
    """templates.W003 is silenced for the i18n override alone: any other clash still shows here."""
    warnings = engines["django"].check()
    clashes = [w.msg for w in warnings if w.id == "templates.W003"]
    assert len(clashes) == 1
    assert clashes[0].startswith("'i18n' is used for multiple template tag modules")
