"""Staff pages of letting (vacancies, applications with their score) and the committee's minutes."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from allocations import minutes_pdf
from allocations.models import AgendaItem, Candidacy, CommitteeMember, Sitting, Vacancy
from allocations.occupancy import occupancy_reviews_due
from allocations.selectors import (
    PRIORITY_QUOTA_PERCENT,
    application_list,
    priority_quota,
    sitting_for_minutes,
    vacancy_list,
)
from allocations.services import application_scores
from housing.mixins import RoleRequiredMixin
from housing.models import Role

LETTING_ROLES = [Role.LETTING_AGENT, Role.COMMITTEE_SECRETARY, Role.LANDLORD_ADMIN]
COMMITTEE_ROLES = [Role.COMMITTEE_SECRETARY, Role.LANDLORD_ADMIN]


class VacancyListView(RoleRequiredMixin, ListView):
    required_roles = LETTING_ROLES
    template_name = "allocations/vacancy_list.html"
    context_object_name = "vacancies"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return vacancy_list(
            self.request.user,
            landlord_ids=self.role_landlord_ids,
            status=self.request.GET.get("etat", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = Vacancy.Status.choices
        context["current_status"] = self.request.GET.get("etat", "")
        return context


class VacancyDetailView(RoleRequiredMixin, DetailView):
    required_roles = LETTING_ROLES
    template_name = "allocations/vacancy_detail.html"
    context_object_name = "vacancy"

    def get_queryset(self):
        return vacancy_list(self.request.user, landlord_ids=self.role_landlord_ids)


class ApplicationListView(RoleRequiredMixin, ListView):
    required_roles = LETTING_ROLES
    template_name = "allocations/application_list.html"
    context_object_name = "applications"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return application_list(
            self.request.user,
            landlord_ids=self.role_landlord_ids,
            search=self.request.GET.get("q", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = list(context["applications"])
        scores = application_scores(page)
        for application in page:
            application.score, application.breakdown = scores[application.pk]
        context["applications"] = page
        context["search"] = self.request.GET.get("q", "")
        return context


class SittingMinutesView(RoleRequiredMixin, DetailView):
    """The minutes (procès-verbal) as an HTML page made for printing."""

    required_roles = COMMITTEE_ROLES
    template_name = "allocations/minutes.html"
    context_object_name = "sitting"

    def get_object(self, queryset=None):
        try:
            return sitting_for_minutes(
                self.request.user, landlord_ids=self.role_landlord_ids, pk=self.kwargs["pk"]
            )
        except Sitting.DoesNotExist as error:
            raise Http404 from error

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pdf_available"] = minutes_pdf.available()
        return context


class SittingMinutesPdfView(SittingMinutesView):
    """The same minutes as a PDF download (when fpdf2 is installed)."""

    def get(self, request, *args, **kwargs):
        sitting = self.get_object()
        if not minutes_pdf.available():
            raise Http404
        response = HttpResponse(minutes_pdf.minutes_pdf(sitting), content_type="application/pdf")
        day = timezone.localtime(sitting.date).date().isoformat()
        response["Content-Disposition"] = f'attachment; filename="proces-verbal-{day}.pdf"'
        return response


class PriorityQuotaView(RoleRequiredMixin, TemplateView):
    """The share of the year's lettings to the priority groups of article L441-1, per landlord."""

    required_roles = COMMITTEE_ROLES
    template_name = "allocations/priority_quota.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        this_year = timezone.localdate().year
        try:
            year = int(self.request.GET.get("annee", this_year))
        except ValueError:
            year = this_year
        year = min(max(year, 2000), this_year)
        context.update(
            year=year,
            years=list(range(this_year, this_year - 5, -1)),
            quota=PRIORITY_QUOTA_PERCENT,
            rows=priority_quota(self.request.user, landlord_ids=self.role_landlord_ids, year=year),
        )
        return context


class OccupancyReviewListView(RoleRequiredMixin, TemplateView):
    """Households due for an occupancy review (every three years from the lease's signature)."""

    required_roles = COMMITTEE_ROLES
    template_name = "allocations/occupancy_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviews"] = occupancy_reviews_due(
            self.request.user, landlord_ids=self.role_landlord_ids
        )
        return context


# ---------------------------------------------------------------------------------------------
# Committee members (who may have no staff role): their committee's agendas, read-only


def member_sittings(user):
    """Sittings of the committees where ``user`` holds a seat; nobody else's."""
    if not user.is_authenticated:
        return Sitting.objects.none()
    return (
        Sitting.objects.filter(committee__members__user=user)
        .distinct()
        .select_related("committee__landlord")
        .order_by("-date")
    )


class MemberRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not CommitteeMember.objects.filter(user=request.user).exists()
        ):
            raise PermissionDenied(_("Cette page est réservée aux membres de la commission."))
        return super().dispatch(request, *args, **kwargs)


class MemberSittingListView(MemberRequiredMixin, ListView):
    template_name = "allocations/member_sitting_list.html"
    context_object_name = "sittings"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return member_sittings(self.request.user)


class MemberAgendaView(MemberRequiredMixin, DetailView):
    """A sitting's agenda as members read it: vacancies and candidates, no internal notes."""

    template_name = "allocations/member_agenda.html"
    context_object_name = "sitting"

    def get_queryset(self):
        candidacies = Candidacy.objects.select_related("application").order_by("-score", "pk")
        items = AgendaItem.objects.select_related("vacancy__dwelling__building").prefetch_related(
            Prefetch("candidacies", queryset=candidacies)
        )
        return member_sittings(self.request.user).prefetch_related(
            Prefetch("agenda_items", queryset=items.order_by("pk"))
        )


app_name = "allocations"

urlpatterns = [
    path("logements-a-louer/", VacancyListView.as_view(), name="vacancy_list"),
    path("logements-a-louer/<int:pk>/", VacancyDetailView.as_view(), name="vacancy_detail"),
    path("demandes-de-logement/", ApplicationListView.as_view(), name="application_list"),
    path(
        "caleol/seances/<int:pk>/proces-verbal/",
        SittingMinutesView.as_view(),
        name="sitting_minutes",
    ),
    path("caleol/quota-prioritaires/", PriorityQuotaView.as_view(), name="priority_quota"),
    path("caleol/examen-occupation/", OccupancyReviewListView.as_view(), name="occupancy_list"),
    path("caleol/mes-seances/", MemberSittingListView.as_view(), name="member_sitting_list"),
    path("caleol/mes-seances/<int:pk>/", MemberAgendaView.as_view(), name="member_agenda"),
    path(
        "caleol/seances/<int:pk>/proces-verbal.pdf",
        SittingMinutesPdfView.as_view(),
        name="sitting_minutes_pdf",
    ),
]
