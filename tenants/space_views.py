"""The tenant's own space (/espace/): home, requests, my data, call-back; account opening."""

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.files import photo_response
from portal.rls import SecretLinkMixin
from tenants.errors import TenantError
from tenants.forms import (
    ActivationForm,
    CallbackForm,
    ConfirmForm,
    CorrectionForm,
    MessageForm,
    ReopenForm,
    SetPasswordForm,
    TenantRequestForm,
)
from tenants.mixins import HouseholdRequiredMixin
from tenants.models import ContactRequest, RequestChannel, RequestPhoto
from tenants.selectors import (
    data_export_history_key,
    household_data_export,
    request_timeline,
    tenant_request_list,
    tenant_requests,
)
from tenants.services.accounts import (
    account_activate,
    invitation_accept,
    invitation_blocked,
    invitation_from_token,
    invitation_record_failure,
)
from tenants.services.requests import (
    can_reopen,
    contact_request_create,
    request_add_message,
    request_confirm,
    request_create,
    request_duplicates,
    request_reopen,
)

LOGIN_BACKEND = "housing.auth.PortalBackend"


class TenantMixin(HouseholdRequiredMixin):
    """Pages of a tenant's space: the user's own household, or 404 for anyone else."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["household"] = self.household
        return context


class TenantRequestMixin(TenantMixin):
    """One request of the tenant's household (another household's answers 404)."""

    def get_request(self):
        return get_object_or_404(
            tenant_requests(self.request.user, self.household).select_related("dwelling"),
            pk=self.kwargs["pk"],
        )


class TenantRequestListView(TenantMixin, TemplateView):
    template_name = "tenants/space/request_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The household is the tenant's own (TenantMixin): it is the scope of the list.
        context["requests"] = tenant_request_list(self.household)
        return context


class TenantRequestCreateView(TenantMixin, FormView):
    template_name = "tenants/space/request_form.html"
    form_class = TenantRequestForm

    def form_valid(self, form):
        data = form.cleaned_data
        if not data["ignore_duplicates"]:
            from tenants.services.requests import current_dwelling

            duplicates = list(
                request_duplicates(
                    household=self.household,
                    category=data["category"],
                    dwelling=current_dwelling(self.household),
                ).filter(pk__in=tenant_requests(self.request.user, self.household).values("pk"))
            )
            if duplicates:
                form.data = form.data.copy()
                form.data["ignore_duplicates"] = "on"
                return self.render_to_response(
                    self.get_context_data(form=form, duplicates=duplicates)
                )
        try:
            created = request_create(
                household=self.household,
                category=data["category"],
                location=data["location"],
                description=data["description"],
                preferred_times=data["preferred_times"],
                channel=RequestChannel.EXTRANET,
                created_by=self.request.user,
                photos=data["photos"],
            )
        except TenantError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Demande %(reference)s enregistrée. Vous allez recevoir un e-mail de confirmation.")
            % {"reference": created.reference},
        )
        return redirect("tenant_request_detail", pk=created.pk)


class TenantRequestDetailView(TenantRequestMixin, TemplateView):
    template_name = "tenants/space/request_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.get_request()
        context.update(
            tech_request=request,
            events=request_timeline(request, include_internal=False),
            photos=request.photos.all(),
            message_form=kwargs.get("message_form") or MessageForm(),
            confirm_form=kwargs.get("confirm_form") or ConfirmForm(),
            reopen_form=kwargs.get("reopen_form") or ReopenForm(),
            can_reopen=can_reopen(request),
        )
        return context


class TenantRequestActionView(TenantRequestMixin, View):
    """POST-only actions on a request; errors are shown on the request's page."""

    form_class = None
    form_name = ""

    def post(self, request, *args, **kwargs):
        tech_request = self.get_request()
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.act(tech_request, form.cleaned_data)
            except TenantError as error:
                form.add_error(None, error.message)
            else:
                return redirect("tenant_request_detail", pk=tech_request.pk)
        view = TenantRequestDetailView(household=self.household)
        view.setup(request, *args, **kwargs)
        context = view.get_context_data(**{self.form_name: form})
        return view.render_to_response(context, status=400)


class TenantRequestMessageView(TenantRequestActionView):
    form_class = MessageForm
    form_name = "message_form"

    def act(self, tech_request, data):
        request_add_message(
            request=tech_request, body=data["body"], by=self.request.user, photos=data["photos"]
        )
        messages.success(self.request, _("Message envoyé."))


