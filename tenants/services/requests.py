"""Technical requests: filing, triage, status changes, messages, photos, closing and reopening."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.models import Building, Role, StaffMembership
from housing.scoping import LandlordPrincipal, landlord_ids_with_role
from portal.tasks import enqueue_on_commit
from tenants.errors import TenantError
from tenants.models import (
    ContactRequest,
    Household,
    Lease,
    RequestCategory,
    RequestChannel,
    RequestEvent,
    RequestLocation,
    RequestPhoto,
    RequestPriority,
    RequestStatus,
    TechnicalRequest,
)
from tenants.services.photos import prepare_photos
from tenants.signals import callback_requested

# Target delay per priority; settings.TECHNICAL_REQUEST_TARGET_HOURS overrides any of them.
DEFAULT_TARGET_HOURS = {
    RequestPriority.URGENT: 24,
    RequestPriority.HIGH: 3 * 24,
    RequestPriority.NORMAL: 15 * 24,
}
DUPLICATE_WINDOW = datetime.timedelta(hours=48)
REOPEN_WINDOW = datetime.timedelta(days=15)
STALE_WORKING_DAYS = 10

# Staff who handle requests (triage, status, notes); technicians are assigned them.
REQUEST_HANDLERS = [
    Role.LANDLORD_ADMIN,
    Role.SUPERVISOR,
    Role.CALLER,
    Role.CARETAKER,
    Role.TECHNICIAN,
]
REQUEST_SUPERVISORS = [Role.LANDLORD_ADMIN, Role.SUPERVISOR]


def target_delay(priority: str) -> datetime.timedelta:
    hours = {**DEFAULT_TARGET_HOURS, **getattr(settings, "TECHNICAL_REQUEST_TARGET_HOURS", {})}
    return datetime.timedelta(hours=hours[priority])


def working_days_before(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The moment ``days`` working days (Monday to Friday) before ``moment``."""
    while days:
        moment -= datetime.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def can_handle_requests(user, landlord_id: int) -> bool:
    if isinstance(user, LandlordPrincipal):
        # A landlord's management system, through a write token of that landlord.
        return user.landlord_id == landlord_id and user.token.can_write
    return landlord_id in landlord_ids_with_role(user, REQUEST_HANDLERS)


def _check_handler(user, request: TechnicalRequest) -> None:
    if not can_handle_requests(user, request.landlord_id):
        raise TenantError(_("Votre rôle ne permet pas de traiter les demandes techniques."))


def is_household_tenant(user, household_id: int) -> bool:
    person = getattr(user, "tenant_person", None) if user.is_authenticated else None
    return person is not None and person.household_id == household_id


def _touch(request: TechnicalRequest, now, *fields: str) -> None:
    request.last_update_at = now
    request.save(update_fields=[*fields, "last_update_at", "updated_at"])


def _store_photos(request: TechnicalRequest, prepared, by) -> list[RequestPhoto]:
    """Write the files, then the rows; the files go again if the transaction rolls back."""
    storage = RequestPhoto._meta.get_field("image").storage
    photos = []
    for photo in prepared:
        item = RequestPhoto(
            request=request, content_type=photo.content_type, size=photo.size, uploaded_by=by
        )
        item.image.save(photo.content.name, photo.content, save=False)
        _written_files.on_rollback(lambda name=item.image.name: storage.delete(name))
        photos.append(item)
    RequestPhoto.objects.bulk_create(photos)
    return photos


class _WrittenFiles:
    """Callbacks that undo file writes when the enclosing _atomic_with_file_cleanup rolls back."""

    def __init__(self):
        self.stack: list[list] = []

    def on_rollback(self, callback) -> None:
        if self.stack:
            self.stack[-1].append(callback)


_written_files = _WrittenFiles()


def current_dwelling(household: Household):
    lease = (
        Lease.objects.current()
        .filter(household=household)
        .select_related("dwelling__building")
        .order_by("-start_date")
        .first()
    )
    return lease.dwelling if lease else None


