"""Vacancy photos and physical visits: slots staff open, bookings by applicants or staff.

Photos are checked and re-encoded the way tenants' request photos are (``tenants.services.photos``)
and stored under a random name; they are served only through a scoped view.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.errors import AllocationError
from allocations.models import (
    OPEN_VACANCY_STATUSES,
    ApplicationStatus,
    Candidacy,
    HousingApplication,
    Vacancy,
    VacancyPhoto,
    VisitBooking,
    VisitBookingStatus,
    VisitSlot,
)
from tenants.errors import TenantError
from tenants.services.photos import prepare_photos

MAX_VACANCY_PHOTOS = 12


def _check_open(vacancy: Vacancy) -> None:
    if vacancy.status not in OPEN_VACANCY_STATUSES:
        raise AllocationError(_("Ce logement n'est plus proposé à la location."))


@transaction.atomic
def vacancy_photo_add(*, vacancy: Vacancy, upload, caption: str, by=None) -> VacancyPhoto:
    caption = caption.strip()
    if not caption:
        raise AllocationError(
            _(
                "Décrivez la photo en quelques mots (pièce, vue) : la légende est lue aux personnes qui ne la voient pas."
            )
        )
    if not upload:
        raise AllocationError(_("Choisissez une photo."))
    if VacancyPhoto.objects.filter(vacancy=vacancy).count() >= MAX_VACANCY_PHOTOS:
        raise AllocationError(
            _("%(count)d photos au plus par logement.") % {"count": MAX_VACANCY_PHOTOS}
        )
    try:
        (prepared,) = prepare_photos([upload])
    except TenantError as error:
        raise AllocationError(error.message) from error
    photo = VacancyPhoto(
        vacancy=vacancy,
        caption=caption[:150],
        content_type=prepared.content_type,
        size=prepared.size,
        uploaded_by=by,
    )
    photo.image.save(prepared.content.name, prepared.content, save=False)
    photo.save()
    return photo


@transaction.atomic
def vacancy_photo_delete(*, photo: VacancyPhoto) -> None:
    name = photo.image.name
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def visit_slot_create(
    *,
    vacancy: Vacancy,
    starts_at: datetime.datetime,
    duration_minutes: int = 30,
    meeting_point: str = "",
    by=None,
    now: datetime.datetime | None = None,
) -> VisitSlot:
    now = now or timezone.now()
    _check_open(vacancy)
    if starts_at <= now:
        raise AllocationError(_("Un créneau de visite se place dans le futur."))
    if duration_minutes < 5:
        raise AllocationError(_("Une visite dure au moins 5 minutes."))
    try:
        with transaction.atomic():
            return VisitSlot.objects.create(
                vacancy=vacancy,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                meeting_point=meeting_point.strip()[:200],
                created_by=by,
            )
    except IntegrityError as error:
        raise AllocationError(_("Ce créneau existe déjà pour ce logement.")) from error


def is_candidate(application: HousingApplication, vacancy_id: int) -> bool:
    return Candidacy.objects.filter(
        application=application, agenda_item__vacancy_id=vacancy_id
    ).exists()


@transaction.atomic
def visit_book(
    *,
    slot_id: int,
    application: HousingApplication,
    by=None,
    as_staff: bool = False,
    now: datetime.datetime | None = None,
) -> VisitBooking:
    """Book a visit. An applicant books the visits of vacancies they are a candidate for;
    staff book for any active application of the vacancy's landlord."""
    now = now or timezone.now()
    slot = VisitSlot.objects.select_for_update().select_related("vacancy").get(pk=slot_id)
    vacancy = slot.vacancy
    _check_open(vacancy)
    if slot.starts_at <= now:
        raise AllocationError(_("Ce créneau de visite est passé."))
    if application.status != ApplicationStatus.ACTIVE:
        raise AllocationError(_("Cette demande de logement n'est plus active."))
    if application.landlord_id != vacancy.landlord_id:
        raise AllocationError(_("Cette demande n'est pas instruite par le bailleur du logement."))
    if not as_staff and not is_candidate(application, vacancy.pk):
        raise AllocationError(_("Vous n'êtes pas candidat pour ce logement."))
    if VisitBooking.objects.filter(
        application=application, slot__vacancy=vacancy, status=VisitBookingStatus.BOOKED
    ).exists():
        raise AllocationError(_("Une visite de ce logement est déjà réservée pour cette demande."))
    try:
        with transaction.atomic():
            return VisitBooking.objects.create(slot=slot, application=application, booked_by=by)
    except IntegrityError as error:
        raise AllocationError(_("Ce créneau de visite est déjà réservé.")) from error


@transaction.atomic
def visit_cancel(*, booking_id: int, now: datetime.datetime | None = None) -> VisitBooking:
    now = now or timezone.now()
    booking = VisitBooking.objects.select_for_update().select_related("slot").get(pk=booking_id)
    if booking.status != VisitBookingStatus.BOOKED:
        raise AllocationError(_("Cette visite est déjà annulée."))
    if booking.slot.starts_at <= now:
        raise AllocationError(_("Cette visite a déjà eu lieu."))
    booking.status = VisitBookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at", "updated_at"])
    return booking
