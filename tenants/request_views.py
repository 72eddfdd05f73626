"""Staff pages of technical requests, call-back requests and tenant accounts (/personnel/)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from housing.mixins import RoleRequiredMixin
from housing.models import Building, Role
from housing.scoping import landlord_ids_with_role
from portal.models import User
from tenants.errors import TenantError
from tenants.forms import (
    AssignForm,
    MessageForm,
    NoteForm,
    StaffRequestForm,
    StatusForm,
    TriageFilterForm,
)
from tenants.models import ContactRequest, Household, Person, TechnicalRequest
from tenants.selectors import (
    request_statistics,
    request_timeline,
    request_triage_list,
    stale_requests,
)
from tenants.services.accounts import (
    ACCOUNT_MANAGERS,
    activation_code_generate,
    tenant_invite,
)
from tenants.services.requests import (
    REQUEST_HANDLERS,
    REQUEST_SUPERVISORS,
    contact_request_mark_handled,
    current_dwelling,
    request_add_message,
    request_add_note,
    request_assign,
    request_create,
    request_duplicates,
    request_set_status,
    technicians,
)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class RequestHandlerMixin(RoleRequiredMixin):
    required_roles = REQUEST_HANDLERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_see_statistics"] = bool(
            landlord_ids_with_role(self.request.user, REQUEST_SUPERVISORS)
        )
        return context


class RequestTriageView(RequestHandlerMixin, ListView):
    """Every request of my landlords: filters, overdue first."""

    template_name = "tenants/requests/triage.html"
    context_object_name = "requests"
    paginate_by = settings.PAGE_SIZE

    def get_filter_form(self):
        if not hasattr(self, "_filter_form"):
            buildings = Building.objects.visible_to(self.request.user).filter(
                landlord_id__in=self.role_landlord_ids
            )
            staff = (
                User.objects.filter(
                    memberships__landlord_id__in=self.role_landlord_ids,
                    memberships__role=Role.TECHNICIAN,
                )
                .distinct()
                .order_by("last_name", "first_name")
            )
            self._filter_form = TriageFilterForm(
                self.request.GET or None, buildings=buildings, technicians=staff
            )
        return self._filter_form

    def get_queryset(self):
        form = self.get_filter_form()
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        return request_triage_list(
            self.request.user,
            landlord_ids=self.role_landlord_ids,
            status=filters.get("status") or "",
            category=filters.get("category") or "",
            building=filters.get("building") or None,
            channel=filters.get("channel") or "",
            older_than_days=filters.get("age"),
            assignee=filters.get("assignee"),
            stale_only=bool(filters.get("stale")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.get_filter_form()
        context["query_without_page"] = _query_without_page(self.request)
        return context


class StaffRequestMixin(RequestHandlerMixin):
    def get_request(self):
        return get_object_or_404(
            TechnicalRequest.objects.visible_to(self.request.user)
            .filter(landlord_id__in=self.role_landlord_ids)
            .select_related("household", "dwelling__building", "assignee", "landlord"),
            pk=self.kwargs["pk"],
        )


class StaffRequestDetailView(StaffRequestMixin, TemplateView):
    template_name = "tenants/requests/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = kwargs.get("tech_request") or self.get_request()
        context.update(
            tech_request=request,
            events=request_timeline(request, include_internal=True),
            photos=request.photos.all(),
            status_form=kwargs.get("status_form") or StatusForm(request=request),
            assign_form=kwargs.get("assign_form")
            or AssignForm(
                technicians=technicians(request.landlord_id),
                initial={"assignee": request.assignee_id},
            ),
            note_form=kwargs.get("note_form") or NoteForm(),
            message_form=kwargs.get("message_form") or MessageForm(),
        )
        return context


class StaffRequestActionView(StaffRequestMixin, View):
    form_name = ""

    def make_form(self, tech_request):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        tech_request = self.get_request()
        form = self.make_form(tech_request)
        if form.is_valid():
            try:
                self.act(tech_request, form.cleaned_data)
            except TenantError as error:
                form.add_error(None, error.message)
            else:
                return redirect("tenants:request_detail", pk=tech_request.pk)
        view = StaffRequestDetailView()
        view.setup(request, *args, **kwargs)
        view.role_landlord_ids = self.role_landlord_ids
        context = view.get_context_data(tech_request=tech_request, **{self.form_name: form})
        return view.render_to_response(context, status=400)


class StaffRequestStatusView(StaffRequestActionView):
    form_name = "status_form"

    def make_form(self, tech_request):
        return StatusForm(self.request.POST, request=tech_request)

    def act(self, tech_request, data):
        request_set_status(
            request=tech_request,
            status=data["status"],
            by=self.request.user,
            message=data["message"],
            rejection_reason=data["rejection_reason"],
        )
        messages.success(self.request, _("État changé ; le locataire est prévenu par e-mail."))


class StaffRequestAssignView(StaffRequestActionView):
    form_name = "assign_form"

    def make_form(self, tech_request):
        return AssignForm(self.request.POST, technicians=technicians(tech_request.landlord_id))

    def act(self, tech_request, data):
        request_assign(request=tech_request, assignee=data["assignee"], by=self.request.user)
        messages.success(self.request, _("Attribution enregistrée."))


class StaffRequestNoteView(StaffRequestActionView):
    form_name = "note_form"

    def make_form(self, tech_request):
        return NoteForm(self.request.POST)

    def act(self, tech_request, data):
        request_add_note(request=tech_request, body=data["body"], by=self.request.user)
        messages.success(self.request, _("Note ajoutée."))


class StaffRequestMessageView(StaffRequestActionView):
    form_name = "message_form"

    def make_form(self, tech_request):
        return MessageForm(self.request.POST, self.request.FILES)

    def act(self, tech_request, data):
        request_add_message(
            request=tech_request, body=data["body"], by=self.request.user, photos=data["photos"]
        )
        messages.success(self.request, _("Message envoyé au locataire."))


class StaffRequestCreateView(RequestHandlerMixin, FormView):
    """A request received by phone, e-mail or on site, for one household."""

    template_name = "tenants/requests/create.html"
    form_class = StaffRequestForm

    def get_household(self):
        return get_object_or_404(
            Household.objects.visible_to(self.request.user).filter(
                landlord_id__in=self.role_landlord_ids
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["household"] = self.get_household()
        return context

    def form_valid(self, form):
        household = self.get_household()
        data = form.cleaned_data
        if not data["ignore_duplicates"]:
            duplicates = list(
                request_duplicates(
                    household=household,
                    category=data["category"],
                    dwelling=current_dwelling(household),
                ).filter(landlord_id=household.landlord_id)
            )
            if duplicates:
                form.data = form.data.copy()
                form.data["ignore_duplicates"] = "on"
                return self.render_to_response(
                    self.get_context_data(form=form, duplicates=duplicates)
                )
        try:
            created = request_create(
                household=household,
                category=data["category"],
                location=data["location"],
                description=data["description"],
                preferred_times=data["preferred_times"],
                channel=data["channel"],
                priority=data["priority"],
                created_by=self.request.user,
                photos=data["photos"],
            )
        except TenantError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Demande %(reference)s enregistrée.") % {"reference": created.reference}
        )
        return redirect("tenants:request_detail", pk=created.pk)


class ContactRequestListView(RequestHandlerMixin, ListView):
    """Call-backs and corrections asked by tenants, the ones to handle first."""

    template_name = "tenants/requests/contact_list.html"
    context_object_name = "contacts"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        queryset = (
            ContactRequest.objects.visible_to(self.request.user)
            .filter(landlord_id__in=self.role_landlord_ids)
            .select_related("household", "handled_by")
            .order_by("-handled_at", "created_at")
        )
        kind = self.request.GET.get("type", "")
        if kind in ContactRequest.Kind.values:
            queryset = queryset.filter(kind=kind)
        if self.request.GET.get("traitees") != "1":
            queryset = queryset.filter(handled_at__isnull=True)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            kind=self.request.GET.get("type", ""),
            kinds=ContactRequest.Kind.choices,
            show_handled=self.request.GET.get("traitees") == "1",
            query_without_page=_query_without_page(self.request),
        )
        return context


class ContactRequestHandledView(RequestHandlerMixin, View):
    def post(self, request, pk):
        contact = get_object_or_404(
            ContactRequest.objects.visible_to(request.user).filter(
                landlord_id__in=self.role_landlord_ids
            ),
            pk=pk,
        )
        try:
            contact_request_mark_handled(contact=contact, by=request.user)
        except TenantError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Demande marquée comme traitée."))
        return redirect("tenants:contact_list")


class AccountManagerMixin(RoleRequiredMixin):
    required_roles = ACCOUNT_MANAGERS

    def get_person(self):
        return get_object_or_404(
            Person.objects.visible_to(self.request.user)
            .filter(household__landlord_id__in=self.role_landlord_ids)
            .select_related("household"),
            pk=self.kwargs["person_pk"],
            household_id=self.kwargs["pk"],
        )


class TenantInviteView(AccountManagerMixin, View):
    def post(self, request, pk, person_pk):
        person = self.get_person()
        email = request.POST.get("email", "").strip()

        try:
            validate_email(email)
            tenant_invite(person=person, email=email, invited_by=request.user)
        except ValidationError:
            messages.error(request, _("Saisissez une adresse e-mail valide."))
        except TenantError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s (valable 7 jours).") % {"email": email},
            )
        return redirect("tenants:household_detail", pk=person.household_id)


class ActivationCodeView(AccountManagerMixin, View):
    def post(self, request, pk, person_pk):
        person = self.get_person()
        try:
            code = activation_code_generate(person=person, created_by=request.user)
        except TenantError as error:
            messages.error(request, error.message)
            return redirect("tenants:household_detail", pk=person.household_id)
        return render(
            request,
            "tenants/requests/activation_code.html",
            {"person": person, "household": person.household, "code": code},
        )


class RequestStatisticsView(RoleRequiredMixin, TemplateView):
    """Supervisors: satisfaction and delays per category and per technician."""

    required_roles = REQUEST_SUPERVISORS
    template_name = "tenants/requests/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            days = int(self.request.GET.get("jours", "365"))
        except ValueError:
            days = 365
        days = min(max(days, 1), 3650)
        since = timezone.now() - datetime.timedelta(days=days)
        context.update(request_statistics(landlord_ids=self.role_landlord_ids, since=since))
        context["days"] = days
        context["can_see_statistics"] = True
        context["periods"] = [
            (30, _("30 derniers jours")),
            (90, _("3 derniers mois")),
            (365, _("12 derniers mois")),
        ]
        context["stale_count"] = stale_requests(landlord_ids=self.role_landlord_ids).count()
        return context
