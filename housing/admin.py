from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from housing.admin_scoping import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline
from housing.duties import caretaker_assign, is_caretaker_of
from housing.models import (
    WEEKDAY_LABELS,
    Agency,
    Building,
    CaretakerAssignment,
    DutyCompletion,
    DutyRound,
    Dwelling,
    Estate,
    IntegrationToken,
    Landlord,
    RetentionPolicy,
    RetentionRun,
    StaffMembership,
    WorksEvent,
    WorksNotice,
    WorksSite,
    WorksStatus,
)
from housing.services import integration_token_create, integration_token_revoke
from housing.works import with_status
from portal.admin_mixins import ReadOnlyAdminMixin


class AgencyInline(ScopedTabularInline):
    model = Agency
    fields = ["name", "city", "email", "phone"]


@admin.register(Landlord)
class LandlordAdmin(ScopedModelAdmin):
    list_display = ["name", "slug", "kind", "email", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AgencyInline]


@admin.register(Agency)
class AgencyAdmin(ScopedModelAdmin):
    list_display = ["name", "landlord", "city", "email", "phone"]
    list_filter = ["landlord"]
    list_select_related = ["landlord"]
    search_fields = ["name", "city", "email"]


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    """Estates are public places shared by the landlords: not scoped."""

    list_display = ["name", "city", "slug"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Building)
class BuildingAdmin(ScopedModelAdmin):
    list_display = [
        "name",
        "reference",
        "landlord",
        "estate",
        "city",
        "floors",
        "has_lift",
        "status",
    ]
    list_filter = ["landlord", "estate", "status", "has_lift"]
    list_select_related = ["landlord", "estate"]
    search_fields = ["name", "reference", "address"]


