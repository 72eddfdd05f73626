"""Pages of the appointments with advisers.

``tenant_urlpatterns`` are the tenant's own pages (mounted under /espace/rendez-vous/, namespace
"appointments"), including the signed links of the e-mails; ``urlpatterns`` are the staff pages
(mounted with the other outreach pages under /personnel/, namespace "outreach").
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from housing.mixins import RoleRequiredMixin
from outreach.errors import OutreachError
from outreach.forms.appointments import BookingStartForm, OutcomeForm, WaitingListForm
from outreach.models import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    BookingSettings,
    Slot,
    WaitingListEntry,
    WaitingStatus,
)
from outreach.selectors.appointments import (
    adviser_slots,
    day_bounds,
    household_appointments,
    parse_day,
    week_grid,
    week_of,
)
from outreach.services.appointments import (
    APPOINTMENT_DESK,
    REASON_KIND,
    BookingRequest,
    SlotTaken,
    advisers_of,
    appointment_book,
    appointment_cancel,
    appointment_from_token,
    appointment_move,
    appointment_set_outcome,
    free_slots,
    waiting_list_join,
    waiting_offer_accept,
)
from portal.rls import SecretLinkMixin
from tenants.mixins import HouseholdRequiredMixin
from tenants.models import Household
from tenants.selectors import household_list

SESSION_KEY = "appointment_booking"
TEMPLATES = "outreach/appointments/"


def _slot_id(request) -> int | None:
    try:
        return int(request.POST.get("creneau") or request.GET.get("creneau") or "")
    except ValueError:
        return None


def _can_change_online(appointment: Appointment, rules: BookingSettings) -> bool:
    cutoff = appointment.slot.start - datetime.timedelta(hours=rules.cancel_cutoff_hours)
    return appointment.status == AppointmentStatus.BOOKED and timezone.now() < cutoff


# ---------------------------------------------------------------------------------------------
# Tenant pages


class TenantHouseholdMixin(HouseholdRequiredMixin):
    """The tenant's own household; anybody without one gets 404."""

    def own_appointment(self, pk: int) -> Appointment:
        return get_object_or_404(
            Appointment.objects.select_related("slot__adviser", "slot__agency"),
            pk=pk,
            household=self.household,
        )


class MyAppointmentsView(TenantHouseholdMixin, View):
    def get(self, request):
        appointments = household_appointments(self.household)
        rules = BookingSettings.for_landlord(self.household.landlord_id)
        for appointment in appointments.upcoming:
            appointment.can_change = _can_change_online(appointment, rules)
        return render(
            request,
            TEMPLATES + "my_appointments.html",
            {
                "upcoming": appointments.upcoming,
                "others": appointments.others,
                "others_total": appointments.others_total,
                "waiting": appointments.waiting,
            },
        )


class BookStartView(TenantHouseholdMixin, View):
    """Step 1: reason, mode and the number to call."""

    def get(self, request):
        initial = request.session.get(SESSION_KEY) or {
            "phone": str(self.household.mobile_phone or self.household.phone or "")
        }
        return self.show(BookingStartForm(initial=initial))

    def post(self, request):
        form = BookingStartForm(request.POST)
        if not form.is_valid():
            return self.show(form)
        request.session[SESSION_KEY] = form.to_session()
        return redirect("appointments:book_slots")

    def show(self, form):
        return render(self.request, TEMPLATES + "book_start.html", {"form": form, "step": 1})


def _week_context(request, slots_for_week, *, selected=None) -> dict:
    today_monday = week_of(timezone.localdate())[0]
    if request.GET.get("semaine"):
        day = parse_day(request.GET.get("semaine"))
    else:
        # No week asked for: the week of the first free slot, not an empty week.
        first = slots_for_week(None, None).values_list("start", flat=True).first()
        day = timezone.localdate(first) if first else today_monday
    monday, start, end = week_of(day)
    if monday < today_monday:
        monday, start, end = week_of(today_monday)
    grid = week_grid(slots_for_week(start, end), monday)
    query = request.GET.copy()
    for key in ("semaine", "creneau"):
        query.pop(key, None)
    return {
        "grid": grid,
        "selected": selected,
        "can_go_back": monday > today_monday,
        "choice_query": query.urlencode(),
    }


