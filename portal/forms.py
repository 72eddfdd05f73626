"""The form renderer: Django's, with its commonest widget templates written out in Python.

A form field renders through Django's templates: ``radio_option.html`` includes
``input_option.html``, which includes ``input.html``, which includes ``attrs.html``. The call page's
report has some fifty of them (each radio, check box and note), and they took a quarter of the
page's CPU; each label and each (empty) error list is a template too. :class:`PortalFormRenderer`
writes the same HTML in Python for the templates in :data:`PYTHON_WIDGETS` and
:data:`PYTHON_FORM_PARTS` and leaves every other template to Django; ``tests/portal/test_forms.py``
renders each of them both ways and compares, so a Django upgrade that changes a template shows.
"""

from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

_CONTEXT = Context(autoescape=True)  # settings' use_l10n and use_tz, as the form templates


def _text(value) -> str:
    """``{{ value }}`` in a template: localised, then escaped unless safe."""
    return render_value_in_context(value, _CONTEXT)


def _string(value) -> str:
    """``{{ value|stringformat:'s' }}``: ``%s``, escaped unless the value was safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"')
    return "".join(parts)


# Each writer returns what its template file gives, final newline included (an included template
# keeps it; the renderer strips the outermost one).


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    id_ = widget["attrs"].get("id")
    label_for = f' for="{_text(id_)}"' if id_ else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>\n"


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'
    )


def _select_option(widget: dict) -> str:
    return (
        f'<option value="{_string(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>\n"
    )


def _select(widget: dict) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_render_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _label(context: dict) -> str:
    """``label.html``: ``<label for="…">Nom :</label>`` (or the legend), the bare text without id."""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label + "\n"
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>\n"  # attrs may be None


def _error_list(context: dict) -> str:
    """``errors/list/ul.html`` (which ``default.html`` includes): nothing when there is no error."""
    errors = context["errors"]
    if not errors:
        return ""
    id_ = f' id="{_text(errors.field_id)}_error"' if getattr(errors, "field_id", None) else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{id_}>{items}</ul>'


def _render_option(option: dict) -> str:
    render = PYTHON_WIDGETS.get(option["template_name"])
    if render is None:  # a custom option template: through Django (stripped: newline put back)
        return get_default_renderer().render(option["template_name"], {"widget": option}) + "\n"
    return render(option)


_INPUTS = [
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
]

#: Template name -> the function that writes the same HTML from the widget's context.
PYTHON_WIDGETS = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": _input_option,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/select_option.html": _select_option,
}


#: The other form templates written in Python: template name -> (its context's keys, writer).
PYTHON_FORM_PARTS = {
    "django/forms/label.html": ({"field", "label", "attrs", "use_tag", "tag"}, _label),
    "django/forms/errors/list/default.html": ({"errors", "error_class"}, _error_list),
    "django/forms/errors/list/ul.html": ({"errors", "error_class"}, _error_list),
}


class PortalFormRenderer(DjangoTemplates):
    """Django's default renderer, faster for the templates of :data:`PYTHON_WIDGETS` and
    :data:`PYTHON_FORM_PARTS`. A context other than the one Django gives goes to Django."""

    def render(self, template_name, context, request=None):
        keys = set(context)
        render = PYTHON_WIDGETS.get(template_name)
        if render is not None and keys == {"widget"}:
            return mark_safe(render(context["widget"]).strip())  # noqa: S308 (every value escaped)
        expected, write = PYTHON_FORM_PARTS.get(template_name, (None, None))
        if write is not None and keys == expected:
            return mark_safe(write(context).strip())  # noqa: S308 (every value escaped)
        return super().render(template_name, context, request=request)
