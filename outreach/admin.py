"""Admin of the call campaigns, scoped like the pages; writes that carry rules go through services.

Foreign-key filters list only values found in the user's own rows (RelatedOnlyFieldListFilter), so
the sidebar never shows another landlord's campaigns or partners.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from housing.admin_scoping import ScopedHistoryAdmin, ScopedModelAdmin, ScopedTabularInline
from housing.duties import is_caretaker_of
from housing.exports import admin_export_actions
from outreach.errors import OutreachError
from outreach.models import (
    CallLog,
    CallTask,
    Campaign,
    CampaignStatus,
    Need,
    Partner,
    Question,
    QueueBuild,
    Referral,
    ReferralStatus,
    SolidarityEntry,
    SolidarityStatus,
    SolidarityTask,
    SolidarityTaskStatus,
    TaskStatus,
)
from outreach.services.campaigns import (
    campaign_set_status,
    questionnaire_add_default,
    queue_build_request,
)
from outreach.services.followups import (
    can_edit_partner,
    referral_set_status,
    solidarity_entry_close,
)
from outreach.services.queue import call_task_release
from portal.admin_mixins import ReadOnlyAdminMixin

CAMPAIGNS_CHANGED = ngettext_lazy(
    "État changé pour %(count)d campagne.", "État changé pour %(count)d campagnes.", "count"
)
BUILDS_REQUESTED = ngettext_lazy(
    "Construction de la file demandée pour %(count)d campagne.",
    "Construction de la file demandée pour %(count)d campagnes.",
    "count",
)
TASKS_RELEASED = ngettext_lazy(
    "%(count)d appel rendu à la file.", "%(count)d appels rendus à la file.", "count"
)
TASKS_NOT_HELD = ngettext_lazy(
    "%(count)d appel n'était pas en cours : inchangé.",
    "%(count)d appels n'étaient pas en cours : inchangés.",
    "count",
)
REFERRALS_CHANGED = ngettext_lazy(
    "%(count)d orientation mise à jour.", "%(count)d orientations mises à jour.", "count"
)


def _all_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete and (not field.auto_created or field.many_to_many)
    ]


def _report(modeladmin, request, message, done: int, refused: list[str]) -> None:
    """``message`` is an ngettext_lazy(…, "count") text, told when something was done."""
    if done:
        modeladmin.message_user(request, message % {"count": done}, messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.WARNING)


# ---------------------------------------------------------------------------------------------
# Partners


@admin.register(Partner)
class PartnerAdmin(ScopedModelAdmin):
    """Own partners plus shared ones (no landlord): shared ones are read-only except for superusers."""

    list_display = ["name", "kind", "landlord_or_shared", "city", "phone", "email", "is_active"]
    list_filter = ["kind", "is_active", ("landlord", admin.RelatedOnlyFieldListFilter), "city"]
    list_select_related = ["landlord"]
    search_fields = ["name", "city", "email", "notes"]

    @admin.display(description=gettext_lazy("bailleur"), ordering="landlord__name")
    def landlord_or_shared(self, obj):
        return obj.landlord.name if obj.landlord_id else _("commun aux trois bailleurs")

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_edit_partner(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_edit_partner(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "landlord" and not request.user.is_superuser:
            # Only superusers create shared partners: a landlord's admin must pick a landlord.
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# ---------------------------------------------------------------------------------------------
# Campaigns


class QuestionInline(ScopedTabularInline):
    model = Question
    fields = ["position", "text", "kind", "choices", "required"]

    def _closed(self, obj) -> bool:
        return obj is not None and obj.status == CampaignStatus.CLOSED

    def has_add_permission(self, request, obj=None):
        return not self._closed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._closed(obj) and super().has_delete_permission(request, obj)


def _campaign_status_action(status: str, description):
    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for campaign in queryset:
            try:
                campaign_set_status(campaign=campaign, user=request.user, status=status)
            except OutreachError as error:
                refused.append(f"{campaign} : {error.message}")
            else:
                done += 1
        _report(modeladmin, request, CAMPAIGNS_CHANGED, done, refused)

    action.__name__ = f"campaign_to_{status}"
    return admin.action(description=description)(action)


@admin.register(Campaign)
class CampaignAdmin(ScopedModelAdmin):
    list_display = ["name", "landlord", "kind", "status", "start_date", "end_date", "max_attempts"]
    list_filter = [
        "status",
        "kind",
        ("landlord", admin.RelatedOnlyFieldListFilter),
        "require_isolated",
        "require_payment_difficulty",
    ]
    list_select_related = ["landlord"]
    search_fields = ["name", "purpose"]
    date_hierarchy = "start_date"
    filter_horizontal = ["estates"]
    autocomplete_fields = ["buildings"]
    inlines = [QuestionInline]
    # The kind is set by the services (the call-back campaign is created on demand), never by hand.
    readonly_fields = ["kind", "status", "created_by", "created_at", "updated_at"]
    actions = [
        "build_queue_now",
        _campaign_status_action(CampaignStatus.ACTIVE, gettext_lazy("Démarrer ou reprendre")),
        _campaign_status_action(CampaignStatus.PAUSED, gettext_lazy("Mettre en pause")),
        _campaign_status_action(CampaignStatus.CLOSED, gettext_lazy("Clôturer")),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == CampaignStatus.CLOSED:
            return _all_fields(Campaign)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # A campaign with calls keeps its history (its logs protect it); closed ones stay as they are.
        if obj is not None and obj.status == CampaignStatus.CLOSED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.questions.exists():
            questionnaire_add_default(campaign=form.instance)

    @admin.action(description=gettext_lazy("Construire la file maintenant"))
    def build_queue_now(self, request, queryset):
        done, refused = 0, []
        for campaign in queryset.select_related("landlord"):
            if campaign.status != CampaignStatus.ACTIVE:
                refused.append(
                    _("%(campaign)s : seule une campagne en cours a une file d'appels.")
                    % {"campaign": campaign}
                )
                continue
            queue_build_request(campaign=campaign, user=request.user)
            done += 1
        _report(self, request, BUILDS_REQUESTED, done, refused)


# ---------------------------------------------------------------------------------------------
# The queue and the calls


@admin.register(CallTask)
class CallTaskAdmin(ScopedModelAdmin):
    """The queue is built and worked by the services: read-only here, except handing calls back."""

    list_display = [
        "household",
        "campaign",
        "status",
        "attempts",
        "held_by",
        "callback_at",
        "last_outcome",
    ]
    list_filter = [
        "status",
        ("landlord", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
        "risk_isolated",
    ]
    list_select_related = ["household", "campaign", "held_by"]
    search_fields = ["household__name", "household__reference", "campaign__name"]
    actions = ["release_held"]

    def get_readonly_fields(self, request, obj=None):
        return _all_fields(CallTask)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Rendre à la file"), permissions=["change"])
    def release_held(self, request, queryset):
        # At most one held call per caller: a handful of rows, each through the queue service.
        held = list(queryset.filter(status=TaskStatus.HELD).select_related("held_by"))
        for task in held:
            call_task_release(task=task, user=task.held_by)
        skipped = queryset.exclude(status=TaskStatus.HELD).count()
        refused = [TASKS_NOT_HELD % {"count": skipped}] if skipped else []
        _report(self, request, TASKS_RELEASED, len(held), refused)


class NeedInline(ScopedTabularInline):
    model = Need
    fields = ["kind", "note", "handled"]


@admin.register(CallLog)
class CallLogAdmin(ScopedHistoryAdmin):
    """Call logs are history: never deleted; what was said and by whom cannot be rewritten."""

    actions = admin_export_actions("call_logs")

    list_display = ["called_at", "household", "campaign", "caller", "outcome"]
    list_filter = [
        "outcome",
        ("landlord", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["household", "campaign", "caller"]
    search_fields = ["household__name", "household__reference", "notes", "caller__email"]
    date_hierarchy = "called_at"
    inlines = [NeedInline]
    readonly_fields = [
        "task",
        "campaign",
        "household",
        "landlord",
        "caller",
        "phone",
        "outcome",
        "answers",
        "called_at",
    ]
    fields = readonly_fields + ["notes"]

    def has_add_permission(self, request):
        # Calls are logged from the caller's screen, where the queue's rules apply.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for need in instances:
            need.household_id = form.instance.household_id
            need.save()
        for need in formset.deleted_objects:
            need.delete()


@admin.register(Need)
class NeedAdmin(ScopedModelAdmin):
    list_display = ["kind", "household", "handled", "created_at"]
    list_filter = ["kind", "handled", ("household__landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["household"]
    search_fields = ["household__name", "household__reference", "note"]
    readonly_fields = ["call_log", "campaign", "household"]

    def has_add_permission(self, request):
        return False


# ---------------------------------------------------------------------------------------------
# Referrals and the solidarity register


def _referral_status_action(status: str, description):
    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for referral in queryset:
            try:
                referral_set_status(referral=referral, user=request.user, status=status)
            except OutreachError as error:
                refused.append(f"{referral} : {error.message}")
            else:
                done += 1
        _report(modeladmin, request, REFERRALS_CHANGED, done, refused)

    action.__name__ = f"referral_to_{status}"
    return admin.action(description=description)(action)


@admin.register(Referral)
class ReferralAdmin(ScopedModelAdmin):
    list_display = ["household", "partner", "status", "landlord", "created_by", "created_at"]
    list_filter = [
        "status",
        ("landlord", admin.RelatedOnlyFieldListFilter),
        ("partner", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["household", "partner", "landlord", "created_by"]
    search_fields = ["household__name", "household__reference", "partner__name", "reason"]
    date_hierarchy = "created_at"
    raw_id_fields = ["household", "call_log"]
    readonly_fields = ["campaign", "status", "created_by", "created_at", "updated_at"]
    actions = [
        _referral_status_action(ReferralStatus.SENT, gettext_lazy("Marquer « transmise »")),
        _referral_status_action(
            ReferralStatus.ACKNOWLEDGED, gettext_lazy("Marquer « prise en charge »")
        ),
        _referral_status_action(ReferralStatus.CLOSED, gettext_lazy("Clore")),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == ReferralStatus.CLOSED:
            return _all_fields(Referral)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SolidarityEntry)
class SolidarityEntryAdmin(ScopedModelAdmin):
    """Closing takes a reason: type it in « motif de clôture » and save (closed entries are frozen)."""

    list_display = ["household", "person", "found_on", "status", "closed_at", "landlord"]
    list_filter = ["status", ("landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["household", "person", "landlord"]
    search_fields = ["household__name", "household__reference", "need", "follow_up"]
    date_hierarchy = "found_on"
    raw_id_fields = ["household", "person", "call_log"]
    readonly_fields = ["status", "closed_at", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == SolidarityStatus.CLOSED:
            return _all_fields(SolidarityEntry)
        if obj is None:
            return [*self.readonly_fields, "closed_reason"]
        return self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "closed_reason" in form.base_fields:
            form.base_fields["closed_reason"].help_text = _(
                "Renseigner un motif puis enregistrer clôt l'inscription."
            )
        return form

    def save_model(self, request, obj, form, change):
        reason = obj.closed_reason.strip()
        closing = change and "closed_reason" in form.changed_data and reason
        if closing:
            obj.closed_reason = ""  # saved open first, then closed by the service
        super().save_model(request, obj, form, change)
        if closing:
            try:
                solidarity_entry_close(entry=obj, user=request.user, reason=reason)
            except OutreachError as error:
                self.message_user(request, error.message, messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == SolidarityStatus.CLOSED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(QueueBuild)
class QueueBuildAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """A record of what the worker did: read-only."""

    list_display = [
        "campaign",
        "status",
        "requested_by",
        "created_at",
        "finished_at",
        "added",
        "removed",
        "restored",
    ]
    list_filter = [
        "status",
        ("campaign__landlord", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["campaign", "requested_by"]
    search_fields = ["campaign__name"]
    date_hierarchy = "created_at"


import outreach.admin_appointments  # noqa: E402, F401  (appointments with advisers)


class SolidarityTaskAdminForm(forms.ModelForm):
    def clean_assigned_to(self):
        caretaker = self.cleaned_data["assigned_to"]
        if not is_caretaker_of(caretaker, self.instance.landlord_id):
            raise forms.ValidationError(_("Choisissez un(e) gardien(ne) du bailleur du ménage."))
        return caretaker


@admin.register(SolidarityTask)
class SolidarityTaskAdmin(ScopedModelAdmin):
    """Tasks are created from the follow-up pages and ticked by caretakers: the admin reads them,
    and may change an open task's caretaker (one of the landlord's), wording or day."""

    form = SolidarityTaskAdminForm

    list_display = ["description", "household", "assigned_to", "due_on", "status", "landlord"]
    list_filter = ["status", ("landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["household", "assigned_to", "landlord"]
    search_fields = ["description", "household__name", "household__reference", "done_note"]
    date_hierarchy = "due_on"
    raw_id_fields = ["household", "need", "call_log"]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != SolidarityTaskStatus.TO_DO:
            return _all_fields(SolidarityTask)
        return ["landlord", "household", "need", "call_log", "status", "done_at", "created_by"]