class BookSlotsView(TenantHouseholdMixin, View):
    """Step 2: a week of free slots as a table of radio buttons."""

    def dispatch(self, request, *args, **kwargs):
        self.choice = request.session.get(SESSION_KEY)
        return super().dispatch(request, *args, **kwargs)

    def slots(self, start, end):
        return free_slots(
            landlord_id=self.household.landlord_id,
            kind=REASON_KIND.get(self.choice["reason"]),
            mode=self.choice["mode"],
            household_id=self.household.pk,
            start=start,
            end=end,
        )

    def get(self, request, error: str = "", alternatives=None):
        if not self.choice:
            return redirect("appointments:book_start")
        context = _week_context(request, self.slots, selected=_slot_id(request))
        context.update(
            choice=self.choice,
            mode_is_agency=self.choice["mode"] == AppointmentMode.AGENCY,
            step=2,
            error=error,
            alternatives=alternatives or [],
            action=reverse("appointments:book_slots"),
            submit_label=_("Continuer"),
        )
        return render(request, TEMPLATES + "book_slots.html", context)

    def post(self, request):
        if not self.choice:
            return redirect("appointments:book_start")
        slot_id = _slot_id(request)
        if slot_id is None:
            return self.get(request, error=_("Choisissez un créneau."))
        return redirect(reverse("appointments:book_confirm") + f"?creneau={slot_id}")


class BookConfirmView(TenantHouseholdMixin, View):
    """Step 3: the summary, then the booking."""

    def slot(self, request) -> Slot:
        return get_object_or_404(
            Slot.objects.select_related("adviser", "agency"),
            pk=_slot_id(request),
            landlord_id=self.household.landlord_id,
        )

    def get(self, request):
        choice = request.session.get(SESSION_KEY)
        if not choice:
            return redirect("appointments:book_start")
        return render(
            request,
            TEMPLATES + "book_confirm.html",
            {"slot": self.slot(request), "choice": choice, "step": 3},
        )

    def post(self, request):
        choice = request.session.get(SESSION_KEY)
        if not choice:
            return redirect("appointments:book_start")
        slot = self.slot(request)
        try:
            appointment = appointment_book(
                household=self.household,
                slot=slot,
                request=BookingRequest(**choice),
                booked_by=request.user,
            )
        except SlotTaken as error:
            view = BookSlotsView()
            view.setup(request)
            view.household, view.choice = self.household, choice
            return view.get(request, error=error.message, alternatives=error.alternatives)
        except OutreachError as error:
            messages.error(request, error.message)
            return redirect("appointments:book_slots")
        request.session.pop(SESSION_KEY, None)
        return redirect("appointments:confirmation", pk=appointment.pk)


class ConfirmationView(TenantHouseholdMixin, View):
    def get(self, request, pk):
        appointment = self.own_appointment(pk)
        return render(request, TEMPLATES + "confirmation.html", {"appointment": appointment})


class CancelView(TenantHouseholdMixin, View):
    def get(self, request, pk):
        return render(
            request,
            TEMPLATES + "cancel.html",
            {"appointment": self.own_appointment(pk), "action": request.path},
        )

    def post(self, request, pk):
        appointment = self.own_appointment(pk)
        try:
            appointment_cancel(appointment=appointment, by_user=request.user)
        except OutreachError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Votre rendez-vous est annulé."))
        return redirect("appointments:my_appointments")


