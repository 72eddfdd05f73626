"""Filters for French display: money, phone numbers, ages."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from portal.dates import age_on

register = template.Library()


@register.filter
def euros(value) -> str:
    """``1234.5`` → ``1 234,50 €`` (French grouping and decimal comma)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def phone(value) -> str:
    """A phone number as people dial it in France (``04 76 68 39 39``), international otherwise."""
    if not value:
        return ""
    try:
        if value.country_code == 33:
            return value.as_national
        return value.as_international
    except AttributeError:
        return str(value)


@register.filter
def phone_uri(value) -> str:
    return value.as_e164 if value else ""


@register.filter
def age(birth_date) -> int | None:
    if not isinstance(birth_date, datetime.date):
        return None
    return age_on(birth_date)


@register.filter
def at_most(count, cap) -> str:
    """A count that was read up to ``cap`` rows: past it, « plus de 1 000 »."""
    if count is None or cap in (None, "") or count <= int(cap):
        return count
    return _("plus de %(cap)s") % {"cap": formats.number_format(int(cap), force_grouping=True)}
