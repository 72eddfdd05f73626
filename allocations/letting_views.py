"""Staff pages after the committee: letters (print and PDF), vacancy photos, visit slots and
bookings, the letting history. Scoped like every staff page: another landlord's answers 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from allocations import minutes_pdf
from allocations.errors import AllocationError
from allocations.letters import LETTER_SOURCES, letter_pdf
from allocations.models import (
    ApplicationStatus,
    HousingApplication,
    LettingEvent,
    Vacancy,
    VacancyPhoto,
    VisitBooking,
    VisitBookingStatus,
    VisitSlot,
)
from allocations.views import LETTING_ROLES
from allocations.visits import (
    vacancy_photo_add,
    vacancy_photo_delete,
    visit_book,
    visit_cancel,
    visit_slot_create,
)
from housing.mixins import RoleRequiredMixin
from housing.scoping import scope
from portal.files import photo_response

# ---------------------------------------------------------------------------------------------
# Letters, for staff and (through allocations.applicant_views) for the applicant


class LetterMixin:
    """``letter_queryset(source)`` says which rows the reader may open (others answer 404)."""

    base_template = "base.html"
    body_class = ""

    def letter_queryset(self, source):  # pragma: no cover - each view says
        raise NotImplementedError

    def get_letter(self):
        source = LETTER_SOURCES.get(self.kwargs["kind"])
        if source is None:
            raise Http404
        obj = get_object_or_404(self.letter_queryset(source), pk=self.kwargs["pk"])
        return source.build(obj)


class LetterPageMixin(LetterMixin):
    template_name = "allocations/letter.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            letter=self.get_letter(),
            base_template=self.base_template,
            body_class=self.body_class,
            pdf_available=minutes_pdf.available(),
            pdf_url=self.request.path.rstrip("/") + ".pdf",
        )
        return context


class LetterPdfMixin(LetterMixin):
    def get(self, request, *args, **kwargs):
        letter = self.get_letter()
        if not minutes_pdf.available():
            raise Http404
        response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
        return response


class StaffLetterMixin(RoleRequiredMixin):
    required_roles = LETTING_ROLES

    def letter_queryset(self, source):
        return scope(
            source.queryset(), self.request.user, landlord_path=source.landlord_path
        ).filter(**{f"{source.landlord_path}__in": self.role_landlord_ids})


class StaffLetterView(StaffLetterMixin, LetterPageMixin, TemplateView):
    pass


class StaffLetterPdfView(StaffLetterMixin, LetterPdfMixin, View):
    pass


class VacancyPhotoView(LoginRequiredMixin, View):
    """A vacancy's photo for the landlord's staff and its candidates only (else 404); an anonymous
    visitor is sent to the login page, like on every other non-public page."""

    def get(self, request, pk):
        photo = get_object_or_404(VacancyPhoto.objects.visible_to(request.user), pk=pk)
        return photo_response(photo.image, photo.content_type)


# ---------------------------------------------------------------------------------------------
# Photos, visit slots and bookings of a vacancy (each field's error says what is wrong and how to
# put it right; the page is shown again with them)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=gettext_lazy("Photo (JPEG, PNG ou HEIC, 8 Mo au plus)"),
        error_messages={
            "required": gettext_lazy(
                "Choisissez la photo à ajouter : un fichier JPEG, PNG ou HEIC de 8 Mo au plus."
            ),
            "empty": gettext_lazy("Le fichier choisi est vide : choisissez-en un autre."),
        },
    )
    caption = forms.CharField(
        label=gettext_lazy("Légende (ce que montre la photo)"),
        max_length=150,
        error_messages={
            "required": gettext_lazy(
                "Écrivez une légende qui dit ce que montre la photo, par exemple « Séjour côté "
                "balcon » : elle est lue aux personnes qui ne voient pas la photo."
            ),
        },
    )


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Date et heure de la visite"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        error_messages={
            "required": gettext_lazy("Indiquez la date et l'heure de la visite."),
            "invalid": gettext_lazy(
                "Date ou heure non reconnue : écrivez-les sous la forme jj/mm/aaaa hh:mm, par "
                "exemple 12/03/2026 14:30."
            ),
        },
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Durée (minutes)"),
        min_value=5,
        max_value=240,
        initial=30,
        error_messages={
            "required": gettext_lazy("Indiquez la durée de la visite en minutes, par exemple 30."),
            "invalid": gettext_lazy("Écrivez la durée en minutes, en chiffres, par exemple 30."),
            "min_value": gettext_lazy("Une visite dure au moins %(limit_value)s minutes."),
            "max_value": gettext_lazy(
                "Une visite dure au plus %(limit_value)s minutes : pour plus long, ouvrez "
                "plusieurs créneaux."
            ),
        },
    )
    meeting_point = forms.CharField(
        label=gettext_lazy("Lieu de rendez-vous"), max_length=200, required=False
    )


class StaffBookingForm(forms.Form):
    registration_number = forms.CharField(
        label=gettext_lazy("Numéro unique de la demande"), max_length=30
    )


class VacancyLettingMixin(RoleRequiredMixin):
    required_roles = LETTING_ROLES

    def get_vacancy(self) -> Vacancy:
        return get_object_or_404(
            Vacancy.objects.visible_to(self.request.user)
            .filter(landlord_id__in=self.role_landlord_ids)
            .select_related("dwelling__building"),
            pk=self.kwargs["pk"],
        )

    def back(self):
        return redirect("allocations:vacancy_letting", pk=self.kwargs["pk"])


class VacancyLettingView(VacancyLettingMixin, TemplateView):
    """Photos, visit slots with their bookings, and the letting history of one vacancy."""

    template_name = "allocations/vacancy_letting.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vacancy = self.get_vacancy()
        booked = VisitBooking.objects.filter(status=VisitBookingStatus.BOOKED).select_related(
            "application"
        )
        slots = list(
            VisitSlot.objects.filter(vacancy=vacancy)
            .prefetch_related(
                Prefetch("bookings", queryset=booked, to_attr="active_bookings"),
            )
            .order_by("starts_at", "pk")
        )
        for slot in slots:
            slot.booking = slot.active_bookings[0] if slot.active_bookings else None
        context.update(
            vacancy=vacancy,
            photos=list(vacancy.photos.order_by("created_at", "pk")),
            slots=slots,
            events=list(
                LettingEvent.objects.filter(vacancy=vacancy)
                .select_related("offer__application", "by")
                .order_by("at", "pk")
            ),
            photo_form=kwargs.get("photo_form") or PhotoForm(),
            slot_form=kwargs.get("slot_form") or SlotForm(),
            booking_form=StaffBookingForm(),
            now=timezone.now(),
        )
        return context


class InvalidForm(Exception):
    """A form of the letting page has errors: the page is shown again with them."""

    def __init__(self, name: str, form: forms.Form):
        super().__init__(name)
        self.name = name
        self.form = form


class VacancyActionView(VacancyLettingView):
    """POST-only actions of the letting page: each parses input and calls a service. A form with
    errors shows the page again, with what was typed and each field's message."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        vacancy = self.get_vacancy()
        try:
            message = self.act(vacancy)
        except InvalidForm as invalid:
            return self.render_to_response(self.get_context_data(**{invalid.name: invalid.form}))
        except AllocationError as error:
            messages.error(request, error.message)
        else:
            if message:
                messages.success(request, message)
        return self.back()