class MoveView(TenantHouseholdMixin, View):
    """A week of free slots for the same adviser type and mode; choosing one moves the booking."""

    def appointment(self, pk):
        return self.own_appointment(pk)

    def done_url(self, appointment):
        return reverse("appointments:confirmation", kwargs={"pk": appointment.pk})

    def get(self, request, pk, error: str = "", alternatives=None):
        appointment = self.appointment(pk)

        def slots(start, end):
            return free_slots(
                landlord_id=appointment.landlord_id,
                kind=appointment.slot.kind,
                mode=appointment.mode,
                household_id=appointment.household_id,
                start=start,
                end=end,
            ).exclude(pk=appointment.slot_id)

        context = _week_context(request, slots, selected=_slot_id(request))
        context.update(
            appointment=appointment,
            error=error,
            alternatives=alternatives or [],
            action=request.path,
            submit_label=_("Déplacer le rendez-vous"),
        )
        return render(request, TEMPLATES + "move.html", context)

    def post(self, request, pk):
        appointment = self.appointment(pk)
        slot_id = _slot_id(request)
        slot = Slot.objects.filter(pk=slot_id, landlord_id=appointment.landlord_id).first()
        if slot is None:
            return self.get(request, pk, error=_("Choisissez un créneau."))
        try:
            appointment = appointment_move(
                appointment=appointment, new_slot=slot, by_user=request.user
            )
        except SlotTaken as error:
            return self.get(request, pk, error=error.message, alternatives=error.alternatives)
        except OutreachError as error:
            return self.get(request, pk, error=error.message)
        messages.success(request, _("Votre rendez-vous est déplacé."))
        return redirect(self.done_url(appointment))


class _SignedLinkMixin:
    """Pages reached from an e-mail: the signed token stands for the login."""

    purpose = ""

    def dispatch(self, request, *args, **kwargs):
        try:
            self.linked = appointment_from_token(
                appointment_id=kwargs["pk"], token=kwargs["token"], purpose=self.purpose
            )
        except OutreachError as error:
            return render(
                request, TEMPLATES + "link_invalid.html", {"error": error.message}, status=400
            )
        self.household = self.linked.household
        return View.dispatch(self, request, *args, **kwargs)

    def own_appointment(self, pk):
        return self.linked


class SignedLinkMixin(SecretLinkMixin, _SignedLinkMixin):
    """The signed link's appointment may be of any landlord: read with the wall open for it."""


class LinkCancelView(SignedLinkMixin, CancelView):
    purpose = "cancel"

    def get(self, request, pk, token):
        return super().get(request, pk)

    def post(self, request, pk, token):
        try:
            appointment = appointment_cancel(appointment=self.linked)
        except OutreachError as error:
            messages.error(request, error.message)
            return redirect(request.path)
        return render(request, TEMPLATES + "link_done.html", {"appointment": appointment})


class LinkMoveView(SignedLinkMixin, MoveView):
    purpose = "move"

    def appointment(self, pk):
        return self.linked

    def done_url(self, appointment):
        return self.request.path + "?deplace=1"

    def get(self, request, pk, token, error="", alternatives=None):
        if request.GET.get("deplace"):
            appointment = Appointment.objects.select_related("slot__adviser", "slot__agency").get(
                pk=pk
            )
            return render(request, TEMPLATES + "link_done.html", {"appointment": appointment})
        return super().get(request, pk, error=error, alternatives=alternatives)

    def post(self, request, pk, token):
        return super().post(request, pk)


class WaitingListJoinView(TenantHouseholdMixin, View):
    def get(self, request):
        choice = request.session.get(SESSION_KEY) or {}
        return self.show(WaitingListForm(initial={"kind": REASON_KIND.get(choice.get("reason"))}))

    def post(self, request):
        form = WaitingListForm(request.POST)
        choice = request.session.get(SESSION_KEY)
        if not choice:
            return redirect("appointments:book_start")
        if form.is_valid():
            try:
                waiting_list_join(
                    household=self.household,
                    kind=form.cleaned_data["kind"],
                    reason=choice["reason"],
                    mode=choice["mode"],
                    phone=choice["phone"],
                    earliest=form.cleaned_data["earliest"],
                    latest=form.cleaned_data["latest"],
                )
            except OutreachError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Vous êtes sur la liste d'attente : nous vous écrirons dès qu'un créneau se libère."
                    ),
                )
                return redirect("appointments:my_appointments")
        return self.show(form)

    def show(self, form):
        return render(self.request, TEMPLATES + "waiting_join.html", {"form": form})