def request_duplicates(*, household: Household, category: str, dwelling=None):
    """Open requests of the same category on the same dwelling filed in the last 48 hours."""
    since = timezone.now() - DUPLICATE_WINDOW
    queryset = TechnicalRequest.objects.open().filter(category=category, created_at__gte=since)
    if dwelling is not None:
        return queryset.filter(dwelling=dwelling)
    return queryset.filter(household=household)


def request_create(
    *,
    household: Household | None,
    category: str,
    location: str,
    description: str,
    channel: str,
    created_by,
    preferred_times: str = "",
    priority: str = RequestPriority.NORMAL,
    photos=(),
    building: Building | None = None,
) -> TechnicalRequest:
    """File a request for ``household`` (by its tenant, or by staff with the channel).

    Staff may file a problem in the common areas of ``building`` for no household (a caretaker
    on site): it is nobody's request, so no tenant is e-mailed or sees it.
    """
    if household is None:
        if building is None or location != RequestLocation.COMMON_AREA:
            raise TenantError(
                _("Sans ménage, une demande porte sur les parties communes d'un immeuble.")
            )
        landlord_id = building.landlord_id
        by_tenant = False
    else:
        landlord_id = household.landlord_id
        by_tenant = is_household_tenant(created_by, household.pk)
    if not by_tenant and not can_handle_requests(created_by, landlord_id):
        raise TenantError(_("Votre rôle ne permet pas de saisir une demande technique."))
    if by_tenant:
        priority = RequestPriority.NORMAL
    if not description.strip():
        raise TenantError(_("Décrivez le problème en quelques mots."))
    for value, choices, message in (
        (category, RequestCategory, _("Choisissez une catégorie de la liste.")),
        (location, RequestLocation, _("Choisissez où se trouve le problème dans la liste.")),
        (channel, RequestChannel, _("Choisissez un canal de la liste.")),
        (priority, RequestPriority, _("Choisissez une priorité de la liste.")),
    ):
        if value not in choices.values:
            raise TenantError(message)
    if "\x00" in description + preferred_times:
        raise TenantError(_("Le texte contient un caractère invalide."))
    if building is not None and building.landlord_id != landlord_id:
        raise TenantError(_("L'immeuble n'est pas celui du bailleur du ménage."))
    dwelling = current_dwelling(household) if household is not None else None
    if building is None and dwelling is not None:
        building = dwelling.building
    prepared = prepare_photos(photos)
    now = timezone.now()
    with _atomic_with_file_cleanup():
        request = TechnicalRequest.objects.create(
            landlord_id=landlord_id,
            household=household,
            dwelling=dwelling,
            building=building,
            category=category,
            location=location,
            description=description.strip(),
            preferred_times=preferred_times.strip(),
            channel=channel,
            priority=priority,
            due_at=now + target_delay(priority),
            created_by=created_by,
            last_update_at=now,
        )
        request.reference = f"DT-{now.year}-{request.pk:06d}"
        request.save(update_fields=["reference"])
        RequestEvent.objects.create(
            request=request, kind=RequestEvent.Kind.CREATED, author=created_by, created_at=now
        )
        _store_photos(request, prepared, created_by)
        if household is not None:
            from tenants.tasks import send_request_confirmation

            enqueue_on_commit(send_request_confirmation, request_id=request.pk)
    return request


