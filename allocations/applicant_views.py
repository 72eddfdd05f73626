"""The applicant's pages in the tenant space (/espace/demande-de-logement/): their application,
score and standing, the committee's decisions, the offer to accept or refuse, letters, visits.

Mounted by ``portal.urls`` (the tenants app cannot import allocations). Everything read goes
through ``allocations.applicant``: another household's application, offer, letter or booking
answers 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from allocations.applicant import (
    HOUSEHOLD_USER,
    applicant_applications,
    applicant_bookings,
    applicant_offers,
    applicant_page,
)
from allocations.errors import AllocationError
from allocations.letting import offer_accept_and_let
from allocations.letting_views import LetterPageMixin, LetterPdfMixin, VacancyPhotoView
from allocations.models import Offer, VisitSlot
from allocations.services import offer_refuse
from allocations.visits import visit_book, visit_cancel
from housing.scoping import scope
from tenants.mixins import HouseholdRequiredMixin


class ApplicantMixin(HouseholdRequiredMixin):
    """A tenant's own pages: anybody without a household answers 404."""


class ApplicantHomeView(ApplicantMixin, TemplateView):
    template_name = "allocations/applicant/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(applicant_page(self.request.user), household=self.household)
        return context


class OfferAnswerView(ApplicantMixin, TemplateView):
    """Accept or refuse an offer: a confirmation page, then the answer (POST)."""

    template_name = "allocations/applicant/offer_answer.html"
    accept = True

    def get_offer(self) -> Offer:
        return get_object_or_404(
            applicant_offers(self.request.user).select_related(
                "vacancy__dwelling__building", "application"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(offer=self.get_offer(), accept=self.accept)
        return context

    def post(self, request, *args, **kwargs):
        offer = self.get_offer()
        try:
            if self.accept:
                offer_accept_and_let(offer_id=offer.pk, by=request.user)
                messages.success(
                    request,
                    _(
                        "Vous avez accepté le logement. Votre agence vous contacte pour signer "
                        "le bail et remettre les clés."
                    ),
                )
            else:
                offer_refuse(offer_id=offer.pk)
                messages.success(request, _("Votre refus est enregistré."))
        except AllocationError as error:
            messages.error(request, error.message)
        return redirect("applicant:home")


class VisitBookView(ApplicantMixin, View):
    def post(self, request, slot_pk):
        slot = get_object_or_404(
            scope(
                VisitSlot.objects.all(),
                request.user,
                landlord_path=None,
                tenant_path=f"vacancy__agenda_items__candidacies__application__{HOUSEHOLD_USER}",
            ),
            pk=slot_pk,
        )
        application = (
            applicant_applications(request.user)
            .filter(candidacies__agenda_item__vacancy_id=slot.vacancy_id)
            .order_by("-registered_on")
            .first()
        )
        if application is None:
            raise Http404
        try:
            visit_book(slot_id=slot.pk, application=application, by=request.user)
        except AllocationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Votre visite est réservée."))
        return redirect("applicant:home")


class VisitCancelView(ApplicantMixin, View):
    def post(self, request, pk):
        booking = get_object_or_404(applicant_bookings(request.user), pk=pk)
        try:
            visit_cancel(booking_id=booking.pk)
        except AllocationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Votre visite est annulée."))
        return redirect("applicant:home")


class ApplicantLetterMixin(ApplicantMixin):
    base_template = "tenants/space/base.html"
    body_class = "tenant"

    def letter_queryset(self, source):
        return scope(
            source.queryset(),
            self.request.user,
            landlord_path=None,
            tenant_path=source.tenant_path,
        )


class ApplicantLetterView(ApplicantLetterMixin, LetterPageMixin, TemplateView):
    pass


class ApplicantLetterPdfView(ApplicantLetterMixin, LetterPdfMixin, View):
    pass


applicant_urlpatterns = [
    path("", ApplicantHomeView.as_view(), name="home"),
    path(
        "propositions/<int:pk>/accepter/",
        OfferAnswerView.as_view(accept=True),
        name="offer_accept",
    ),
    path(
        "propositions/<int:pk>/refuser/",
        OfferAnswerView.as_view(accept=False),
        name="offer_refuse",
    ),
    path("visites/<int:slot_pk>/reserver/", VisitBookView.as_view(), name="visit_book"),
    path("visites/<int:pk>/annuler/", VisitCancelView.as_view(), name="visit_cancel"),
    path("lettres/<slug:kind>/<int:pk>/", ApplicantLetterView.as_view(), name="letter"),
    path("lettres/<slug:kind>/<int:pk>.pdf", ApplicantLetterPdfView.as_view(), name="letter_pdf"),
    path("photos/<int:pk>/", VacancyPhotoView.as_view(), name="photo"),
]