class WaitingOfferView(TenantHouseholdMixin, View):
    def entry(self, pk):
        return get_object_or_404(
            WaitingListEntry.objects.select_related(
                "offered_slot__adviser", "offered_slot__agency", "household"
            ),
            pk=pk,
            household=self.household,
            status=WaitingStatus.OFFERED,
        )

    def get(self, request, pk):
        return render(request, TEMPLATES + "waiting_offer.html", {"entry": self.entry(pk)})

    def post(self, request, pk):
        try:
            appointment = waiting_offer_accept(entry=self.entry(pk), booked_by=request.user)
        except OutreachError as error:
            messages.error(request, error.message)
            return redirect("appointments:my_appointments")
        return redirect("appointments:confirmation", pk=appointment.pk)


tenant_urlpatterns = [
    path("", MyAppointmentsView.as_view(), name="my_appointments"),
    path("prendre/", BookStartView.as_view(), name="book_start"),
    path("prendre/creneaux/", BookSlotsView.as_view(), name="book_slots"),
    path("prendre/confirmer/", BookConfirmView.as_view(), name="book_confirm"),
    path("<int:pk>/confirmation/", ConfirmationView.as_view(), name="confirmation"),
    path("<int:pk>/annuler/", CancelView.as_view(), name="cancel"),
    path("<int:pk>/deplacer/", MoveView.as_view(), name="move"),
    path(
        "lien/<int:pk>/<str:token>/annuler/",
        LinkCancelView.as_view(),
        name="appointment_link_cancel",
    ),
    path(
        "lien/<int:pk>/<str:token>/deplacer/", LinkMoveView.as_view(), name="appointment_link_move"
    ),
    path("liste-attente/", WaitingListJoinView.as_view(), name="waiting_join"),
    path("liste-attente/<int:pk>/", WaitingOfferView.as_view(), name="waiting_offer"),
]


# ---------------------------------------------------------------------------------------------
# Staff pages


class DeskMixin(RoleRequiredMixin):
    required_roles = APPOINTMENT_DESK

    def advisers(self):
        return advisers_of(self.role_landlord_ids)

    def chosen_adviser(self, advisers):
        wanted = self.request.GET.get("conseiller", "")
        by_id = {str(adviser.pk): adviser for adviser in advisers}
        if wanted:
            if wanted not in by_id:
                raise Http404
            return by_id[wanted]
        return by_id.get(str(self.request.user.pk)) or (advisers[0] if advisers else None)


class AgendaDayView(DeskMixin, View):
    """One adviser's day: every slot, free or booked, with the household."""

    def get(self, request):
        advisers = self.advisers()
        adviser = self.chosen_adviser(advisers)
        day = parse_day(request.GET.get("jour"))
        start, end = day_bounds(day)
        slots = (
            list(
                adviser_slots(
                    adviser_id=adviser.pk, landlord_ids=self.role_landlord_ids, start=start, end=end
                )
            )
            if adviser
            else []
        )
        return render(
            request,
            TEMPLATES + "agenda_day.html",
            {
                "advisers": advisers,
                "adviser": adviser,
                "day": day,
                "previous": day - datetime.timedelta(days=1),
                "next": day + datetime.timedelta(days=1),
                "slots": slots,
            },
        )


class AgendaWeekView(DeskMixin, View):
    def get(self, request):
        advisers = self.advisers()
        adviser = self.chosen_adviser(advisers)
        monday, start, end = week_of(parse_day(request.GET.get("semaine")))
        slots = (
            adviser_slots(
                adviser_id=adviser.pk, landlord_ids=self.role_landlord_ids, start=start, end=end
            )
            if adviser
            else []
        )
        return render(
            request,
            TEMPLATES + "agenda_week.html",
            {"advisers": advisers, "adviser": adviser, "grid": week_grid(slots, monday)},
        )


class StaffBookSearchView(DeskMixin, View):
    """Find the household of a tenant who phones, to book for them."""

    def get(self, request):
        query = request.GET.get("q", "").strip()
        households = (
            list(
                household_list(request.user, search=query).filter(
                    landlord_id__in=self.role_landlord_ids
                )[:20]
            )
            if query
            else []
        )
        return render(
            request,
            TEMPLATES + "staff_book_search.html",
            {"q": query, "households": households},
        )


