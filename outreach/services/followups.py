"""What follows a call: partners, referrals and the solidarity register."""

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.models import Landlord
from housing.scoping import landlord_ids_with_role
from outreach.errors import OutreachError
from outreach.models import (
    REFERRAL_TRANSITIONS,
    Partner,
    Referral,
    ReferralStatus,
    SolidarityEntry,
    SolidarityStatus,
)
from outreach.services.campaigns import CAMPAIGN_MANAGERS, can_call, can_manage_campaigns

PARTNER_FIELDS = {
    "name",
    "kind",
    "city",
    "address",
    "phone",
    "email",
    "website",
    "notes",
    "is_active",
}


def can_edit_partner(user, partner: Partner) -> bool:
    """Shared partners (no landlord) belong to everyone: only superusers change them."""
    if partner.landlord_id is None:
        return bool(user.is_superuser)
    return can_manage_campaigns(user, partner.landlord_id)


def partner_editable_landlord_ids(user) -> list[int]:
    return landlord_ids_with_role(user, CAMPAIGN_MANAGERS)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - PARTNER_FIELDS
    if unknown:
        raise TypeError(f"Unknown partner fields: {sorted(unknown)}")


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        messages = [message for errors in error.message_dict.values() for message in errors]
        raise OutreachError(" ".join(messages)) from error


@transaction.atomic
def partner_create(*, user, landlord: Landlord | None, **fields) -> Partner:
    """A landlord's own partner, or a partner shared by all landlords (superusers only)."""
    _check_fields(fields)
    if landlord is None:
        if not user.is_superuser:
            raise OutreachError(
                _("Seul un administrateur du portail peut créer un partenaire commun.")
            )
    elif not can_manage_campaigns(user, landlord.pk):
        raise OutreachError(_("Seul un responsable du bailleur peut ajouter un partenaire."))
    partner = Partner(landlord=landlord, **fields)
    _full_clean(partner)
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, user, **fields) -> Partner:
    """Change a partner's details (its landlord stays)."""
    _check_fields(fields)
    if not can_edit_partner(user, partner):
        if partner.landlord_id is None:
            raise OutreachError(
                _("Seul un administrateur du portail peut modifier un partenaire commun.")
            )
        raise OutreachError(_("Seul un responsable du bailleur peut modifier ce partenaire."))
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    for name, value in fields.items():
        setattr(partner, name, value)
    _full_clean(partner)
    partner.save()
    return partner


def _record_change(*, user, obj, message: str) -> None:
    """Who changed what and when, in the admin history of the object (no extra model field)."""
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[obj], action_flag=CHANGE, change_message=message
    )


def referral_set_status(*, referral: Referral, user, status: str) -> Referral:
    """Move a referral along REFERRAL_TRANSITIONS; the change is dated and its author recorded."""
    if not can_call(user, referral.landlord_id):
        raise OutreachError(_("Vous n'intervenez pas pour le bailleur de cette orientation."))
    if status not in ReferralStatus.values:
        raise OutreachError(_("État d'orientation inconnu."))
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update()
            .select_related("household", "partner")
            .get(pk=referral.pk)
        )
        if status not in REFERRAL_TRANSITIONS[referral.status]:
            raise OutreachError(
                _("Une orientation « %(current)s » ne peut pas passer à « %(target)s ».")
                % {
                    "current": referral.get_status_display(),
                    "target": ReferralStatus(status).label,
                }
            )
        previous = referral.get_status_display()
        referral.status = status
        referral.save(update_fields=["status", "updated_at"])
        _record_change(
            user=user,
            obj=referral,
            message=_("État : %(previous)s → %(current)s")
            % {"previous": previous, "current": referral.get_status_display()},
        )
    return referral


def _locked_open_entry(entry: SolidarityEntry, user) -> SolidarityEntry:
    if not can_call(user, entry.landlord_id):
        raise OutreachError(
            _("Vous n'intervenez pas pour le bailleur de cette inscription au registre.")
        )
    entry = SolidarityEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != SolidarityStatus.OPEN:
        raise OutreachError(_("Cette inscription au registre est déjà close."))
    return entry


def _author(user) -> str:
    return user.get_full_name() or user.email


def solidarity_entry_close(*, entry: SolidarityEntry, user, reason: str) -> SolidarityEntry:
    """Close a person's entry in the solidarity register, with a reason."""
    reason = reason.strip()
    if not reason:
        raise OutreachError(_("Indiquez le motif de la clôture."))
    max_length = SolidarityEntry._meta.get_field("closed_reason").max_length
    if len(reason) > max_length:
        raise OutreachError(
            _("Le motif de clôture ne doit pas dépasser %(count)d caractères.")
            % {"count": max_length}
        )
    with transaction.atomic():
        entry = _locked_open_entry(entry, user)
        entry.status = SolidarityStatus.CLOSED
        entry.closed_reason = reason
        entry.closed_at = timezone.now()
        entry.save(update_fields=["status", "closed_reason", "closed_at", "updated_at"])
        _record_change(user=user, obj=entry, message=_("Clôture : %(reason)s") % {"reason": reason})
    return entry


def solidarity_entry_update_follow_up(
    *, entry: SolidarityEntry, user, note: str
) -> SolidarityEntry:
    """Append a dated, signed note to the follow-up of an open entry."""
    note = note.strip()
    if not note:
        raise OutreachError(_("Écrivez la note de suivi à ajouter."))
    with transaction.atomic():
        entry = _locked_open_entry(entry, user)
        line = f"{timezone.localdate():%d/%m/%Y} – {_author(user)} : {note}"
        entry.follow_up = f"{entry.follow_up.rstrip()}\n{line}".strip()
        entry.save(update_fields=["follow_up", "updated_at"])
    return entry
