"""``{% extends %}`` as Django's, with the root template's blocks found once per template.

On every render, Django's ``ExtendsNode`` walks the whole node tree of the root template
(``base.html``: the header, the navigation, the messages…) to list its ``{% block %}`` nodes:
about 5 % of a simple page's CPU. The tree of a loaded template does not change (the cached
loader keeps it; with the development server's reloading loaders a new template is a new object),
so the list is kept on the template object. Registered as a builtin (``portal/settings.py``), so
every ``{% extends %}`` is this one.
"""

from django import template
from django.template.base import TextNode
from django.template.loader_tags import (
    BLOCK_CONTEXT_KEY,
    BlockContext,
    BlockNode,
    ExtendsNode,
    do_extends,
)

register = template.Library()


def _root_blocks(compiled_parent) -> dict | None:
    """The blocks of ``compiled_parent`` when it is the root (extends nothing), else None."""
    try:
        return compiled_parent._portal_root_blocks
    except AttributeError:
        pass
    blocks = None
    for node in compiled_parent.nodelist:
        # The ExtendsNode has to be the first non-text node.
        if not isinstance(node, TextNode):
            if not isinstance(node, ExtendsNode):
                blocks = {n.name: n for n in compiled_parent.nodelist.get_nodes_by_type(BlockNode)}
            break
    compiled_parent._portal_root_blocks = blocks
    return blocks


class RootBlocksExtendsNode(ExtendsNode):
    def render(self, context):
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        # Add the block nodes from this node to the block context
        block_context.add_blocks(self.blocks)
        # If this block's parent doesn't have an extends node it is the root, and its block
        # nodes also need to be added to the block context.
        root_blocks = _root_blocks(compiled_parent)
        if root_blocks is not None:
            block_context.add_blocks(root_blocks)
        # Call Template._render explicitly so the parser context stays the same.
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


@register.tag("extends")
def extends(parser, token):
    node = do_extends(parser, token)
    node.__class__ = RootBlocksExtendsNode
    return node
