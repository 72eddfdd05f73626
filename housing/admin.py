from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from housing.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from housing.models import (
    Agency,
    Building,
    Dwelling,
    Estate,
    IntegrationToken,
    Landlord,
    StaffMembership,
)
from housing.services import integration_token_create, integration_token_revoke


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
