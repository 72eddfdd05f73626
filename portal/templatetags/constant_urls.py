"""``{% url %}`` as Django's, with the address of a constant name and constant arguments reversed
once per process.

A page holds a dozen ``{% url 'name' %}`` outside the kept navigation (``{% memo %}``); each asked
the resolver again. When the name and every argument are literals, the address depends only on the
URL configuration, the script prefix, the application namespace of the request and the language
(``i18n_patterns`` and translated paths reverse per language), which make the key. Anything else
is Django's tag as it is. Registered as a builtin (``portal/settings.py``), so every ``{% url %}``
is this one.
"""

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from portal.templatetags.fragments import is_constant

register = template.Library()
#: Past this many addresses a node starts afresh (keys vary with prefix, urlconf, app, language).
MAX_ENTRIES = 64


class ConstantURLNode(URLNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        constant = [self.view_name, *self.args, *self.kwargs.values()]
        self.addresses: dict | None = {} if all(map(is_constant, constant)) else None

    def render(self, context):
        if self.addresses is None:
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None and request is not None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        key = (
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
            current_app,
            get_language(),
        )
        url = self.addresses.get(key)
        if url is None:
            if self.asvar:  # Django's tag, rendering nothing, puts the address in the context
                super().render(context)
                url = context[self.asvar]
            else:  # the address itself, escaped below as the context asks
                autoescape, context.autoescape = context.autoescape, False
                try:
                    url = super().render(context)
                finally:
                    context.autoescape = autoescape
            if not url:  # no match (with "as"): looked up again next time
                return ""
            if len(self.addresses) >= MAX_ENTRIES:
                self.addresses.clear()
            self.addresses[key] = url
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return ConstantURLNode(node.view_name, node.args, node.kwargs, node.asvar)
