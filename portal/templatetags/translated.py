"""Django's ``i18n`` template library, whose ``{% translate "literal" %}`` is looked up once per
language and process.

A page holds dozens of ``{% translate %}`` of a literal; each render asked the active language's
catalogues again (a few microseconds each: about 4 % of the call page's CPU). The text of a literal
depends on the language alone, so the node keeps it per language; a translation of a variable, or
with a filter or a context read from a variable, is Django's as it is. Every other tag and filter is
Django's. ``portal/settings.py`` installs this module under the ``i18n`` label, so that
``{% load i18n %}`` (the portal's templates and the admin's) loads it.
"""

from django import template
from django.templatetags import i18n
from django.utils.translation import get_language

from portal.templatetags.fragments import is_constant

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class LiteralTranslateNode(i18n.TranslateNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        literal = is_constant(self.filter_expression) and (
            self.message_context is None or is_constant(self.message_context)
        )
        # (language, autoescape) -> the text; None: rendered every time.
        self.texts: dict | None = {} if literal else None

    def render(self, context):
        if self.texts is None:
            return super().render(context)
        key = (get_language(), context.autoescape)
        try:
            text = self.texts[key]
        except KeyError:
            rendered = super().render(context)
            text = self.texts[key] = context[self.asvar] if self.asvar else rendered
        if self.asvar:
            context[self.asvar] = text
            return ""
        return text


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return LiteralTranslateNode(
        node.filter_expression, node.noop, asvar=node.asvar, message_context=node.message_context
    )
