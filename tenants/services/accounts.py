"""Tenant accounts: staff invitations and activation with a household reference and a code."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from housing.models import Role
from housing.scoping import landlord_ids_with_role
from portal.models import User
from portal.tasks import enqueue_on_commit
from tenants.errors import TenantError
from tenants.models import ActivationCode, Person, TenantInvitation

INVITATION_VALIDITY = datetime.timedelta(days=7)
ACTIVATION_CODE_VALIDITY = datetime.timedelta(days=365)
INVITATION_SALT = "tenants.invitation"
# Letters and digits nobody confuses when typing from paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
# Failed activations allowed per window, by client address and by reference.
ACTIVATION_MAX_FAILURES = 5
ACTIVATION_WINDOW_SECONDS = 15 * 60

# Who may invite tenants or print activation codes.
ACCOUNT_MANAGERS = [
    Role.LANDLORD_ADMIN,
    Role.SUPERVISOR,
    Role.CALLER,
    Role.CARETAKER,
    Role.SOCIAL_ADVISER,
]


def can_manage_accounts(user, landlord_id: int) -> bool:
    return landlord_id in landlord_ids_with_role(user, ACCOUNT_MANAGERS)


def _check_manager(user, person: Person) -> None:
    if not can_manage_accounts(user, person.household.landlord_id):
        raise TenantError(_("Votre rôle ne permet pas de gérer les comptes des locataires."))
    if person.user_id is not None:
        raise TenantError(_("Cette personne a déjà un compte sur l'espace locataire."))


# ---------------------------------------------------------------------------------------------
# Invitations


def invitation_token(invitation: TenantInvitation) -> str:
    """A signed, timestamped token naming the invitation (the row says whether it was used)."""
    return signing.dumps(invitation.pk, salt=INVITATION_SALT, compress=True)


@transaction.atomic
def tenant_invite(*, person: Person, email: str, invited_by) -> TenantInvitation:
    """Invite ``person`` to set a password; earlier unused invitations of the person lapse."""
    _check_manager(invited_by, person)
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise TenantError(_("Un compte existe déjà avec cette adresse e-mail."))
    now = timezone.now()
    TenantInvitation.objects.filter(person=person, used_at__isnull=True).update(expires_at=now)
    invitation = TenantInvitation.objects.create(
        person=person, email=email, invited_by=invited_by, expires_at=now + INVITATION_VALIDITY
    )
    from tenants.tasks import send_tenant_invitation

    enqueue_on_commit(send_tenant_invitation, invitation_id=invitation.pk)
    return invitation


def _invitation_failure_key(client: str) -> str:
    return f"tenants:invitation:client:{client}"


def invitation_blocked(*, client: str) -> bool:
    """Too many dead invitation links from one client: stop answering for a while."""
    return (cache.get(_invitation_failure_key(client)) or 0) >= ACTIVATION_MAX_FAILURES


def invitation_record_failure(*, client: str) -> None:
    key = _invitation_failure_key(client)
    if not cache.add(key, 1, ACTIVATION_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, ACTIVATION_WINDOW_SECONDS)


def invitation_from_token(token: str) -> TenantInvitation | None:
    """The invitation a token names, or None when it is forged, expired, used or superseded."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_VALIDITY.total_seconds())
    except signing.BadSignature:
        return None
    invitation = (
        TenantInvitation.objects.select_related("person__household")
        .filter(pk=pk, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or invitation.person.user_id is not None:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Create the tenant's account from an invitation; the link works once."""
    invitation = invitation_from_token(token)
    if invitation is None:
        raise TenantError(_("Ce lien d'invitation n'est plus valable. Demandez-en un nouveau."))
    # The row lock makes a double submit use the invitation once.
    claimed = TenantInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        raise TenantError(_("Ce lien d'invitation n'est plus valable. Demandez-en un nouveau."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise TenantError(_("Un compte existe déjà avec cette adresse e-mail."))
    return _create_tenant_user(invitation.person, email=invitation.email, password=password)


def _create_tenant_user(person: Person, *, email: str, password: str) -> User:
    user = User.objects.create_user(
        email=email, password=password, first_name=person.first_name, last_name=person.last_name
    )
    updated = Person.objects.filter(pk=person.pk, user__isnull=True).update(user=user)
    if not updated:
        raise TenantError(_("Cette personne a déjà un compte sur l'espace locataire."))
    return user


# ---------------------------------------------------------------------------------------------
# Activation codes


def normalize_code(code: str) -> str:
    return "".join(char for char in code.upper() if char.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def activation_code_generate(*, person: Person, created_by) -> str:
    """A new code for ``person`` (returned once, to print; only its hash is kept)."""
    _check_manager(created_by, person)
    ActivationCode.objects.filter(person=person, used_at__isnull=True).delete()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    ActivationCode.objects.create(
        person=person,
        code_hash=make_password(code),
        created_by=created_by,
        expires_at=timezone.now() + ACTIVATION_CODE_VALIDITY,
    )
    return format_code(code)


def _failure_keys(client: str, reference: str) -> list[str]:
    return [f"tenants:activation:client:{client}", f"tenants:activation:ref:{reference.lower()}"]


def activation_blocked(*, client: str, reference: str) -> bool:
    return any(
        (cache.get(key) or 0) >= ACTIVATION_MAX_FAILURES for key in _failure_keys(client, reference)
    )


def _record_failure(client: str, reference: str) -> None:
    for key in _failure_keys(client, reference):
        if not cache.add(key, 1, ACTIVATION_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, ACTIVATION_WINDOW_SECONDS)


GENERIC_ACTIVATION_ERROR = gettext_noop(
    "La référence ou le code ne correspond pas. Vérifiez votre avis d'échéance."
)
_DUMMY_HASH = None


def _dummy_check(code: str) -> None:
    """Spend the time of one hash check, so an unknown reference answers as slowly as a known one."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("not-a-code")
    check_password(code, _DUMMY_HASH)


def account_activate(*, reference: str, code: str, email: str, password: str, client: str) -> User:
    """Open an account with a household reference and an activation code.

    Every failure gives the same message, whether the reference exists or not, and counts against
    the client and the reference; past the limit nothing is checked until the window ends.
    """
    reference = reference.strip()
    if activation_blocked(client=client, reference=reference):
        raise TenantError(
            _("Trop d'essais. Réessayez dans un quart d'heure ou appelez votre agence.")
        )
    code = normalize_code(code)
    candidates = list(
        ActivationCode.objects.select_related("person")
        .filter(
            person__household__reference__iexact=reference,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("pk")
    )
    match = None
    for candidate in candidates:
        if check_password(code, candidate.code_hash):
            match = candidate
    if not candidates:
        _dummy_check(code)
    if match is None or match.person.user_id is not None:
        _record_failure(client, reference)
        raise TenantError(_(GENERIC_ACTIVATION_ERROR))
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        claimed = ActivationCode.objects.filter(pk=match.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not claimed:
            raise TenantError(_(GENERIC_ACTIVATION_ERROR))
        if User.objects.filter(email__iexact=email).exists():
            raise TenantError(_("Un compte existe déjà avec cette adresse e-mail."))
        return _create_tenant_user(match.person, email=email, password=password)
