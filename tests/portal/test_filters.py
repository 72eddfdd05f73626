"""The phone number filters (portal/templatetags/portal.py)."""

import pytest
from phonenumber_field.phonenumber import to_python

from portal.templatetags.portal import phone, phone_uri


@pytest.mark.parametrize(
    ("typed", "shown", "dialled"),
    [
        ("04 76 12 34 56", "04 76 12 34 56", "+33476123456"),
        ("+33612345678", "06 12 34 56 78", "+33612345678"),
        ("+44 20 7946 0958", "+44 20 7946 0958", "+442079460958"),
        # Stored as typed because it could not be read: shown as typed, no link to dial.
        ("pas un numéro", "pas un numéro", ""),
    ],
)
def test_phone_numbers_are_written_as_people_dial_them(typed, shown, dialled):
    number = to_python(typed)
    for _again in range(2):  # the second time from the kept formatting
        assert phone(number) == shown
        assert phone_uri(number) == dialled


def test_no_number_shows_nothing():
    assert phone("") == phone(None) == phone_uri("") == phone_uri(None) == ""
    assert phone("04 76 00 00 00") == "04 76 00 00 00"  # text is shown as it is