class TenantRequestConfirmView(TenantRequestActionView):
    form_class = ConfirmForm
    form_name = "confirm_form"

    def act(self, tech_request, data):
        request_confirm(
            request=tech_request,
            by=self.request.user,
            rating=data["rating"],
            comment=data["comment"],
        )
        messages.success(self.request, _("Merci pour votre réponse."))


class TenantRequestReopenView(TenantRequestActionView):
    form_class = ReopenForm
    form_name = "reopen_form"

    def act(self, tech_request, data):
        request_reopen(request=tech_request, by=self.request.user, message=data["message"])
        messages.success(self.request, _("Votre demande est rouverte."))


class TenantRequestJoinView(TenantRequestMixin, View):
    """The duplicate guard's offer: add the new description to an existing request."""

    def post(self, request, *args, **kwargs):
        tech_request = self.get_request()
        try:
            request_add_message(
                request=tech_request, body=request.POST.get("description", ""), by=request.user
            )
        except TenantError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Votre message a été ajouté à cette demande."))
        return redirect("tenant_request_detail", pk=tech_request.pk)


class RequestPhotoView(LoginRequiredMixin, View):
    """A request's photo, for the household's tenants and the landlord's staff only (else 404)."""

    def get(self, request, pk, photo_pk):
        photo = get_object_or_404(
            RequestPhoto.objects.visible_to(request.user), pk=photo_pk, request_id=pk
        )
        return photo_response(photo.image, photo.content_type)


class MyDataView(TenantMixin, TemplateView):
    template_name = "tenants/space/my_data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["data"] = household_data_export(self.household)
        context["history_key"] = data_export_history_key()
        return context


class MyDataExportView(TenantMixin, View):
    def get(self, request):
        data = household_data_export(self.household)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = _("mes-donnees-%(reference)s.json") % {"reference": self.household.reference}
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class ContactRequestView(TenantMixin, FormView):
    kind = ""
    success_message = ""

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            contact_request_create(
                household=self.household,
                kind=self.kind,
                reason=data["reason"],
                preferred_times=data.get("preferred_times", ""),
                phone=data.get("phone") or "",
                by=self.request.user,
            )
        except TenantError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect("tenant_home")


class CallbackView(ContactRequestView):
    template_name = "tenants/space/callback_form.html"
    form_class = CallbackForm
    kind = ContactRequest.Kind.CALLBACK

    @property
    def success_message(self):
        return _("Votre demande de rappel est enregistrée : nous vous appellerons.")


class CorrectionView(ContactRequestView):
    template_name = "tenants/space/correction_form.html"
    form_class = CorrectionForm
    kind = ContactRequest.Kind.CORRECTION

    @property
    def success_message(self):
        return _("Votre demande de correction est transmise à votre bailleur.")


# ---------------------------------------------------------------------------------------------
# Opening an account


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class InvitationAcceptView(SecretLinkMixin, FormView):
    template_name = "tenants/space/invitation.html"
    form_class = SetPasswordForm

    def dispatch(self, request, *args, **kwargs):
        client = client_address(request)
        if invitation_blocked(client=client):
            return self.render_to_response({"invalid": True, "blocked": True}, status=429)
        self.invitation = invitation_from_token(kwargs["token"])
        if self.invitation is None:
            invitation_record_failure(client=client)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.invitation is None:
            return self.render_to_response({"invalid": True}, status=404)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.invitation is None:
            return self.render_to_response({"invalid": True}, status=404)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitation"] = self.invitation
        return context

    def form_valid(self, form):
        try:
            user = invitation_accept(
                token=self.kwargs["token"], password=form.cleaned_data["password1"]
            )
        except TenantError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        login(self.request, user, backend=LOGIN_BACKEND)
        messages.success(self.request, _("Votre compte est ouvert. Bienvenue !"))
        return redirect("tenant_home")


class ActivationView(SecretLinkMixin, FormView):
    template_name = "tenants/space/activation.html"
    form_class = ActivationForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = account_activate(
                reference=data["reference"],
                code=data["code"],
                email=data["email"],
                password=data["password1"],
                client=client_address(self.request),
            )
        except TenantError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        login(self.request, user, backend=LOGIN_BACKEND)
        messages.success(self.request, _("Votre compte est ouvert. Bienvenue !"))
        return redirect(reverse("tenant_home"))