class _atomic_with_file_cleanup:
    """transaction.atomic() that deletes the photo files written inside it when it rolls back."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        _written_files.stack.append([])
        return self

    def __exit__(self, exc_type, exc, tb):
        callbacks = _written_files.stack.pop()
        try:
            return self.atomic.__exit__(exc_type, exc, tb)
        finally:
            if exc_type is not None:
                for callback in callbacks:
                    callback()


@transaction.atomic
def request_set_status(
    *,
    request: TechnicalRequest,
    status: str,
    by,
    message: str = "",
    rejection_reason: str = "",
) -> RequestEvent:
    """Move a request to ``status`` (an allowed transition); the tenant is e-mailed once."""
    _check_handler(by, request)
    request = TechnicalRequest.objects.select_for_update().get(pk=request.pk)
    if not request.can_become(status):
        raise TenantError(
            _("Une demande « %(current)s » ne peut pas passer à « %(target)s ».")
            % {
                "current": request.get_status_display(),
                "target": RequestStatus(status).label,
            }
        )
    if status == RequestStatus.REJECTED and not rejection_reason.strip():
        raise TenantError(_("Indiquez le motif du refus."))
    return _change_status(
        request, status, by=by, message=message, rejection_reason=rejection_reason
    )


def _change_status(request, status, *, by, message="", rejection_reason="", kind=None):
    now = timezone.now()
    previous = request.status
    request.status = status
    fields = ["status"]
    if status == RequestStatus.REJECTED:
        request.rejection_reason = rejection_reason.strip()
        fields.append("rejection_reason")
    if status in (RequestStatus.DONE, RequestStatus.REJECTED):
        request.closed_at = now
    else:
        request.closed_at = None
    fields.append("closed_at")
    _touch(request, now, *fields)
    body = message.strip()
    if status == RequestStatus.REJECTED and not body:
        body = request.rejection_reason
    event = RequestEvent.objects.create(
        request=request,
        kind=kind or RequestEvent.Kind.STATUS,
        author=None if isinstance(by, LandlordPrincipal) else by,
        from_status=previous,
        to_status=status,
        body=body,
        created_at=now,
    )
    if request.household_id is not None:  # a common-area report has no tenant to tell
        from tenants.tasks import send_request_update

        enqueue_on_commit(send_request_update, event_id=event.pk)
    return event


def technicians(landlord_id: int):
    from portal.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__landlord_id=landlord_id,
            memberships__role=Role.TECHNICIAN,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


@transaction.atomic
def request_assign(*, request: TechnicalRequest, assignee, by) -> TechnicalRequest:
    """Give the request to a technician of its landlord (an internal event)."""
    _check_handler(by, request)
    if (
        assignee is not None
        and not StaffMembership.objects.filter(
            user=assignee, landlord_id=request.landlord_id, role=Role.TECHNICIAN
        ).exists()
    ):
        raise TenantError(_("Choisissez un(e) technicien(ne) du bailleur de la demande."))
    now = timezone.now()
    request.assignee = assignee
    _touch(request, now, "assignee")
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.ASSIGNED,
        is_internal=True,
        author=by,
        body=assignee.get_full_name() or assignee.email if assignee else "",
        created_at=now,
    )
    return request


@transaction.atomic
def request_add_note(*, request: TechnicalRequest, body: str, by) -> RequestEvent:
    """An internal note: staff only, never shown to the tenant."""
    _check_handler(by, request)
    if not body.strip():
        raise TenantError(_("La note est vide."))
    return RequestEvent.objects.create(
        request=request, kind=RequestEvent.Kind.NOTE, is_internal=True, author=by, body=body.strip()
    )


def request_add_message(
    *, request: TechnicalRequest, body: str, by, photos=()
) -> RequestEvent | None:
    """A message between the tenant and staff (with photos); tenants write only while it is open."""
    by_tenant = is_household_tenant(by, request.household_id)
    if by_tenant:
        if not request.is_open:
            raise TenantError(_("Cette demande est close : vous ne pouvez plus y écrire."))
    else:
        _check_handler(by, request)
    photos = [photo for photo in photos if photo]
    if not body.strip() and not photos:
        raise TenantError(_("Le message est vide."))
    prepared = prepare_photos(photos, already=request.photos.count())
    now = timezone.now()
    event = None
    with _atomic_with_file_cleanup():
        if body.strip():
            event = RequestEvent.objects.create(
                request=request,
                kind=RequestEvent.Kind.MESSAGE,
                author=by,
                body=body.strip(),
                created_at=now,
            )
        if prepared:
            _store_photos(request, prepared, by)
            RequestEvent.objects.create(
                request=request,
                kind=RequestEvent.Kind.PHOTO,
                author=by,
                body=str(len(prepared)),
                created_at=now,
            )
        if not by_tenant:
            # "No news" is measured from staff: a tenant asking for news does not reset it.
            _touch(request, now)
    return event


@transaction.atomic
def request_confirm(*, request: TechnicalRequest, by, rating: int, comment: str = ""):
    """The tenant confirms the work was done and rates it (1 to 5)."""
    if not is_household_tenant(by, request.household_id):
        raise TenantError(_("Seul le locataire peut confirmer les travaux."))
    if request.status != RequestStatus.DONE or request.confirmed_at is not None:
        raise TenantError(_("Cette demande n'attend pas de confirmation."))
    if rating not in range(1, 6):
        raise TenantError(_("Donnez une note de 1 à 5."))
    now = timezone.now()
    request.confirmed_at = now
    request.rating = rating
    request.rating_comment = comment.strip()
    request.save(update_fields=["confirmed_at", "rating", "rating_comment", "updated_at"])
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.CONFIRMED,
        author=by,
        body=comment.strip(),
        created_at=now,
    )
    return request


def can_reopen(request: TechnicalRequest, now=None) -> bool:
    now = now or timezone.now()
    return (
        request.status == RequestStatus.DONE
        and request.confirmed_at is None
        and request.closed_at is not None
        and now - request.closed_at <= REOPEN_WINDOW
    )


@transaction.atomic
def request_reopen(*, request: TechnicalRequest, by, message: str) -> RequestEvent:
    """The tenant says the work is not done, within 15 days of closing: back to acknowledged."""
    if not is_household_tenant(by, request.household_id):
        raise TenantError(_("Seul le locataire peut rouvrir sa demande."))
    request = TechnicalRequest.objects.select_for_update().get(pk=request.pk)
    if not can_reopen(request):
        raise TenantError(_("Cette demande ne peut plus être rouverte : faites-en une nouvelle."))
    if not message.strip():
        raise TenantError(_("Dites-nous ce qui ne va pas."))
    return _change_status(
        request,
        RequestStatus.ACKNOWLEDGED,
        by=by,
        message=message,
        kind=RequestEvent.Kind.REOPENED,
    )


# ---------------------------------------------------------------------------------------------
# Call-backs and corrections


@transaction.atomic
def contact_request_create(
    *, household: Household, kind: str, reason: str, by, preferred_times: str = "", phone=""
) -> ContactRequest:
    if not is_household_tenant(by, household.pk):
        raise TenantError(_("Seul un membre du ménage peut faire cette demande."))
    if not reason.strip():
        raise TenantError(_("Indiquez le motif de votre demande."))
    contact = ContactRequest.objects.create(
        landlord_id=household.landlord_id,
        household=household,
        kind=kind,
        reason=reason.strip(),
        preferred_times=preferred_times.strip(),
        phone=phone or "",
        created_by=by,
    )
    if kind == ContactRequest.Kind.CALLBACK:
        # Outreach puts it in the callers' queue, in this transaction (tenants cannot import it).
        callback_requested.send(sender=ContactRequest, contact_request=contact)
    return contact


@transaction.atomic
def contact_request_mark_handled(*, contact: ContactRequest, by) -> ContactRequest:
    if not can_handle_requests(by, contact.landlord_id):
        raise TenantError(_("Votre rôle ne permet pas de traiter cette demande."))
    if contact.handled_at is None:
        contact.handled_at = timezone.now()
        contact.handled_by = by
        contact.save(update_fields=["handled_at", "handled_by", "updated_at"])
    return contact


@transaction.atomic
def callback_requests_mark_called(*, household_id: int, by, at: datetime.datetime) -> int:
    """The household's open call-back requests filed up to ``at`` are handled: a caller called.

    Called by outreach when a logged call ends the call-back (the caller's right to call was
    checked there). One UPDATE, whatever the number of requests; returns how many changed.
    """
    return ContactRequest.objects.filter(
        household_id=household_id,
        kind=ContactRequest.Kind.CALLBACK,
        handled_at__isnull=True,
        created_at__lte=at,
    ).update(handled_at=at, handled_by=by, updated_at=at)
