"""Second factor (django-otp): who must use it, enrolment and recovery codes.

Landlord admins, supervisors, committee secretaries and superusers must log in with a code from an
authenticator app (TOTP); so must every staff member of a landlord that asks for it
(``Landlord.two_factor_for_all_staff``). Anybody who enrolled anyway is asked for the code too.
Recovery codes (single use) stand in for a lost phone.
"""

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from housing.models import Landlord, Role
from housing.scoping import landlord_ids_with_role, staff_landlord_ids

SENSITIVE_ROLES = [Role.LANDLORD_ADMIN, Role.SUPERVISOR, Role.COMMITTEE_SECRETARY]
APP_DEVICE_NAME = "application"
RECOVERY_DEVICE_NAME = "codes de secours"


def two_factor_required(user) -> bool:
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if landlord_ids_with_role(user, SENSITIVE_ROLES):
        return True
    landlord_ids = staff_landlord_ids(user)
    return (
        bool(landlord_ids)
        and Landlord.objects.filter(pk__in=landlord_ids, two_factor_for_all_staff=True).exists()
    )


def has_confirmed_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's app device waiting for its first code (created on the first visit)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name=APP_DEVICE_NAME, confirmed=False
    )
    return device


@transaction.atomic
def two_factor_enrol(*, user, device: TOTPDevice) -> list[str]:
    """Confirm the app device (its code was checked) and issue fresh recovery codes (shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes
