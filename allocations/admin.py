"""Django admin of letting and of the allocation committee (CALEOL), for committee secretaries.

Scoped like the pages (another landlord's rows answer 404). Every write that carries a rule
(candidates, opening, decisions, closing, offers) goes through ``allocations.services``; a closed
sitting and its decisions are read-only for everyone but a superuser (and the services refuse any
change to them anyway).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from allocations.errors import AllocationError
from allocations.letting import offer_accept_and_let
from allocations.models import (
    AgendaItem,
    Candidacy,
    Committee,
    CommitteeMember,
    Decision,
    HousingApplication,
    OccupancyReview,
    Offer,
    OfferStatus,
    RehousingFile,
    ScoringGrid,
    Sitting,
    SittingStatus,
    Vacancy,
)
from allocations.occupancy import occupancy_finding_record, occupancy_reviews_schedule
from allocations.services import (
    application_save,
    candidacy_add,
    candidacy_remove,
    candidates_propose,
    decision_record,
    dwelling_check_lettable,
    offer_refuse,
    offers_expire_due,
    sitting_close,
    sitting_open,
)
from housing.admin_scoping import (
    ScopedHistoryAdmin,
    ScopedModelAdmin,
    ScopedRawIdWidget,
    ScopedTabularInline,
    raw_id_label_and_url,
)


def _report(modeladmin, request, done_message: str, done: int, refused: list[str]) -> None:
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)


def _page_link(name: str, args: list, label: str):
    return format_html('<a href="{}">{}</a>', reverse(name, args=args), label)


def _letter_link(kind: str, pk: int):
    return _page_link("allocations:staff_letter", [kind, pk], _("Lettre"))


def _frozen(request, sitting) -> bool:
    """Closed sittings (and what hangs on them) are read-only except for superusers."""
    return sitting is not None and sitting.is_closed and not request.user.is_superuser


class PreloadedRawIdWidget(ScopedRawIdWidget):
    """A raw-id widget labelled from the object its row already loaded (``preloaded``).

    Django's widget fetches the object of every row again to print its label: one query per row
    (two when the label reads a relation), so an inline of 500 rows ran 1,000 queries.
    """

    preloaded = None

    def label_and_url_for_value(self, value):
        obj = self.preloaded
        if obj is None or str(obj.pk) != str(value):
            return super().label_and_url_for_value(value)
        return raw_id_label_and_url(self.admin_site, obj)


class PreloadedRawIdInlineMixin:
    """Inline whose raw-id fields are labelled from the rows' ``select_related`` objects."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.raw_id_fields:
            kwargs["widget"] = PreloadedRawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        names = list(self.raw_id_fields)

        class Formset(super().get_formset(request, obj, **kwargs)):
            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                if form.instance.pk:
                    for name in names:
                        field = form.fields.get(name)
                        widget = getattr(field, "widget", None)
                        widget = getattr(widget, "widget", widget)  # the related-field wrapper
                        if isinstance(widget, PreloadedRawIdWidget):
                            widget.preloaded = getattr(form.instance, name, None)
                return form

        return Formset


# ---------------------------------------------------------------------------------------------
# Letting and applications


class VacancyForm(forms.ModelForm):
    class Meta:
        model = Vacancy
        fields = [
            "dwelling",
            "available_from",
            "rent",
            "charges",
            "description",
            "virtual_visit_url",
            "status",
        ]

    virtual_visit_url = forms.URLField(
        label=gettext_lazy("visite virtuelle"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Lien vers une visite à 360° ou une vidéo."),
    )

    def clean(self):
        data = super().clean()
        dwelling = data.get("dwelling")
        if dwelling is not None:
            try:
                dwelling_check_lettable(dwelling)
            except AllocationError as error:
                raise ValidationError({"dwelling": error.message}) from error
            # The landlord is the dwelling's, set before the model's own checks run.
            self.instance.landlord_id = dwelling.landlord_id
        return data


@admin.register(Vacancy)
class VacancyAdmin(ScopedModelAdmin):
    form = VacancyForm
    list_display = [
        "dwelling",
        "landlord",
        "available_from",
        "rent",
        "charges",
        "status",
        "letting_link",
    ]
    list_filter = ["status", ("landlord", admin.RelatedOnlyFieldListFilter), "dwelling__typology"]
    list_select_related = ["dwelling__building", "landlord"]
    search_fields = ["dwelling__reference", "dwelling__building__name", "description"]
    raw_id_fields = ["dwelling"]
    date_hierarchy = "available_from"
    readonly_fields = ["letting_link"]

    @admin.display(description=gettext_lazy("photos, visites et étapes"))
    def letting_link(self, obj):
        if not obj.pk:
            return "—"
        return _page_link("allocations:vacancy_letting", [obj.pk], _("Location"))


@admin.register(HousingApplication)
class HousingApplicationAdmin(ScopedModelAdmin):
    list_display = [
        "registration_number",
        "applicant_name",
        "landlord",
        "registered_on",
        "renewed_on",
        "status",
        "dalo",
        "priority_transfer",
    ]
    list_filter = [
        "status",
        ("landlord", admin.RelatedOnlyFieldListFilter),
        "dalo",
        "disability",
        "priority_transfer",
        "over_occupancy",
        "violence",
    ]
    list_select_related = ["landlord"]
    search_fields = ["registration_number", "applicant_name", "email"]
    raw_id_fields = ["current_household"]
    filter_horizontal = ["wished_estates"]

    def save_model(self, request, obj, form, change):
        # Validation ran in the form; the service keeps the household's flag in step.
        application_save(application=obj)


@admin.register(ScoringGrid)
class ScoringGridAdmin(ScopedModelAdmin):
    list_display = ["landlord", "dalo", "priority_transfer", "violence", "per_month"]
    list_select_related = ["landlord"]


# ---------------------------------------------------------------------------------------------
# Committees


class CommitteeMemberInline(ScopedTabularInline):
    model = CommitteeMember
    fields = ["name", "role", "has_vote", "casting_vote", "user"]
    raw_id_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(ScopedModelAdmin):
    list_display = ["name", "landlord", "territory", "quorum"]
    list_filter = [("landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["landlord"]
    search_fields = ["name", "territory"]
    inlines = [CommitteeMemberInline]


class AgendaItemInline(PreloadedRawIdInlineMixin, ScopedTabularInline):
    model = AgendaItem
    fields = ["vacancy", "fewer_candidates_reason", "internal_notes", "candidates"]
    readonly_fields = ["candidates"]
    raw_id_fields = ["vacancy"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("vacancy__dwelling__building")
            .annotate(candidate_total=Count("candidacies"))
        )

    @admin.display(description=gettext_lazy("candidats"))
    def candidates(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:allocations_agendaitem_change", args=[obj.pk])
        count = getattr(obj, "candidate_total", None)
        if count is None:
            count = obj.candidacies.count()
        return format_html(
            '<a href="{}">{}</a>', url, _("%(count)d candidat(s)") % {"count": count}
        )

    def has_add_permission(self, request, obj=None):
        return not _frozen(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _frozen(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Sitting)
class SittingAdmin(ScopedModelAdmin):
    list_display = ["__str__", "committee", "date", "mode", "status", "minutes_link"]
    list_filter = ["status", "mode", ("committee", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["committee__landlord"]
    search_fields = ["committee__name", "committee__territory", "place"]
    date_hierarchy = "date"
    filter_horizontal = ["members_present"]
    readonly_fields = ["status", "opened_at", "closed_at", "minutes_link"]
    inlines = [AgendaItemInline]
    actions = [
        "propose_candidates",
        "schedule_occupancy_reviews",
        "open_sittings",
        "close_sittings",
    ]

    @admin.display(description=gettext_lazy("procès-verbal"))
    def minutes_link(self, obj):
        if not obj.pk:
            return "—"
        return _page_link("allocations:sitting_minutes", [obj.pk], _("Procès-verbal"))

    def has_change_permission(self, request, obj=None):
        return not _frozen(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != SittingStatus.PLANNED:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members_present":
            sitting_id = request.resolver_match.kwargs.get("object_id")
            queryset = CommitteeMember.objects.visible_to(request.user)
            if sitting_id:
                queryset = queryset.filter(committee__sittings=sitting_id)
            kwargs["queryset"] = queryset.select_related("committee")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description=gettext_lazy("Proposer des candidats"))
    def propose_candidates(self, request, queryset):
        added, refused = 0, []
        items = AgendaItem.objects.filter(sitting__in=queryset).select_related("vacancy__dwelling")
        for item in items:
            try:
                added += candidates_propose(agenda_item_id=item.pk)
            except AllocationError as error:
                refused.append(f"{item} : {error.message}")
        self.message_user(
            request,
            _("%(count)d candidat(s) proposé(s) d'après la cotation.") % {"count": added},
            messages.SUCCESS,
        )
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=gettext_lazy("Inscrire les examens d'occupation"))
    def schedule_occupancy_reviews(self, request, queryset):
        added, refused = 0, []
        for sitting in queryset.select_related("committee"):
            try:
                added += occupancy_reviews_schedule(sitting_id=sitting.pk, user=request.user)
            except AllocationError as error:
                refused.append(f"{sitting} : {error.message}")
        _report(self, request, _("%(count)d examen(s) d'occupation inscrit(s)."), added, refused)

    @admin.action(description=gettext_lazy("Ouvrir la séance"))
    def open_sittings(self, request, queryset):
        done, refused = 0, []
        for sitting in queryset.select_related("committee"):
            try:
                sitting_open(sitting_id=sitting.pk)
            except AllocationError as error:
                refused.append(f"{sitting} : {error.message}")
            else:
                done += 1
        _report(self, request, _("%(count)d séance(s) ouverte(s)."), done, refused)

    @admin.action(description=gettext_lazy("Clore la séance"))
    def close_sittings(self, request, queryset):
        done, refused = 0, []
        for sitting in queryset.select_related("committee"):
            try:
                sitting_close(sitting_id=sitting.pk)
            except AllocationError as error:
                refused.append(f"{sitting} : {error.message}")
            else:
                done += 1
        _report(
            self,
            request,
            _(
                "%(count)d séance(s) close(s) : décisions figées, propositions envoyées aux rangs 1."
            ),
            done,
            refused,
        )


class CandidacyInline(PreloadedRawIdInlineMixin, ScopedTabularInline):
    model = Candidacy
    fields = ["application", "score", "decision_summary"]
    readonly_fields = ["score", "decision_summary"]
    raw_id_fields = ["application"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "decision")

    @admin.display(description=gettext_lazy("décision"))
    def decision_summary(self, obj):
        if not obj.pk:
            return "—"
        try:
            decision = obj.decision
        except ObjectDoesNotExist:
            decision = None
        if decision is None:
            url = reverse("admin:allocations_decision_add") + f"?candidacy={obj.pk}"
            return format_html('<a href="{}">{}</a>', url, _("Enregistrer la décision"))
        url = reverse("admin:allocations_decision_change", args=[decision.pk])
        return format_html('<a href="{}">{}</a>', url, decision)

    def _sitting(self, obj):
        return obj.sitting if obj is not None else None

    def has_add_permission(self, request, obj=None):
        return not _frozen(request, self._sitting(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _frozen(request, self._sitting(obj)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not _frozen(request, self._sitting(obj)) and super().has_delete_permission(
            request, obj
        )


@admin.register(AgendaItem)
class AgendaItemAdmin(ScopedModelAdmin):
    """One vacancy of a sitting with its candidates: added and removed through the services."""

    list_display = ["vacancy", "sitting", "fewer_candidates_reason"]
    list_filter = ["fewer_candidates_reason", "sitting__status"]
    list_select_related = ["vacancy__dwelling__building", "sitting__committee"]
    search_fields = ["vacancy__dwelling__reference", "sitting__committee__name"]
    raw_id_fields = ["vacancy", "sitting"]
    fields = ["sitting", "vacancy", "fewer_candidates_reason", "internal_notes"]
    inlines = [CandidacyInline]

    def has_change_permission(self, request, obj=None):
        sitting = obj.sitting if obj is not None else None
        return not _frozen(request, sitting) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        sitting = obj.sitting if obj is not None else None
        return not _frozen(request, sitting) and super().has_delete_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Candidacy:
            return super().save_formset(request, form, formset, change)
        item = form.instance
        # What the change message reads; the services below did the writing.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() and not formset._should_delete_form(inline_form):
                continue
            try:
                if formset._should_delete_form(inline_form) and inline_form.instance.pk:
                    candidacy_remove(candidacy_id=inline_form.instance.pk)
                elif not inline_form.instance.pk and inline_form.cleaned_data.get("application"):
                    candidacy_add(
                        agenda_item_id=item.pk, application=inline_form.cleaned_data["application"]
                    )
            except AllocationError as error:
                self.message_user(request, error.message, messages.ERROR)


# ---------------------------------------------------------------------------------------------
# Decisions


class DecisionForm(forms.ModelForm):
    """The form records through ``decision_record``: its rules are the form's errors."""

    class Meta:
        model = Decision
        fields = [
            "candidacy",
            "kind",
            "rank",
            "votes_for",
            "votes_against",
            "reason",
            "missing_document",
            "document_deadline",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.recorded = None
        if self.instance.pk and "candidacy" in self.fields:
            self.fields["candidacy"].disabled = True

    def clean(self):
        data = super().clean()
        candidacy = data.get("candidacy") or self.instance.candidacy
        if self.errors or candidacy is None:
            return data
        try:
            with transaction.atomic():
                self.recorded = decision_record(
                    candidacy_id=candidacy.pk,
                    kind=data.get("kind"),
                    rank=data.get("rank"),
                    reason=data.get("reason") or "",
                    missing_document=data.get("missing_document") or "",
                    document_deadline=data.get("document_deadline"),
                    votes_for=data.get("votes_for") or 0,
                    votes_against=data.get("votes_against") or 0,
                    user=self.user,
                )
        except AllocationError as error:
            raise ValidationError(error.message) from error
        return data

    def _post_clean(self):
        # The service validated and saved the decision; the model form has nothing left to check.
        pass


@admin.register(Decision)
class DecisionAdmin(ScopedHistoryAdmin):
    form = DecisionForm
    list_display = [
        "candidacy",
        "agenda_item",
        "kind",
        "rank",
        "votes_for",
        "votes_against",
        "letter_link",
    ]
    list_filter = ["kind", "agenda_item__sitting__status"]
    list_select_related = [
        "candidacy__application",
        "agenda_item__vacancy__dwelling__building",
        "agenda_item__sitting",
    ]
    search_fields = [
        "candidacy__application__registration_number",
        "candidacy__application__applicant_name",
    ]
    raw_id_fields = ["candidacy"]

    @admin.display(description=gettext_lazy("lettre de décision"))
    def letter_link(self, obj):
        if obj.agenda_item.sitting.status != SittingStatus.CLOSED:
            return "—"
        return _letter_link("decision", obj.pk)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestDecisionForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return RequestDecisionForm

    def has_change_permission(self, request, obj=None):
        sitting = obj.agenda_item.sitting if obj is not None else None
        return not _frozen(request, sitting) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        return form.recorded

    def save_model(self, request, obj, form, change):
        pass  # saved by decision_record in the form's clean()

    def save_related(self, request, form, formsets, change):
        pass


# ---------------------------------------------------------------------------------------------
# Offers


@admin.register(Offer)
class OfferAdmin(ScopedModelAdmin):
    list_display = ["vacancy", "application", "sent_at", "deadline", "status", "letter_link"]
    list_filter = ["status"]
    list_select_related = ["vacancy__dwelling__building", "application"]
    search_fields = ["application__registration_number", "application__applicant_name"]
    readonly_fields = [
        "decision",
        "vacancy",
        "application",
        "sent_at",
        "deadline",
        "status",
        "answered_at",
        "letter_link",
    ]
    actions = ["accept", "refuse", "expire_due"]

    @admin.display(description=gettext_lazy("lettre de proposition"))
    def letter_link(self, obj):
        return _letter_link("proposition", obj.pk) if obj.pk else "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _answer(self, request, queryset, service, done_message):
        done, refused = 0, []
        for offer in queryset.filter(status=OfferStatus.PENDING):
            try:
                service(offer_id=offer.pk)
            except AllocationError as error:
                refused.append(f"{offer} : {error.message}")
            else:
                done += 1
        _report(self, request, done_message, done, refused)

    @admin.action(
        description=gettext_lazy("Acceptée par le demandeur (bail préparé, logement loué)")
    )
    def accept(self, request, queryset):
        self._answer(
            request, queryset, offer_accept_and_let, _("%(count)d proposition(s) acceptée(s).")
        )

    @admin.action(description=gettext_lazy("Refusée (proposer au rang suivant)"))
    def refuse(self, request, queryset):
        self._answer(request, queryset, offer_refuse, _("%(count)d proposition(s) refusée(s)."))

    @admin.action(description=gettext_lazy("Expirer les propositions sans réponse dans le délai"))
    def expire_due(self, request, queryset):
        count = offers_expire_due()
        self.message_user(
            request, _("%(count)d proposition(s) expirée(s).") % {"count": count}, messages.INFO
        )


# ---------------------------------------------------------------------------------------------
# Occupancy reviews


class OccupancyFindingForm(forms.ModelForm):
    """Only the finding is typed; ``occupancy_finding_record`` checks the sitting and quorum."""

    class Meta:
        model = OccupancyReview
        fields = ["finding"]

    def clean(self):
        data = super().clean()
        if self.errors or not self.instance.pk:
            return data
        try:
            with transaction.atomic():
                self.recorded = occupancy_finding_record(
                    review_id=self.instance.pk, finding=data.get("finding") or ""
                )
        except AllocationError as error:
            raise ValidationError(error.message) from error
        return data

    def _post_clean(self):
        pass


@admin.register(OccupancyReview)
class OccupancyReviewAdmin(ScopedModelAdmin):
    form = OccupancyFindingForm
    list_display = ["household", "sitting", "situation_list", "finding_recorded_at", "letter_link"]
    list_filter = ["sitting__status"]
    list_select_related = ["household", "sitting__committee"]
    search_fields = ["household__name", "household__reference"]
    readonly_fields = [
        "sitting",
        "household",
        "lease",
        "situation_list",
        "finding_recorded_at",
        "letter_link",
    ]
    fields = [
        "sitting",
        "household",
        "lease",
        "situation_list",
        "finding",
        "finding_recorded_at",
        "letter_link",
    ]

    @admin.display(description=gettext_lazy("notification au locataire"))
    def letter_link(self, obj):
        if obj.pk is None or obj.sitting.status != SittingStatus.CLOSED:
            return "—"
        return _letter_link("examen", obj.pk)

    @admin.display(description=gettext_lazy("situations relevées"))
    def situation_list(self, obj):
        return ", ".join(obj.situation_labels)

    def has_add_permission(self, request):
        return False  # added to a sitting by its admin action

    def has_change_permission(self, request, obj=None):
        sitting = obj.sitting if obj is not None else None
        return not _frozen(request, sitting) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        sitting = obj.sitting if obj is not None else None
        if sitting is not None and sitting.status != SittingStatus.PLANNED:
            return False
        return super().has_delete_permission(request, obj)

    def save_form(self, request, form, change):
        return form.recorded

    def save_model(self, request, obj, form, change):
        pass  # saved by occupancy_finding_record in the form's clean()

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(RehousingFile)
class RehousingFileAdmin(ScopedModelAdmin):
    """Read-only: files are opened and updated through allocations.rehousing (staff pages),
    where the status transitions and the withdrawal of the dwelling on a move are enforced."""

    list_display = ["household", "building", "status", "followed_by", "opened_on", "moved_on"]
    list_filter = ["status", "site", "landlord"]
    list_select_related = ["household", "building", "followed_by"]
    search_fields = ["household__name", "household__reference", "building__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
