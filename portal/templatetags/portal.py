"""Filters for French display: money, phone numbers, ages."""

import datetime
import functools
from decimal import Decimal, InvalidOperation

import phonenumbers
from django import template
from django.utils import formats
from django.utils.translation import gettext as _
from phonenumbers import PhoneNumberFormat

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


@functools.lru_cache(maxsize=20_000)
def _formatted(number: tuple, style: int) -> str:
    """A number (its parsed fields) written in ``style``, once per number and process: the
    formatting is costlier than the rest of the filter (a page shows the same agencies' numbers)."""
    country_code, national_number, extension, italian_zero, zeros = number
    return phonenumbers.format_number(
        phonenumbers.PhoneNumber(
            country_code=country_code,
            national_number=national_number,
            extension=extension,
            italian_leading_zero=italian_zero,
            number_of_leading_zeros=zeros,
        ),
        style,
    )


def _fields(value) -> tuple:
    return (
        value.country_code,
        value.national_number,
        value.extension,
        value.italian_leading_zero,
        value.number_of_leading_zeros,
    )


@register.filter
def phone(value) -> str:
    """A phone number as people dial it in France (``04 76 68 39 39``), international otherwise."""
    if not value:
        return ""
    country_code = getattr(value, "country_code", None)
    if country_code is None:  # text, or a number stored as typed because it could not be read
        return str(value)
    style = PhoneNumberFormat.NATIONAL if country_code == 33 else PhoneNumberFormat.INTERNATIONAL
    return _formatted(_fields(value), style)


@register.filter
def phone_uri(value) -> str:
    """The number for a ``tel:`` link; empty when there is none that can be dialled."""
    if getattr(value, "country_code", None) is None:
        return ""
    return _formatted(_fields(value), PhoneNumberFormat.E164)


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