@admin.register(Dwelling)
class DwellingAdmin(ScopedModelAdmin):
    list_display = [
        "reference",
        "building",
        "landlord",
        "typology",
        "floor",
        "surface",
        "rent",
        "status",
    ]
    list_filter = ["landlord", "status", "typology", "adapted_reduced_mobility", "building__estate"]
    list_select_related = ["building", "landlord"]
    search_fields = ["reference", "building__name", "building__address"]
    autocomplete_fields = ["building"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(ScopedModelAdmin):
    list_display = ["user", "landlord", "role", "agency"]
    list_filter = ["landlord", "role"]
    list_select_related = ["user", "landlord", "agency"]
    search_fields = ["user__email", "user__last_name"]


class WorksEventInline(ScopedTabularInline):
    model = WorksEvent
    fields = ["kind", "date", "reason", "recorded_by"]
    readonly_fields = ["kind", "date", "reason", "recorded_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Events go through the timeline rules (housing.works): add them with the action below
        # or from the site's staff page.
        return False


class WorksNoticeInline(ScopedStackedInline):
    model = WorksNotice
    fields = ["title", "body", "published_on", "emailed_at"]
    readonly_fields = ["published_on", "emailed_at"]


class WorksSiteForm(forms.ModelForm):
    class Meta:
        model = WorksSite
        fields = [
            "landlord",
            "kind",
            "name",
            "buildings",
            "contractor",
            "description",
            "planned_start",
            "planned_end",
            "budget",
        ]

    def clean(self):
        cleaned = super().clean()
        landlord, buildings = cleaned.get("landlord"), cleaned.get("buildings")
        if landlord and buildings and any(b.landlord_id != landlord.pk for b in buildings):
            self.add_error(
                "buildings", _("Les immeubles d'un chantier doivent appartenir à son bailleur.")
            )
        return cleaned


@admin.register(WorksSite)
class WorksSiteAdmin(ScopedModelAdmin):
    form = WorksSiteForm
    list_display = ["name", "kind", "landlord", "planned_start", "planned_end", "status_display"]
    list_filter = ["landlord", "kind"]
    list_select_related = ["landlord"]
    search_fields = ["name", "contractor", "buildings__name"]
    filter_horizontal = ["buildings"]
    inlines = [WorksEventInline, WorksNoticeInline]

    def get_queryset(self, request):
        return with_status(super().get_queryset(request))

    @admin.display(description=_("état"), ordering="status")
    def status_display(self, obj):
        return WorksStatus(obj.status).label


@admin.register(WorksEvent)
class WorksEventAdmin(ScopedModelAdmin):
    """Read the timelines; new events are checked by the service, never typed in freely."""

    list_display = ["site", "kind", "date", "reason", "recorded_by"]
    list_filter = ["kind", "site__landlord"]
    list_select_related = ["site", "recorded_by"]
    search_fields = ["site__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorksNotice)
class WorksNoticeAdmin(ScopedModelAdmin):
    list_display = ["title", "site", "published_on", "emailed_at"]
    list_filter = ["site__landlord"]
    list_select_related = ["site"]
    search_fields = ["title", "body", "site__name"]
    fields = ["site", "title", "body", "published_on", "emailed_at"]
    readonly_fields = ["published_on", "emailed_at"]


# Caretakers' duties ------------------------------------------------------------------------------


class CaretakerAssignmentForm(forms.ModelForm):
    class Meta:
        model = CaretakerAssignment
        fields = ["user", "building"]

    def clean(self):
        cleaned = super().clean()
        user, building = cleaned.get("user"), cleaned.get("building")
        if user and building and not is_caretaker_of(user, building.landlord_id):
            raise forms.ValidationError(
                gettext("%(user)s n'est pas gardien(ne) chez %(landlord)s.")
                % {"user": user.get_full_name() or user.email, "landlord": building.landlord}
            )
        return cleaned


@admin.register(CaretakerAssignment)
class CaretakerAssignmentAdmin(ScopedModelAdmin):
    """Who looks after which building; the person must hold the caretaker role at its landlord."""

    form = CaretakerAssignmentForm
    list_display = ["building", "user", "created_at"]
    list_filter = [("building__landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["building", "user"]
    search_fields = ["building__name", "user__email", "user__last_name"]
    autocomplete_fields = ["building"]

    def has_change_permission(self, request, obj=None):
        return False  # an assignment is added or removed, never moved to someone else

    def save_model(self, request, obj, form, change):
        obj.pk = caretaker_assign(user=obj.user, building=obj.building, by=request.user).pk


class WeekdaysField(forms.TypedMultipleChoiceField):
    """The 7-bit weekday mask of a round, edited as one checkbox per day."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=[(day, label) for day, label in enumerate(WEEKDAY_LABELS)],
            coerce=int,
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, int):
            return [day for day in range(7) if value & (1 << day)]
        return value

    def clean(self, value):
        days = super().clean(value)
        return sum(1 << day for day in set(days))


class DutyRoundForm(forms.ModelForm):
    weekdays = WeekdaysField(label=gettext_lazy("Jours"))

    class Meta:
        model = DutyRound
        fields = ["building", "kind", "weekdays", "time", "details", "starts_on", "is_active"]


@admin.register(DutyRound)
class DutyRoundAdmin(ScopedModelAdmin):
    form = DutyRoundForm
    list_display = ["building", "kind", "days", "time", "starts_on", "is_active"]
    list_filter = ["kind", "is_active", ("building__landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["building"]
    search_fields = ["building__name", "details"]
    autocomplete_fields = ["building"]

    @admin.display(description=gettext_lazy("jours"))
    def days(self, obj):
        return ", ".join(obj.weekday_labels)


@admin.register(DutyCompletion)
class DutyCompletionAdmin(ScopedModelAdmin):
    """Completions are ticked on the caretaker's page: the admin only reads them."""

    list_display = ["round", "date", "done_by", "done_at", "note"]
    list_filter = ["round__kind", ("round__building__landlord", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["round__building", "done_by"]
    search_fields = ["round__building__name", "note", "done_by__email"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IntegrationTokenForm(forms.ModelForm):
    class Meta:
        model = IntegrationToken
        fields = ["landlord", "name", "scope", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at <= timezone.now():
            raise forms.ValidationError(_("La date d'expiration doit être dans le futur."))
        return expires_at


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(ScopedModelAdmin):
    """Tokens are created here; the key is shown once, in the message after saving."""

    form = IntegrationTokenForm

    list_display = [
        "name",
        "prefix",
        "landlord",
        "scope",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["landlord", "scope"]
    list_select_related = ["landlord"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "revoked_at", "last_used_at", "created_by", "created_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        fields = ["landlord", "name", "scope", "expires_at"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A token's landlord and rights never change: create another one instead.
        if obj is None:
            return []
        return ["landlord", "scope", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "expires_at", "updated_at"])
            return
        token, key = integration_token_create(
            landlord=obj.landlord,
            name=obj.name,
            scope=obj.scope,
            expires_at=obj.expires_at,
            by=request.user,
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _(
                "Clé du jeton « %(name)s » : %(key)s — copiez-la maintenant, elle ne sera plus "
                "jamais affichée."
            )
            % {"name": token.name, "key": key},
        )

    @admin.action(description=_("Révoquer les jetons sélectionnés"))
    def revoke(self, request, queryset):
        for token in queryset:
            integration_token_revoke(token=token)
        self.message_user(request, _("Jetons révoqués : %(count)d.") % {"count": len(queryset)})


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ScopedModelAdmin):
    list_display = [
        "landlord",
        "call_notes_months",
        "request_photos_months",
        "tenant_accounts_months",
    ]
    list_select_related = ["landlord"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """The nightly reports: read-only."""

    list_display = [
        "ran_at",
        "landlord",
        "call_logs_anonymised",
        "photos_deleted",
        "accounts_deactivated",
    ]
    list_filter = ["landlord"]
    list_select_related = ["landlord"]
    date_hierarchy = "ran_at"
