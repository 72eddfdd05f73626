"""Filters for French display: money, phone numbers, ages."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

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