class StaffBookView(DeskMixin, View):
    """Book for a tenant who phones: the household's page leads here."""

    def household(self, pk):
        return get_object_or_404(
            Household.objects.filter(landlord_id__in=self.role_landlord_ids), pk=pk
        )

    def get(self, request, household_pk, form=None, error="", alternatives=None):
        household = self.household(household_pk)
        form = form or BookingStartForm(
            initial={
                "phone": str(household.mobile_phone or household.phone or ""),
                "mode": AppointmentMode.PHONE,
            },
            data=request.GET if "reason" in request.GET else None,
        )
        choice = form.to_session() if form.is_bound and form.is_valid() else None
        context = {"household": household, "form": form, "choice": choice, "error": error}
        context["alternatives"] = alternatives or []
        if choice:

            def slots(start, end):
                return free_slots(
                    landlord_id=household.landlord_id,
                    kind=REASON_KIND.get(choice["reason"]),
                    mode=choice["mode"],
                    household_id=household.pk,
                    start=start,
                    end=end,
                    staff=True,
                )

            context.update(_week_context(request, slots, selected=_slot_id(request)))
            context.update(
                action=request.get_full_path(),
                submit_label=_("Réserver ce créneau"),
                mode_is_agency=choice["mode"] == AppointmentMode.AGENCY,
            )
        return render(request, TEMPLATES + "staff_book.html", context)

    def post(self, request, household_pk):
        household = self.household(household_pk)
        form = BookingStartForm(request.GET)
        if not form.is_valid():
            return self.get(request, household_pk, form=form)
        slot = Slot.objects.filter(pk=_slot_id(request), landlord_id=household.landlord_id).first()
        if slot is None:
            return self.get(request, household_pk, form=form, error=_("Choisissez un créneau."))
        try:
            appointment = appointment_book(
                household=household,
                slot=slot,
                request=BookingRequest(**form.to_session()),
                booked_by=request.user,
                staff=True,
            )
        except SlotTaken as error:
            return self.get(
                request,
                household_pk,
                form=form,
                error=error.message,
                alternatives=error.alternatives,
            )
        except OutreachError as error:
            return self.get(request, household_pk, form=form, error=error.message)
        messages.success(request, _("Le rendez-vous est réservé."))
        return redirect("outreach:appointment_detail", pk=appointment.pk)


class StaffAppointmentView(DeskMixin, View):
    """One appointment, its reminder, and the outcome form."""

    def appointment(self, pk):
        return get_object_or_404(
            Appointment.objects.filter(landlord_id__in=self.role_landlord_ids).select_related(
                "slot__adviser", "slot__agency", "household", "booked_by", "outcome_by", "reminder"
            ),
            pk=pk,
        )

    def get(self, request, pk, form=None):
        appointment = self.appointment(pk)
        return render(
            request,
            TEMPLATES + "staff_appointment.html",
            {"appointment": appointment, "form": form or OutcomeForm()},
        )

    def post(self, request, pk):
        appointment = self.appointment(pk)
        form = OutcomeForm(request.POST)
        if form.is_valid():
            try:
                appointment_set_outcome(
                    appointment=appointment,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except OutreachError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("L'issue du rendez-vous est enregistrée."))
                return redirect("outreach:appointment_detail", pk=pk)
        return self.get(request, pk, form=form)


urlpatterns = [
    path("rendez-vous/", AgendaDayView.as_view(), name="appointment_day"),
    path("rendez-vous/semaine/", AgendaWeekView.as_view(), name="appointment_week"),
    path("rendez-vous/reserver/", StaffBookSearchView.as_view(), name="appointment_book_search"),
    path(
        "rendez-vous/reserver/<int:household_pk>/",
        StaffBookView.as_view(),
        name="appointment_staff_book",
    ),
    path("rendez-vous/<int:pk>/", StaffAppointmentView.as_view(), name="appointment_detail"),
]
