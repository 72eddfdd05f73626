"""E-mails of the appointments: confirmation, move, cancellation, reminder, waiting-list offer.

Always in Paris time and in the household's language, whoever booked; an ``.ics`` file goes with
every e-mail of a booked appointment.
"""

from __future__ import annotations

import datetime

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from outreach.calendar import PARIS
from outreach.models import Appointment, AppointmentMode, AppointmentStatus, WaitingListEntry
from outreach.services.appointments import appointment_link_token
from portal.mail import portal_url

SUBJECTS = {
    "confirmation": "Votre rendez-vous est confirmé",
    "moved": "Votre rendez-vous a été déplacé",
    "cancelled": "Votre rendez-vous est annulé",
    "reminder": "Rappel : votre rendez-vous de demain",
}


def appointment_ics(appointment: Appointment) -> bytes:
    """An iCalendar file for the appointment (UTC times; calendars show them in local time)."""
    slot = appointment.slot
    calendar = Calendar()
    calendar.add("prodid", "-//Portail des Villeneuves//Rendez-vous//FR")
    calendar.add("version", "2.0")
    calendar.add(
        "method", "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "PUBLISH"
    )
    event = Event()
    event.add("uid", f"rendez-vous-{appointment.pk}@villeneuves.example")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", slot.start.astimezone(datetime.UTC))
    event.add("dtend", slot.end.astimezone(datetime.UTC))
    event.add("sequence", appointment.moves)
    event.add("summary", _("Rendez-vous avec %(name)s") % {"name": slot.adviser.get_full_name()})
    if appointment.mode == AppointmentMode.AGENCY:
        agency = slot.agency
        event.add(
            "location", f"{agency.name}, {agency.address}, {agency.postal_code} {agency.city}"
        )
    else:
        event.add("location", _("Par téléphone : le conseiller vous appelle"))
    if appointment.status == AppointmentStatus.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def _links(appointment: Appointment) -> dict[str, str]:
    links = {}
    for purpose, name in (("cancel", "appointment_link_cancel"), ("move", "appointment_link_move")):
        token = appointment_link_token(appointment_id=appointment.pk, purpose=purpose)
        links[purpose] = portal_url(
            reverse(f"appointments:{name}", kwargs={"pk": appointment.pk, "token": token})
        )
    return links


def send_appointment_email(*, appointment_id: int, kind: str) -> bool:
    appointment = (
        Appointment.objects.select_related("slot__adviser", "slot__agency", "household")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return False
    household = appointment.household
    if not household.email:
        if kind == "reminder":
            raise ValueError(_("Le ménage n'a pas d'adresse e-mail."))
        return False
    with translation.override(household.preferred_language or "fr"), timezone.override(PARIS):
        context = {
            "appointment": appointment,
            "slot": appointment.slot,
            "household": household,
            "kind": kind,
            "links": _links(appointment) if appointment.status == AppointmentStatus.BOOKED else {},
            "space_url": portal_url(reverse("appointments:my_appointments")),
        }
        body = render_to_string("outreach/appointments/email.txt", context)
        message = EmailMultiAlternatives(subject=_(SUBJECTS[kind]), body=body, to=[household.email])
        message.attach("rendez-vous.ics", appointment_ics(appointment), "text/calendar")
        message.send()
    return True


def send_waiting_offer_email(*, entry_id: int) -> bool:
    entry = (
        WaitingListEntry.objects.select_related(
            "household", "offered_slot__adviser", "offered_slot__agency"
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or not entry.household.email or entry.offered_slot is None:
        return False
    with translation.override(entry.household.preferred_language or "fr"), timezone.override(PARIS):
        body = render_to_string(
            "outreach/appointments/email_offer.txt",
            {
                "entry": entry,
                "slot": entry.offered_slot,
                "url": portal_url(reverse("appointments:waiting_offer", kwargs={"pk": entry.pk})),
            },
        )
        EmailMultiAlternatives(
            subject=_("Un créneau s'est libéré pour vous"), body=body, to=[entry.household.email]
        ).send()
    return True
