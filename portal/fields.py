"""Model fields of the portal."""

import functools

from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber, to_python


@functools.lru_cache(maxsize=20_000)
def _parsed(value: str) -> PhoneNumber:
    return to_python(value)


class PhoneField(PhoneNumberField):
    """django-phonenumber-field's field, whose numbers read from the database are parsed once per
    distinct number and process (a parse costs about 20 µs: a household's page reads the
    household's, its people's, its agency's and its landlord's numbers on every view).

    Each row still gets its own ``PhoneNumber`` object. The field stores and validates exactly
    as its parent, which ``deconstruct`` names, so migrations see no change.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        number = PhoneNumber()
        number.merge_from(_parsed(value))
        return number

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "phonenumber_field.modelfields.PhoneNumberField", args, kwargs