class PhotoAddView(VacancyActionView):
    def act(self, vacancy):
        form = PhotoForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise InvalidForm("photo_form", form)
        vacancy_photo_add(
            vacancy=vacancy,
            upload=form.cleaned_data["photo"],
            caption=form.cleaned_data["caption"],
            by=self.request.user,
        )
        return _("La photo est ajoutée.")


class PhotoDeleteView(VacancyActionView):
    def act(self, vacancy):
        photo = get_object_or_404(VacancyPhoto, vacancy=vacancy, pk=self.kwargs["photo_pk"])
        vacancy_photo_delete(photo=photo)
        return _("La photo est supprimée.")


class SlotCreateView(VacancyActionView):
    def act(self, vacancy):
        form = SlotForm(self.request.POST)
        if not form.is_valid():
            raise InvalidForm("slot_form", form)
        data = form.cleaned_data
        starts_at = data["starts_at"]
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        visit_slot_create(
            vacancy=vacancy,
            starts_at=starts_at,
            duration_minutes=data["duration_minutes"],
            meeting_point=data["meeting_point"],
            by=self.request.user,
        )
        return _("Le créneau de visite est ouvert.")


class SlotBookView(VacancyActionView):
    def act(self, vacancy):
        form = StaffBookingForm(self.request.POST)
        if not form.is_valid():
            raise AllocationError(_("Indiquez le numéro unique de la demande."))
        application = (
            HousingApplication.objects.visible_to(self.request.user)
            .filter(
                landlord_id=vacancy.landlord_id,
                registration_number=form.cleaned_data["registration_number"].strip().upper(),
                status=ApplicationStatus.ACTIVE,
            )
            .first()
        )
        if application is None:
            raise AllocationError(_("Aucune demande active de ce numéro chez ce bailleur."))
        slot = get_object_or_404(VisitSlot, vacancy=vacancy, pk=self.kwargs["slot_pk"])
        visit_book(slot_id=slot.pk, application=application, by=self.request.user, as_staff=True)
        return _("La visite est réservée.")


class BookingCancelView(VacancyActionView):
    def act(self, vacancy):
        booking = get_object_or_404(
            VisitBooking, slot__vacancy=vacancy, pk=self.kwargs["booking_pk"]
        )
        visit_cancel(booking_id=booking.pk)
        return _("La visite est annulée.")


urlpatterns = [
    path("caleol/lettres/<slug:kind>/<int:pk>/", StaffLetterView.as_view(), name="staff_letter"),
    path(
        "caleol/lettres/<slug:kind>/<int:pk>.pdf",
        StaffLetterPdfView.as_view(),
        name="staff_letter_pdf",
    ),
    path(
        "logements-a-louer/<int:pk>/location/",
        VacancyLettingView.as_view(),
        name="vacancy_letting",
    ),
    path("logements-a-louer/<int:pk>/photos/", PhotoAddView.as_view(), name="vacancy_photo_add"),
    path(
        "logements-a-louer/<int:pk>/photos/<int:photo_pk>/supprimer/",
        PhotoDeleteView.as_view(),
        name="vacancy_photo_delete",
    ),
    path("logements-a-louer/<int:pk>/visites/", SlotCreateView.as_view(), name="visit_slot_add"),
    path(
        "logements-a-louer/<int:pk>/visites/<int:slot_pk>/reserver/",
        SlotBookView.as_view(),
        name="visit_slot_book",
    ),
    path(
        "logements-a-louer/<int:pk>/reservations/<int:booking_pk>/annuler/",
        BookingCancelView.as_view(),
        name="visit_booking_cancel",
    ),
    path("logements-a-louer/photos/<int:pk>/", VacancyPhotoView.as_view(), name="vacancy_photo"),
]
