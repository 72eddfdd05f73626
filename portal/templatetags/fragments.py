"""``{% memo %}``: a fragment rendered once per process for each set of values it reads.

The navigation of every page is two dozen links, each a ``{% url %}`` and a ``{% translate %}``
behind an ``{% if %}`` on the user's roles: about a fifth of the CPU a simple page costs. Its HTML
depends only on those role flags and on the language, so ``{% memo %}`` keeps the rendered HTML,
keyed by the language, the URL prefix, the escaping and localisation switches and the value of
every variable the fragment reads (found when the template is parsed, so that nobody has to keep a
list of them). It accepts only tags whose output follows from those: text, variables, ``if``,
``url``, ``static`` and ``translate`` (none with ``as``) and comments. Anything else
(``csrf_token``, ``include``, ``for``, ``blocktranslate``...) is refused when the template is
parsed, and the values it reads must be plain (booleans, numbers, strings, None), or the fragment
is rendered every time. Every variable is read for the key, also in a branch the fragment would not
take: keep lazy lookups (a query) out of it.
"""

import weakref

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, IfNode, TemplateLiteral, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix
from django.utils.translation import get_language

register = template.Library()

#: Rendered fragments kept per node; past this many key combinations the node starts afresh.
MAX_ENTRIES = 256
PLAIN = (bool, int, float, str)


def _condition_expressions(condition) -> list[FilterExpression]:
    """The variables an ``{% if %}`` condition reads (smartif literals and operators)."""
    if condition is None:  # {% else %}
        return []
    if isinstance(condition, TemplateLiteral):
        return [condition.value]
    found = []
    for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
        if part is not None:
            found += _condition_expressions(part)
    return found


def is_constant(expression: FilterExpression) -> bool:
    """A literal (``'home'``, ``"Accueil"``) with no filter reading a variable."""
    var = expression.var
    literal = isinstance(var, str) or (isinstance(var, Variable) and var.lookups is None)
    return literal and not any(
        is_lookup for _filter, args in expression.filters for is_lookup, _arg in args
    )


def _variables(nodelist) -> list[FilterExpression]:
    """What the fragment reads from the context (its literals only change with the language)."""
    return [e for e in _expressions(nodelist) if not is_constant(e)]


def _expressions(nodelist) -> list[FilterExpression]:
    """Every expression the fragment holds; TemplateSyntaxError for a tag it can't vouch for."""
    found: list[FilterExpression] = []
    for node in nodelist:
        if isinstance(node, (TextNode, CommentNode)):
            continue
        if isinstance(node, VariableNode):
            found.append(node.filter_expression)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                found += _condition_expressions(condition)
                found += _expressions(branch)
        elif isinstance(node, URLNode) and not node.asvar:
            found += [node.view_name, *node.args, *node.kwargs.values()]
        elif isinstance(node, StaticNode) and not node.varname:
            found.append(node.path)
        elif isinstance(node, TranslateNode) and not node.asvar:
            found.append(node.filter_expression)
            if node.message_context is not None:
                found.append(node.message_context)
        else:
            raise template.TemplateSyntaxError(
                f"{{% memo %}} cannot keep {node.__class__.__name__}: its output may depend on more "
                "than the values it reads."
            )
    return found


def _plain(value):
    """The value as a cache key part, with its type (``True`` is not ``1``, a safe string not a
    plain one), or raise TypeError when it is not a plain value."""
    if value is None:
        return None
    if isinstance(value, PLAIN):  # also a SimpleLazyObject of a bool: evaluated here
        kind = value.__class__
        return (kind, kind(value))
    raise TypeError(value)


#: Every memo node, emptied when a setting changes (tests: static files' address, say).
_NODES: "weakref.WeakSet[MemoNode]" = weakref.WeakSet()


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs):
    for node in list(_NODES):
        node.rendered.clear()


class MemoNode(Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.expressions = _variables(nodelist)
        self.rendered: dict[tuple, str] = {}
        _NODES.add(self)

    def render(self, context):
        try:
            # A missing variable reads None, as {% if %} reads it (not string_if_invalid).
            values = tuple(
                _plain(e.resolve(context, ignore_failures=True)) for e in self.expressions
            )
        except TypeError:
            return self.nodelist.render(context)
        key = (get_language(), get_script_prefix(), context.autoescape, context.use_l10n, values)
        html = self.rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(self.rendered) >= MAX_ENTRIES:
                self.rendered.clear()
            self.rendered[key] = html
        return html


@register.tag
def memo(parser, token):
    """``{% memo %}…{% endmemo %}``: see the module's documentation."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% memo %} takes no argument.")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist)
