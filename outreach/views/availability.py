"""« Mes disponibilités »: an adviser's weekly hours and absences, edited from the staff pages.

Advisers edit their own; supervisors and landlord administrators edit any adviser of their
landlord (``?conseiller=<id>``). Another landlord's adviser or rule answers 404; a colleague an
adviser may not edit answers 403. Every write goes through outreach/services/availability.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from housing.mixins import RoleRequiredMixin
from housing.models import Agency, Landlord
from housing.scoping import landlord_ids_with_role
from outreach.errors import OutreachError
from outreach.forms.availability import AbsenceForm, EndRuleForm, RuleForm
from outreach.models import AvailabilityException, AvailabilityRule
from outreach.services.appointments import ADVISER_ROLES, advisers_of
from outreach.services.availability import (
    ABSENCE_KINDS,
    AVAILABILITY_MANAGERS,
    AVAILABILITY_ROLES,
    adviser_absences,
    adviser_roles,
    adviser_rules,
    availability_absence_add,
    availability_absence_remove,
    availability_rule_add,
    availability_rule_end,
    availability_rule_remove,
    booked_during_absences,
)


class AvailabilityMixin(RoleRequiredMixin):
    required_roles = AVAILABILITY_ROLES

    def editable_advisers(self) -> list:
        """Advisers whose hours the user may edit: themselves, and all of managed landlords."""
        managed = landlord_ids_with_role(self.request.user, AVAILABILITY_MANAGERS)
        own = landlord_ids_with_role(self.request.user, ADVISER_ROLES)
        advisers = advisers_of(managed) if managed else []
        if own and self.request.user not in advisers:
            advisers = [self.request.user, *advisers]
        return advisers

    def adviser_scope(self, adviser) -> tuple[list[int], set[str]]:
        """Landlords where the user may edit ``adviser``'s hours (403 if none, 404 if unseen),
        and the adviser kinds ``adviser`` holds there: one query."""
        user = self.request.user
        pairs = adviser_roles(adviser_id=adviser.pk, landlord_ids=self.role_landlord_ids)
        theirs = {landlord_id for landlord_id, _ in pairs}
        if not theirs:
            raise Http404
        managed = set(landlord_ids_with_role(user, AVAILABILITY_MANAGERS))
        editable = theirs if adviser.pk == user.pk else theirs & managed
        if not editable:
            raise PermissionDenied(_("Vous ne pouvez modifier que vos propres disponibilités."))
        return sorted(editable), {role for landlord_id, role in pairs if landlord_id in editable}

    def rule_form(self, landlord_ids, kinds, data=None) -> RuleForm:
        agencies = Agency.objects.filter(landlord_id__in=landlord_ids).order_by("name")
        return RuleForm(data, agencies=agencies, kinds=kinds)

    def absence_form(self, landlord_ids, data=None) -> AbsenceForm:
        landlords = list(Landlord.objects.filter(pk__in=landlord_ids).order_by("name"))
        return AbsenceForm(data, landlords=landlords)

    def chosen_adviser(self, wanted: str):
        from portal.models import User

        if not wanted:
            advisers = self.editable_advisers()
            return advisers[0] if advisers else None
        if not wanted.isdigit():
            raise Http404
        return get_object_or_404(User, pk=int(wanted))

    def page_url(self, adviser_id: int) -> str:
        return f"{reverse('outreach:availability')}?conseiller={adviser_id}"

    def render_page(self, request, adviser, *, rule_form=None, absence_form=None, status=200):
        context = {"advisers": self.editable_advisers(), "adviser": adviser}
        if adviser is not None:
            landlord_ids, kinds = self.adviser_scope(adviser)
            now = timezone.now()
            context.update(
                rules=adviser_rules(
                    adviser_id=adviser.pk, landlord_ids=landlord_ids, today=timezone.localdate()
                ),
                absences=adviser_absences(
                    adviser_id=adviser.pk, landlord_ids=landlord_ids, now=now
                ),
                conflicts=booked_during_absences(
                    adviser_id=adviser.pk, landlord_ids=landlord_ids, now=now
                ),
                rule_form=rule_form or self.rule_form(landlord_ids, kinds),
                absence_form=absence_form or self.absence_form(landlord_ids),
                end_form=EndRuleForm(),
                today=timezone.localdate(),
                now=now,
            )
        return render(request, "outreach/appointments/availability.html", context, status=status)


class AvailabilityView(AvailabilityMixin, View):
    def get(self, request):
        adviser = self.chosen_adviser(request.GET.get("conseiller", ""))
        return self.render_page(request, adviser)


class _AddView(AvailabilityMixin, View):
    """A POST adding a rule or an absence for the chosen adviser; a refused form comes back on
    the page with what was typed and its message."""

    form_name = ""  # the page's context name of the form

    def form(self, landlord_ids, kinds, data):
        raise NotImplementedError

    def save(self, adviser, data) -> str:
        """Call the service; the message shown once it is done."""
        raise NotImplementedError

    def post(self, request):
        adviser = self.chosen_adviser(request.POST.get("conseiller", ""))
        if adviser is None:
            raise Http404
        landlord_ids, kinds = self.adviser_scope(adviser)
        form = self.form(landlord_ids, kinds, request.POST)
        if form.is_valid():
            try:
                message = self.save(adviser, form.cleaned_data)
            except OutreachError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, message)
                return redirect(self.page_url(adviser.pk))
        return self.render_page(request, adviser, status=400, **{self.form_name: form})


class RuleAddView(_AddView):
    form_name = "rule_form"

    def form(self, landlord_ids, kinds, data):
        return self.rule_form(landlord_ids, kinds, data)

    def save(self, adviser, data) -> str:
        availability_rule_add(adviser_id=adviser.pk, **data)
        return _("Disponibilité ajoutée ; les créneaux sont mis à jour.")


class AbsenceAddView(_AddView):
    form_name = "absence_form"

    def form(self, landlord_ids, kinds, data):
        return self.absence_form(landlord_ids, data)

    def save(self, adviser, data) -> str:
        availability_absence_add(
            adviser_id=adviser.pk,
            landlord_id=data["landlord"],
            kind=data["kind"],
            first_day=data["first_day"],
            last_day=data["last_day"],
            note=data["note"],
        )
        return _("Absence enregistrée ; les créneaux sont mis à jour.")


class _ObjectActionView(AvailabilityMixin, View):
    """A POST on one rule or absence of a landlord the user works for (else 404)."""

    model = None
    only: dict = {}  # extra filter on the objects this action may touch

    def act(self, request, obj) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        obj = get_object_or_404(
            self.model.objects.filter(
                landlord_id__in=self.role_landlord_ids, **self.only
            ).select_related("adviser"),
            pk=pk,
        )
        if obj.landlord_id not in self.adviser_scope(obj.adviser)[0]:
            raise Http404
        try:
            messages.success(request, self.act(request, obj))
        except OutreachError as error:
            messages.error(request, error.message)
        return redirect(self.page_url(obj.adviser_id))


class RuleEndView(_ObjectActionView):
    model = AvailabilityRule

    def act(self, request, obj) -> str:
        form = EndRuleForm(request.POST)
        if not form.is_valid():
            raise OutreachError(_("Indiquez le dernier jour de cette disponibilité."))
        availability_rule_end(rule_id=obj.pk, last_day=form.cleaned_data["last_day"])
        return _("La disponibilité s'arrêtera après le %(day)s.") % {
            "day": form.cleaned_data["last_day"].strftime("%d/%m/%Y")
        }


class RuleRemoveView(_ObjectActionView):
    model = AvailabilityRule

    def act(self, request, obj) -> str:
        availability_rule_remove(rule_id=obj.pk)
        return _("Disponibilité supprimée ; les rendez-vous déjà pris sont conservés.")


class AbsenceRemoveView(_ObjectActionView):
    model = AvailabilityException
    only = {"kind__in": ABSENCE_KINDS}  # extra hours stay in the admin

    def act(self, request, obj) -> str:
        availability_absence_remove(exception_id=obj.pk)
        return _("Absence supprimée ; les créneaux sont mis à jour.")


urlpatterns = [
    path("rendez-vous/disponibilites/", AvailabilityView.as_view(), name="availability"),
    path(
        "rendez-vous/disponibilites/ajouter/", RuleAddView.as_view(), name="availability_rule_add"
    ),
    path(
        "rendez-vous/disponibilites/<int:pk>/terminer/",
        RuleEndView.as_view(),
        name="availability_rule_end",
    ),
    path(
        "rendez-vous/disponibilites/<int:pk>/supprimer/",
        RuleRemoveView.as_view(),
        name="availability_rule_remove",
    ),
    path(
        "rendez-vous/absences/ajouter/", AbsenceAddView.as_view(), name="availability_absence_add"
    ),
    path(
        "rendez-vous/absences/<int:pk>/supprimer/",
        AbsenceRemoveView.as_view(),
        name="availability_absence_remove",
    ),
]
